"""The benchmark database: a synthetic 15,000-action programme in SQLite, built once and reused.

Built through the same commands an operator would run (flask db upgrade, demo scale, users create),
in a folder outside the repository: $TMPDIR/tracker-bench unless --dir says otherwise. The same
programme can be built in an empty PostgreSQL database (``ensure_postgres_database``). Also here,
shared by the bench scripts: what `demo scale` does not make (KPIs, risks, board meetings:
``add_kpis_risks_meetings``) and a programme-office write through the real update service
(``office_user``, ``flip_status``).
"""

from __future__ import annotations

import calendar
import os
import random
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCALE = {"workstreams": 12, "projects": 400, "actions": 15000}
VIEWER_EMAIL = "bench.viewer@example.gov.uk"
VIEWER_PASSWORD = "bench viewer quartz lantern"
WRITER_EMAIL = "bench.office@example.gov.uk"
KPIS, VALUES, RISKS = 250, 60, 40


@dataclass(frozen=True)
class BenchDatabase:
    folder: Path
    # Another name for a working copy (board-cycle.db, throughput.db) that a bench may change.
    filename: str = "bench.db"

    @property
    def path(self) -> Path:
        return self.folder / self.filename

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    @property
    def instance_path(self) -> Path:
        return self.folder / "instance"

    @property
    def ready_marker(self) -> Path:
        return self.folder / f"ready-{SCALE['workstreams']}-{SCALE['projects']}-{SCALE['actions']}"

    def environ(self) -> dict[str, str]:
        """Environment for anything (flask CLI, gunicorn, create_app) that should use this database."""
        env = dict(os.environ)
        env.update(DATABASE_URL=self.url, TRACKER_INSTANCE_PATH=str(self.instance_path), FLASK_APP="tracker")
        env.pop("FLASK_DEBUG", None)
        return env


def default_folder() -> Path:
    return Path(os.environ.get("TMPDIR", "/tmp")) / "tracker-bench"


