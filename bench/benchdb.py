"""The benchmark database: a synthetic 15,000-action programme in SQLite, built once and reused.

Built through the same commands an operator would run (flask db upgrade, demo scale, users create),
in a folder outside the repository: $TMPDIR/tracker-bench unless --dir says otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCALE = {"workstreams": 12, "projects": 400, "actions": 15000}
VIEWER_EMAIL = "bench.viewer@example.gov.uk"
VIEWER_PASSWORD = "bench viewer quartz lantern"


@dataclass(frozen=True)
class BenchDatabase:
    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / "bench.db"

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
