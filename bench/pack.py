"""Time the board pack PDF of the `demo scale` programme (SQLite), in process.

    .venv/bin/python bench/pack.py [--runs 3] [--profile N] [--dir FOLDER] [--rebuild]

Works on a copy of the bench database (bench/benchdb.py: 400 projects, 15,000 actions) to which
bench/board_cycle.py's ``prepare`` adds 250 KPIs × 60 values, 40 risks and three meetings, the
second one frozen. For the frozen meeting's pack it measures, separately and --runs times:

* the content build: ``pack_for_meeting`` (SQL, checksum, JSON, movement, checks, ``pack_content``),
  with the SQL statements it sends;
* the PDF render: ``render_pdf(pack)`` alone (the cold render: no cache involved), with its pages and bytes;
* the peak memory of the whole process (``resource.getrusage``; ru_maxrss, kB on Linux) and the
  peak of Python allocations during one render (``tracemalloc``, a separate run: it slows Python down).

``--profile N`` prints the N most expensive functions of one render (cProfile, cumulative time).
Exits 1 if the render misses 3 s or the peak memory 500 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from benchdb import ensure_bench_database

RENDER_TARGET_S = 3.0
MEMORY_TARGET_MB = 500.0


def _count_statements(engine):
    counter = [0]

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            counter[0] += 1

    return counter, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of one render")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="also write the PDF here")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    bench_db = ensure_bench_database(args.dir, args.rebuild)
    copy = bench_db.folder / "pack.db"
    if args.rebuild or not copy.exists():
        shutil.copyfile(bench_db.path, copy)
    os.environ.update(DATABASE_URL=f"sqlite:///{copy}", TRACKER_INSTANCE_PATH=str(bench_db.instance_path))
    if not args.prepare_only:
        # Adding the KPIs and freezing the first board take far more memory than the pack: do it in a
        # child process so that this one's peak is the pack's.
        subprocess.run(
            [sys.executable, __file__, "--prepare-only", *(["--dir", str(args.dir)] if args.dir else [])], check=True
        )
    from board_cycle import prepare
    from pypdf import PdfReader
    from sqlalchemy import event, select

    from tracker import create_app
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.pack.pdf import render_pdf
    from tracker.pack.queries import pack_for_meeting
    from tracker.pack.stored import FOLDER, pack_pdf_for_meeting
    from tracker.programme.models import BoardMeeting, Programme

    app = create_app()
    _first, second, _third = prepare(app)
    if args.prepare_only:
        return 0
    builds, renders, render_cpu, statements = [], [], [], 0
    with app.app_context():
        programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
        meeting = db.session.scalars(
            select(BoardMeeting).where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on == second)
        ).one()
        counter, count = _count_statements(db.engine)
        pdf = b""
        for _ in range(args.runs):
            app.extensions["tracker_cache"].clear()
            db.session.expire_all()
            counter[0] = 0
            event.listen(db.engine, "before_cursor_execute", count)
            start = time.perf_counter()
            pack = pack_for_meeting(programme, meeting, today())
            builds.append(time.perf_counter() - start)
            event.remove(db.engine, "before_cursor_execute", count)
            statements = max(statements, counter[0])
            start, cpu_start = time.perf_counter(), time.process_time()
            pdf = render_pdf(pack)
            renders.append(time.perf_counter() - start)
            render_cpu.append(time.process_time() - cpu_start)
        # A frozen board's PDF, as the download sends it: rendered and kept on the first request, then
        # read from its file (the pack_pdf_for_meeting path of the view).
        for kept in (Path(app.instance_path) / FOLDER).glob("*.pdf"):
            kept.unlink()
        start = time.perf_counter()
        pack_pdf_for_meeting(programme, meeting, today(), no_appendix=False)
        first_download = time.perf_counter() - start
        start = time.perf_counter()
        pack_pdf_for_meeting(programme, meeting, today(), no_appendix=False)
        second_download = time.perf_counter() - start
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        render_pdf(pack)
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            render_pdf(pack)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(out.getvalue())
    if args.out:
        args.out.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    actions = sum(len(p.actions) for ws in pack.workstreams for p in ws.projects)
    projects = sum(len(ws.projects) for ws in pack.workstreams)
    print()
    print(
        f"Board pack of the frozen board of {second.isoformat()} on {copy.name}: {projects} projects, "
        f"{actions:,} action rows, {len(pack.kpis)} KPIs, {len(pack.risks)} risks, "
        f"{len(pack.exceptions):,} exceptions (SQLite); Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    print(
        f"Content build: median {statistics.median(builds):.2f} s, worst {max(builds):.2f} s; "
        f"{statements} SQL statements"
    )
    render_ok = max(renders) <= RENDER_TARGET_S
    memory_ok = rss_mb < MEMORY_TARGET_MB
    print(
        f"PDF render:    median {statistics.median(renders):.2f} s, worst {max(renders):.2f} s over {args.runs} runs; "
        f"CPU median {statistics.median(render_cpu):.2f} s, best {min(render_cpu):.2f} s; "
        f"{pages:,} pages, {len(pdf) / 1e6:.2f} MB; target ≤ {RENDER_TARGET_S:.0f} s: {'PASS' if render_ok else 'FAIL'}"
    )
    print(
        f"Frozen pack download: first {first_download:.2f} s (built, rendered and kept), "
        f"second {second_download * 1000:.0f} ms (read from the kept file)"
    )
    print(
        f"Peak memory:   {rss_mb:.0f} MB resident (whole process); {traced_peak / 1e6:.0f} MB of Python allocations "
        f"during one render; target < {MEMORY_TARGET_MB:.0f} MB: {'PASS' if memory_ok else 'FAIL'}"
    )
    return 0 if render_ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