def flask(db: BenchDatabase, *args: str, stdin: str | None = None) -> str:
    """Run a flask CLI command against the bench database; fail loudly with its output."""
    command = [sys.executable, "-m", "flask", "--app", "tracker", *args]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=db.environ(), input=stdin, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise SystemExit(f"'flask {' '.join(args)}' failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_bench_database(folder: Path | None = None, rebuild: bool = False) -> BenchDatabase:
    """Build the synthetic programme and a viewer account unless a finished build is already there."""
    db = BenchDatabase(folder or default_folder())
    if db.ready_marker.exists() and db.path.exists() and not rebuild:
        print(f"Reusing the bench database {db.path}")
        return db
    db.folder.mkdir(parents=True, exist_ok=True)
    db.instance_path.mkdir(parents=True, exist_ok=True)
    for leftover in db.folder.glob("bench.db*"):
        leftover.unlink()
    for marker in db.folder.glob("ready-*"):
        marker.unlink()
    print(f"Building the bench database {db.path} ({SCALE['actions']:,} actions) …", flush=True)
    flask(db, "db", "upgrade")
    flask(db, "demo", "scale", *(f"--{key}={value}" for key, value in SCALE.items()))
    flask(
        db,
        "users",
        "create",
        "--email",
        VIEWER_EMAIL,
        "--name",
        "Bench viewer",
        "--role",
        "viewer",
        stdin=VIEWER_PASSWORD + "\n",
    )
    db.ready_marker.touch()
    return db


def working_copy(bench: BenchDatabase, filename: str, rebuild: bool = False) -> BenchDatabase:
    """Copy the bench database once for a bench that writes to it, so the others keep measuring the same data.

    Copied through SQLite's backup API, so pages still in the write-ahead log come along.
    """
    copy = BenchDatabase(bench.folder, filename)
    if rebuild or not copy.path.exists():
        for leftover in bench.folder.glob(filename + "*"):
            leftover.unlink()
        source, target = sqlite3.connect(bench.path), sqlite3.connect(copy.path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    return copy


@dataclass(frozen=True)
class PostgresBench(BenchDatabase):
    """The bench programme in a PostgreSQL database (the folder holds only the instance folder)."""

    database_url: str = ""

    @property
    def url(self) -> str:
        return self.database_url


def ensure_postgres_database(url: str, folder: Path) -> PostgresBench:
    """Build the scale programme and the viewer in a PostgreSQL database, each step once.

    Whether a step is done is asked of the database itself (not of a marker file), so that two
    databases used from the same folder, or a database dropped and created again, are not mistaken
    for one another.
    """
    bench = PostgresBench(folder, database_url=url)
    bench.instance_path.mkdir(parents=True, exist_ok=True)
    has_programme, has_viewer = _postgres_contents(url)
    if has_programme and has_viewer:
        print(f"Reusing the PostgreSQL bench database {url}")
        return bench
    print(f"Building the PostgreSQL bench database {url} ({SCALE['actions']:,} actions) …", flush=True)
    flask(bench, "db", "upgrade")
    if not has_programme:
        flask(bench, "demo", "scale", *(f"--{key}={value}" for key, value in SCALE.items()))
    if not has_viewer:
        flask(bench, "users", "create", "--email", VIEWER_EMAIL, "--name", "Bench viewer", "--role", "viewer",
              stdin=VIEWER_PASSWORD + "\n")  # fmt: skip
    return bench


def _postgres_contents(url: str) -> tuple[bool, bool]:
    """Return (the scale programme is there, the bench viewer is there); both False in an empty database."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            programme = "programme" in tables and bool(
                connection.scalar(text("SELECT count(*) FROM programme WHERE short_name = 'scale'"))
            )
            viewer = "user_account" in tables and bool(
                connection.scalar(text("SELECT count(*) FROM user_account WHERE email = :e"), {"e": VIEWER_EMAIL})
            )
    finally:
        engine.dispose()
    return programme, viewer


def add_kpis_risks_meetings(app) -> tuple[date, date, date]:
    """Add what `demo scale` does not make, once: KPIs with monthly values, risks and three board meetings.

    Returns the meetings' dates (12 and 6 weeks ago, in two days) as they would be made today.
    """
    from sqlalchemy import func, insert, select

    from tracker.core.refs import natural_sort_key, ref_slug
    from tracker.extensions import db
    from tracker.kpis.models import Kpi, KpiTarget, KpiValue
    from tracker.programme.models import BoardMeeting, Programme
    from tracker.risks.models import Risk

    with app.app_context():
        programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
        today = app.config.get("FIXED_TODAY") or datetime.now(UTC).date()
        dates = (today - timedelta(days=84), today - timedelta(days=42), today + timedelta(days=2))
        if db.session.scalar(select(func.count()).select_from(Kpi).where(Kpi.programme_id == programme.id)):
            return dates
        print(f"Adding {KPIS} KPIs × {VALUES} values, {RISKS} risks and 3 meetings …", flush=True)
        rng = random.Random(11)
        db.session.execute(
            insert(Kpi),
            [
                {
                    "programme_id": programme.id,
                    "ref": f"KPI {n}",
                    "ref_sort": natural_sort_key(f"KPI {n}"),
                    "slug": ref_slug(f"KPI {n}"),
                    "title": f"Measure {n}",
                    "description": "",
                    "unit": "percent",
                    "polarity": "higher",
                    "frequency": "monthly",
                }
                for n in range(1, KPIS + 1)
            ],
        )
        ids = db.session.scalars(select(Kpi.id).where(Kpi.programme_id == programme.id)).all()
        db.session.execute(
            insert(KpiTarget),
            [{"kpi_id": i, "applies_from": date(1900, 1, 1), "target_value": 60, "tolerance_low": 50} for i in ids],
        )
        values = []
        for kpi_id in ids:
            for m in range(VALUES):
                end = _month_end(today.year - 5 + (today.month - 1 + m) // 12, (today.month - 1 + m) % 12 + 1)
                values.append(
                    {
                        "kpi_id": kpi_id,
                        "period_end": end,
                        "period_label": end.strftime("%b %Y"),
                        "value": rng.randint(40, 75),
                        "commentary": "",
                        "version": 1,
                    }
                )
        db.session.execute(insert(KpiValue), values)
        db.session.execute(
            insert(Risk),
            [
                {
                    "programme_id": programme.id,
                    "description": f"Risk {n}",
                    "mitigation": "Mitigation",
                    "likelihood": rng.randint(1, 5),
                    "impact": rng.randint(1, 5),
                    "is_open": True,
                    "review_on": today + timedelta(days=rng.randint(-60, 60)),
                    "version": 1,
                }
                for n in range(RISKS)
            ],
        )
        for day in dates:
            db.session.add(BoardMeeting(programme_id=programme.id, meets_on=day, update_deadline=day))
        db.session.commit()
    return dates


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def office_user():
    """Return the programme office account bench writes are made as, made once (needs an app context)."""
    from sqlalchemy import select

    from tracker.auth.models import Role, User
    from tracker.auth.passwords import hash_password
    from tracker.extensions import db

    user = db.session.scalars(select(User).where(User.email == WRITER_EMAIL)).first()
    if user is None:
        user = User(
            email=WRITER_EMAIL,
            name="Bench programme office",
            role=Role.ADMIN,
            password_hash=hash_password(VIEWER_PASSWORD),
            active=True,
            session_generation=1,
        )
        db.session.add(user)
        db.session.commit()
    return user


def flip_status(action, user, n: int) -> None:
    """Save an update of an Amber action to Red (or a Red one to Amber) through the update service, and commit.

    What a lead's save does: the status rules, the version check, history and audit, the data version
    bump that makes every cached page of the programme stale. The deadline is kept as it is.
    """
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.programme.status import Status
    from tracker.programme.updates import ActionUpdate, update_action

    new = Status.RED if action.status == Status.AMBER else Status.AMBER
    update = ActionUpdate(
        status=new,
        progress_note=f"Bench update {n}",
        deadline=action.deadline,
        completed_on=action.completed_on,
        status_reason="Bench: a status change with its reason",
    )
    update_action(action, user, update, action.version, today())
    db.session.commit()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not match:
        raise SystemExit("No CSRF token on the sign-in page.")
    return match.group(1)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    import math

    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]
