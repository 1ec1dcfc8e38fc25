"""Instructions the app executes per request, counted by valgrind: repeatable where timings are not.

    .venv/bin/python bench/instructions.py [--requests 200] [--phones 40] [--base REF]
                                           [--part sqlite|postgresql|sms ...]

On this 2-core machine a timing drifts by 15% or more between runs, which hides
any change smaller than that. Callgrind counts the instructions the app's
process executes (Python, the drivers, and SQLite, which runs in-process; not
the PostgreSQL server), the same to within half a percent run to run. This
runs bench/in_process.py's three parts (a completing web page on SQLite and on
PostgreSQL, an SMS text on PostgreSQL) under `valgrind --tool=callgrind`,
counting only the timed requests. `--base REF` counts a git revision too, from
a temporary worktree, and prints the change. Needs Debian's `valgrind`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = {
    "sqlite": "SQLite: a completing final page",
    "postgresql": "PostgreSQL: a completing final page",
    "sms": "PostgreSQL: an SMS text (webhook)",
}


def child(root: str, part: str, count: int) -> None:
    """Inside valgrind: prepare untimed, then count only the timed requests."""
    sys.path[:0] = [f"{root}/bench", root]
    import in_process
    import sms_webhooks
    import web_submissions

    def measure(_app, _label, requests, send):
        import gc

        for request in requests[: in_process.WARM]:
            send(request)
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py does
        timed = requests[in_process.WARM :]
        toggle = ["callgrind_control", "--instr=on", str(os.getpid())]
        subprocess.run(toggle, check=True, capture_output=True)
        for request in timed:
            send(request)
        toggle[1] = "--instr=off"
        subprocess.run(toggle, check=True, capture_output=True)
        print(f"TIMED {len(timed)}")

    in_process.measure = measure
    if part == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-instructions-") as workdir:
            in_process.web(f"sqlite:///{workdir}/bench.db", "SQLite", count)
        return
    web_submissions.PG_BENCH_DB = sms_webhooks.PG_BENCH_DB = in_process.PG_BENCH_DB
    try:
        if part == "postgresql":
            in_process.web(web_submissions.postgres_url(), "PostgreSQL", count)
        else:
            in_process.sms(sms_webhooks.postgres_url(), count)
    finally:  # by hand: an older revision's modules may not have drop_database
        import psycopg

        with psycopg.connect(web_submissions.PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {in_process.PG_BENCH_DB} WITH (FORCE)")


def count_instructions(root: Path, part: str, count: int) -> float:
    """Instructions per timed request of one part, run from the checkout at `root`."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as workdir:
        run = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={workdir}/callgrind.out",
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                str(root),
                part,
                str(count),
            ],
            capture_output=True,
            text=True,
        )
    timed = re.search(r"^TIMED (\d+)$", run.stdout, re.MULTILINE)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not timed or not collected:
        sys.exit(f"{part} at {root} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return int(collected.group(1)) / int(timed.group(1))


def worktree(ref: str, into: Path) -> Path:
    """A checkout of `ref` beside this one, with this checkout's compiled catalogs."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), ref],
        check=True,
        capture_output=True,
    )
    for catalog in (ROOT / "translations").glob("*/LC_MESSAGES/*.mo"):
        shutil.copy(catalog, into / catalog.relative_to(ROOT))
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed web completions")
    parser.add_argument("--phones", type=int, default=40, help="SMS phones (9 texts each)")
    parser.add_argument("--base", help="a git revision to count as well, for comparison")
    parser.add_argument(
        "--part", action="append", choices=PARTS, help="count only this part (repeatable)"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        root, part, count = args.child
        child(root, part, int(count))
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed: apt-get install valgrind")

    sizes = {"sqlite": args.requests, "postgresql": args.requests, "sms": args.phones}
    base_dir = Path(tempfile.mkdtemp(prefix="bench-base-")) / "checkout"
    roots = {"this checkout": ROOT}
    try:
        if args.base:
            roots = {args.base: worktree(args.base, base_dir), **roots}
        print("Instructions per request in the app's process (callgrind; millions):")
        for part, label in PARTS.items():
            if args.part and part not in args.part:
                continue
            counts = {
                name: count_instructions(root, part, sizes[part]) for name, root in roots.items()
            }
            figures = "   ".join(f"{name} {n / 1e6:6.2f} M" for name, n in counts.items())
            change = ""
            if args.base:
                before, after = counts[args.base], counts["this checkout"]
                change = f"   change {(after - before) / before * 100:+5.1f}%"
            print(f"  {label:<37} {figures}{change}", flush=True)
    finally:
        if args.base:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_dir)],
                capture_output=True,
            )
            shutil.rmtree(base_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
