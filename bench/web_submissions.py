"""Completed web survey submissions per second under gunicorn, beside a bare Flask endpoint.

    .venv/bin/python bench/web_submissions.py [--responses 2000] [--warmup 100] [--workers 3]
                                              [--clients 8] [--rounds 3] [--floor]
                                              [--database sqlite|postgresql|both]
                                              [--base REF]

For each database (SQLite file, PostgreSQL) it migrates a fresh database,
loads the family survey, opens it, prepares N respondents who have answered
every page but the last, then times the final-page POST that validates the
last page and completes the response (one transaction) from concurrent
keep-alive clients. The same load runs against a bare Flask endpoint served
by gunicorn with the same settings, in the same run, in alternating rounds
(app, bare, app, bare, ...), and the median of the rounds' ratios is printed.
Afterwards it counts the stored responses: none may be missing or duplicated.
It also prints the bytes a phone downloads for the first survey page and any
third-party request it would make. `--floor` also times the same
completions done with the durable minimum (FLOOR_APP), to show how much of the
bare rate any completion leaves.

`--base REF` also serves a git revision of the app (from a temporary worktree,
on a database of its own that its own code migrated and prepared) in the same
rounds, and prints this checkout's rate against it: on a machine whose speed
drifts by 15% between runs, the way to see a change of a few percent. REF must
have this file's prepare_database(url, count, survey_file) and gunicorn.conf.py.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = "bench_web"
SURVEY_FILE = ROOT / "surveys" / "family-2026.yaml"

BARE_APP = """
from flask import Flask, redirect
app = Flask(__name__)

@app.post("/s/<slug>/p/<int:number>")
def page(slug, number):
    return redirect(f"/s/{slug}/thanks")
"""

# --floor: the least a durable completion can do (claim the draft, store the response and its
# answers, commit, redirect): no CSRF, session, validation or scoring. Shows what 30% allows.
# On PostgreSQL it writes the response and its answers in one statement, as the app does.
FLOOR_APP = """
import json
import os
import sqlalchemy as sa
from flask import Flask, abort, redirect, request

app = Flask(__name__)
engine = sa.create_engine(os.environ["FLOOR_DATABASE_URL"])
if engine.dialect.name == "sqlite":  # the app's own settings

    @sa.event.listens_for(engine, "connect")
    def _pragmas(connection, _record):
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute("PRAGMA " + pragma)
        cursor.close()

CLAIM = sa.text(
    "update response_draft set completed = true where token = :token and not completed"
    " returning id, answers"
)
RESPONSE = sa.text("insert into bench_floor_response (draft_id) values (:draft) returning id")
ANSWER = sa.text(
    "insert into bench_floor_answer (response_id, key, value) values (:id, :key, :value)"
)
# PostgreSQL: the response and its answers in one statement, as the app writes them.
RESPONSE_WITH_ANSWERS = sa.text(
    "with response as (insert into bench_floor_response (draft_id) values (:draft) returning id)"
    " insert into bench_floor_answer (response_id, key, value)"
    " select response.id, answer.key, answer.value from response,"
    " unnest(cast(:keys as text[]), cast(:values as text[])) as answer(key, value)"
)

@app.post("/s/<slug>/p/<int:number>")
def page(slug, number):
    form = request.form.to_dict(flat=False)
    with engine.begin() as connection:
        draft = connection.execute(CLAIM, {"token": request.cookies.get("draft_" + slug)}).first()
        if draft is None:
            abort(409)
        stored = json.loads(draft[1]) if isinstance(draft[1], str) else draft[1]
        answers = {**stored, **{k: v for k, v in form.items() if k not in ("csrf_token", "action")}}
        values = [json.dumps(v) for v in answers.values()]
        if engine.dialect.name == "postgresql":
            arrays = {"draft": draft[0], "keys": list(answers), "values": values}
            connection.execute(RESPONSE_WITH_ANSWERS, arrays)
        else:
            response = connection.execute(RESPONSE, {"draft": draft[0]}).scalar_one()
            rows = [{"id": response, "key": k, "value": v} for k, v in zip(answers, values)]
            if rows:
                connection.execute(ANSWER, rows)
    return redirect(f"/s/{slug}/thanks")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


TICKS = os.sysconf("SC_CLK_TCK")
SERVERS: dict[int, Gunicorn] = {}  # by port: whose processes' CPU a load on that port counts


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) a process has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (backends, WAL writer, ...), read from /proc."""
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


def machine_idle() -> float:
    """Seconds all CPUs have spent idle or waiting for I/O since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return (int(fields[3]) + int(fields[4])) / TICKS


class CpuMeter:
    """CPU used during one load, split: server workers, PostgreSQL, load generator, idle.

    Where a rate's time goes on a shared 2-core machine: the server competes for the same
    cores with the database and with the clients sending the load.
    """

    def __init__(self, port: int):
        server = SERVERS.get(port)
        self.server = server.worker_pids() if server else []
        self.postgres = postgres_pids()
        self.start = self._read()

    def _read(self) -> dict[str, float]:
        return {
            "server": sum(map(process_cpu, self.server)),
            "postgres": sum(map(process_cpu, self.postgres)),
            "load": time.process_time(),
            "idle": machine_idle(),
        }

    def used(self) -> dict[str, float]:
        return {key: value - self.start[key] for key, value in self._read().items()}


class Gunicorn:
    def __init__(
        self, app: str, workers: int, env: dict, cwd: Path, threads: int = 1, root: Path = ROOT
    ):
        self.port = free_port()
        SERVERS[self.port] = self
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--workers",
                str(workers),
                # More than one thread: the gthread worker, which overlaps database waits.
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--keep-alive",
                "30",
                # The project's own settings file, for the app and the bare endpoint alike.
                "--config",
                str(root / "gunicorn.conf.py"),
            ],
            env=env,
            cwd=cwd,
        )
        wait_for(self.port)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *map(int, children.read_text().split())]

    def stop(self) -> None:
        SERVERS.pop(self.port, None)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def prepare_database(url: str, responses: int, survey_file: Path) -> list[tuple[str, str]]:
    """Migrate, seed, load the survey and make drafts ready for their last page."""
    import random

    from flask_migrate import upgrade
    from sqlalchemy.orm import Session

    from engagement import create_app
    from engagement.adapters.clock import system_clock
    from engagement.delivery.service import load_draft, save_answers, start_response, submit_page
    from engagement.demo import random_answers
    from engagement.extensions import db
    from engagement.models import Channel, SurveyStatus
    from engagement.seeding import load_framework, load_schools
    from engagement.surveys.flow import next_section, section_questions
    from engagement.surveys.store import load_template_files, set_status

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = db.engine
    rng = random.Random(7)
    drafts = []
    with Session(engine) as session:
        load_schools(session)
        load_framework(session)
        (result,), problems = load_template_files(session, [survey_file], system_clock)
        assert not problems, problems
        set_status(session, result.slug, SurveyStatus.OPEN)
        from engagement.delivery.service import find_open_survey

        definition = find_open_survey(session, result.slug, system_clock()).definition
        codes = ["jackson", "field", "blair", "muir", "madison", "webster"]
        for i in range(responses):
            draft = start_response(
                session,
                result.slug,
                codes[i % len(codes)],
                ["en", "es", "zh"][i % 3],
                Channel.WEB,
                system_clock,
            )
            answers = random_answers(definition, rng, draft.language)
            last = len(definition.sections) - 1
            while section_questions(definition, last, answers) == []:
                last -= 1
            before = {k: v for k, v in answers.items() if definition.section_of(k) < last}
            save_answers(session, draft.token, before, system_clock)
            index = 0
            while index is not None and index < last:
                index = submit_page(
                    session, load_draft(session, draft.token), index, {}, system_clock
                )
            final = {k: v for k, v in answers.items() if definition.section_of(k) == last}
            drafts.append((draft.token, result.slug, last, final))
            assert next_section(definition, answers, last) is None
    engine.dispose()
    return drafts


def form_body(pairs: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(pairs).encode()


class Client:
    """One phone: its cookies, its CSRF token and its final-page form."""

    def __init__(self, port: int, token: str, slug: str, last: int, final: dict):
        self.port, self.slug, self.number = port, slug, last + 1
        self.path = f"/s/{slug}/p/{self.number}"
        self.cookies = {f"draft_{slug}": token}
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", self.path, headers=self._headers())
        reply = connection.getresponse()
        html = reply.read().decode()
        for header, value in reply.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        connection.close()
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert match, html[:500]
        pairs = [("csrf_token", match.group(1)), ("action", "next")]
        for key, value in final.items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((key, str(item)))
        self.body = form_body(pairs)

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


def run_load(port: int, jobs, clients: int, check):
    """POST each job's requests in order from `clients` keep-alive connections.

    A job is a sequence of (path, headers, body): one respondent's final page, or one
    phone's texts. `check(reply, data)` says whether a reply is right: (ok, detail).
    Returns the wall time, every latency and the failures.
    """
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(jobs)

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                requests = queue.pop()
            for path, headers, body in requests:
                started = time.perf_counter()
                try:
                    connection.request("POST", path, body=body, headers=headers)
                    reply = connection.getresponse()
                    ok, detail = check(reply, reply.read())
                except (OSError, http.client.HTTPException) as error:
                    ok, detail = False, repr(error)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        failures.append(detail)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, failures


def interleaved(sides: dict[str, tuple[int, list]], rounds: int, clients: int, check) -> dict:
    """Run each side's jobs in `rounds` slices, taking the sides in turn slice by slice.

    A machine that speeds up or slows down during the run then affects every side
    alike. Returns, per side, the pooled (seconds, latencies, failures, CPU used) and
    each round's rate.
    """
    results = {
        label: {"seconds": 0.0, "latencies": [], "failures": [], "rates": [], "cpu": {}}
        for label in sides
    }
    for round_ in range(rounds):
        for label, (port, jobs) in sides.items():
            meter = CpuMeter(port)
            seconds, latencies, failures = run_load(port, jobs[round_::rounds], clients, check)
            result = results[label]
            for key, used in meter.used().items():
                result["cpu"][key] = result["cpu"].get(key, 0.0) + used
            result["seconds"] += seconds
            result["latencies"] += latencies
            result["failures"] += failures
            result["rates"].append(len(latencies) / seconds)
    return results


def compare(results: dict, labels: dict[str, str], target: str, shown=None) -> float:
    """Print the `shown` sides' pooled figures (default: all), and return the median ratio."""
    side, base = labels
    shown = labels if shown is None else {label: labels[label] for label in shown}
    for label, text in shown.items():
        result = results[label]
        report(text, result["seconds"], result["latencies"], result["failures"])
    for label, text in shown.items():
        cpu, count = results[label]["cpu"], len(results[label]["latencies"])
        print(
            f"    CPU per request, {text}: server {cpu['server'] / count * 1000:.2f} ms, "
            f"PostgreSQL {cpu['postgres'] / count * 1000:.2f} ms, "
            f"load generator {cpu['load'] / count * 1000:.2f} ms, "
            f"idle {cpu['idle'] / count * 1000:.2f} ms"
        )
    ratios = [a / b for a, b in zip(results[side]["rates"], results[base]["rates"], strict=True)]
    ratio = statistics.median(ratios)
    rounds = ", ".join(f"{r:.1%}" for r in ratios)
    print(f"  ratio {side}/{base}: {ratio:.1%}  (median of rounds {rounds}){target}")
    return ratio


def completed(reply, _data) -> tuple[bool, str]:
    """A final page's reply: the redirect to the thank-you page."""
    location = reply.getheader("Location", "")
    return reply.status == 302 and location.endswith("/thanks"), f"{reply.status} {location}"


def submissions(bodies: list[tuple[str, dict, bytes]]) -> list[list[tuple[str, dict, bytes]]]:
    """Each final-page POST as a job of its own, sent as a browser posts a form."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return [[(path, {**headers, **form}, body)] for path, headers, body in bodies]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, seconds: float, latencies: list[float], failures: list[str]) -> float:
    rate = len(latencies) / seconds
    print(
        f"  {label:<28} {rate:8.1f} req/s   p50 {percentile(latencies, 0.5) * 1000:7.1f} ms"
        f"   p99 {percentile(latencies, 0.99) * 1000:7.1f} ms   errors {len(failures)}"
    )
    for failure in failures[:3]:
        print(f"    e.g. {failure}")
    return rate


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href") and "stylesheet" in attrs.get("rel", ""):
            self.urls.append(attrs["href"])
        if tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("icon", "preload") and attrs.get("href"):
            self.urls.append(attrs["href"])


def page_weight(port: int, path: str) -> tuple[int, list[str], list[str]]:
    """Bytes of the page and everything it pulls in; URLs that leave this server."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers={"Accept-Language": "es"})
    html = connection.getresponse().read()
    parser = Assets()
    parser.feed(html.decode())
    total, fetched, third_party = len(html), [path], []
    css_urls = []
    for url in parser.urls:
        if url.startswith("data:"):
            continue
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != f"127.0.0.1:{port}":
            third_party.append(url)
            continue
        connection.request("GET", parts.path)
        body = connection.getresponse().read()
        total += len(body)
        fetched.append(parts.path)
        if parts.path.endswith(".css"):
            css_urls += re.findall(r"url\(([^)]+)\)", body.decode())
    for url in css_urls:
        url = url.strip("'\"")
        if url.startswith("data:"):
            continue
        if urlsplit(url).netloc:
            third_party.append(url)
            continue
        connection.request("GET", url)
        total += len(connection.getresponse().read())
        fetched.append(url)
    connection.close()
    return total, fetched, third_party


def drop_database(name: str) -> None:
    """Leave no benchmark database behind on the shared server."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_url() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    except psycopg.OperationalError as error:
        print(f"PostgreSQL unavailable ({error}); skipping it")
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100, help="extra submissions, not timed")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="alternating app/bare rounds")
    parser.add_argument("--survey", type=Path, default=SURVEY_FILE)
    parser.add_argument(
        "--floor", action="store_true", help="also time a minimal durable completion (FLOOR_APP)"
    )
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both", help="which to time"
    )
    parser.add_argument("--base", metavar="REF", help="also time this git revision of the app")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    (workdir / "bare_app.py").write_text(BARE_APP)
    print(
        f"gunicorn workers: {args.workers} x {args.threads} thread(s); "
        f"concurrent clients: {args.clients}; submissions per run: {args.responses}; "
        f"CPUs: {os.cpu_count()}"
    )

    databases = []
    if args.database != "postgresql":
        databases.append(("SQLite", f"sqlite:///{workdir / 'bench.db'}"))
    pg = postgres_url() if args.database != "sqlite" else None
    if pg:
        databases.append(("PostgreSQL", pg))

    base = checkout(args.base, workdir / "base") if args.base else None
    for label, url in databases:
        print(f"\n{label}: preparing {args.responses} respondents ...", flush=True)
        drafts = prepare_database(url, args.responses + args.warmup, args.survey)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
        app_server = Gunicorn("wsgi:app", args.workers, env, ROOT, args.threads)
        bare_server = Gunicorn("bare_app:app", args.workers, {**os.environ}, workdir, args.threads)
        base_server = base_url = None
        try:
            clients = [Client(app_server.port, *d) for d in drafts]
            bodies = [(c.path, c._headers(), c.body) for c in clients]
            bare_bodies = [(c.path, {}, c.body) for c in clients]
            # Warm the servers (imports, compiled statements, connection pools) untimed.
            warm = args.warmup
            run_load(app_server.port, submissions(bodies[:warm]), args.clients, completed)
            run_load(bare_server.port, submissions(bare_bodies[:warm]), args.clients, completed)
            drafts_before = draft_answers(url) if args.floor else {}
            sides = {
                "app": (app_server.port, submissions(bodies[warm:])),
                "bare": (bare_server.port, submissions(bare_bodies[warm:])),
            }
            if base:
                base_url = second_database(url, PG_BENCH_DB + "_base")
                base_server, base_bodies = serve_base(base, base_url, args)
                run_load(base_server.port, submissions(base_bodies[:warm]), args.clients, completed)
                sides["base"] = (base_server.port, submissions(base_bodies[warm:]))
            results = interleaved(sides, args.rounds, args.clients, completed)
            print(f"{label}: final-page submissions that complete a response")
            labels = {"app": "survey app (complete)", "bare": "bare Flask endpoint"}
            compare(results, labels, "  (target >= 30%)")
            if base:
                print(f"  {args.base} served in the same rounds:")
                base_labels = {"base": f"{args.base} (complete)", "bare": labels["bare"]}
                compare(results, base_labels, "", shown=["base"])
                compare(results, {"app": "app", "base": "base"}, "", shown=[])
            for where, submitted in ((url, len(drafts)), (base_url, len(drafts))):
                if where is None:
                    continue
                stored = count_responses(where)
                print(
                    f"  responses stored{' by the base' if where == base_url else ''}: {stored}"
                    f" of {submitted} submitted"
                    f" ({'none lost or duplicated' if stored == submitted else 'MISMATCH'})"
                )
            if label == "SQLite":
                weight, fetched, third = page_weight(
                    app_server.port, f"/s/{drafts[0][1]}?school=jackson&lang=es"
                )
                print(
                    f"\nFirst survey page as a phone loads it: {weight} bytes "
                    f"({weight / 1024:.1f} KB; target < 60 KB) in {len(fetched)} requests: "
                    f"{', '.join(fetched)}"
                )
                print(f"  third-party requests: {third or 'none'}")
            if args.floor:
                app_server.stop()
                bench_floor(url, workdir, args, drafts_before, bodies, bare_bodies, bare_server)
        finally:
            app_server.stop()
            bare_server.stop()
            if base_server:
                base_server.stop()
    if base:
        remove_checkout(base)
    shutil.rmtree(workdir, ignore_errors=True)
    if pg:
        drop_database(PG_BENCH_DB)
        drop_database(PG_BENCH_DB + "_base")


def checkout(ref: str, where: Path) -> Path:
    """A detached worktree of `ref`, served with this checkout's virtualenv."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(where), ref], cwd=ROOT, check=True
    )
    return where


def remove_checkout(where: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=True)


def second_database(url: str, name: str) -> str:
    """A database `name` beside `url` for the base revision: its own migrations may differ."""
    if url.startswith("sqlite"):
        return url.replace("bench.db", f"{name}.db")
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def run_in(base: Path, script: str, *args: str) -> bytes:
    """Run `script` in a process of its own on the base revision's code; what it printed."""
    env = {**os.environ, "PYTHONPATH": f"{base}:{base / 'bench'}"}
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=base, env=env, capture_output=True
    )
    if done.returncode:
        sys.exit(f"the base revision failed to prepare its database:\n{done.stderr.decode()}")
    return done.stdout


# Run on the base revision's code: migrates and prepares its database, prints the drafts.
PREPARE_BASE = """
import pickle, sys
from pathlib import Path
import web_submissions
drafts = web_submissions.prepare_database(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
sys.stdout.buffer.write(pickle.dumps(drafts))
"""


def serve_base(base: Path, url: str, args) -> tuple[Gunicorn, list]:
    """The base revision migrated, prepared and served; its respondents' final-page requests."""
    import pickle

    count, survey = str(args.responses + args.warmup), str(base / args.survey.relative_to(ROOT))
    drafts = pickle.loads(run_in(base, PREPARE_BASE, url, count, survey))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PYTHONPATH": str(base)}
    server = Gunicorn("wsgi:app", args.workers, env, base, args.threads, root=base)
    clients = [Client(server.port, *d) for d in drafts]
    return server, [(c.path, c._headers(), c.body) for c in clients]


def draft_answers(url: str) -> dict[str, object]:
    """Every draft's stored answers by token, so the floor can complete the same drafts again."""
    import sqlalchemy as sa

    from engagement.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select token, answers from response_draft")).all()
    engine.dispose()
    return dict(rows)


def bench_floor(url, workdir, args, drafts_before, bodies, bare_bodies, bare_server) -> None:
    """Time FLOOR_APP on the same drafts (reopened with their answers) beside the bare endpoint."""
    import json

    import sqlalchemy as sa

    from engagement.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    key = "serial primary key" if engine.dialect.name == "postgresql" else "integer primary key"
    with engine.begin() as connection:
        connection.execute(sa.text(f"create table bench_floor_response (id {key}, draft_id int)"))
        connection.execute(
            sa.text(
                f"create table bench_floor_answer (id {key}, response_id int, key text, value text)"
            )
        )
        connection.execute(
            sa.text(
                "update response_draft set completed = false, answers = :answers"
                " where token = :token"
            ),
            [
                {"token": t, "answers": json.dumps(a) if not isinstance(a, str) else a}
                for t, a in drafts_before.items()
            ],
        )
    engine.dispose()
    env = {**os.environ, "FLOOR_DATABASE_URL": normalise_database_url(url)}
    (workdir / "floor_app.py").write_text(FLOOR_APP)
    server = Gunicorn("floor_app:app", args.workers, env, workdir, args.threads)
    try:
        run_load(server.port, submissions(bodies[: args.warmup]), args.clients, completed)
        results = interleaved(
            {
                "floor": (server.port, submissions(bodies[args.warmup :])),
                "bare": (bare_server.port, submissions(bare_bodies[args.warmup :])),
            },
            args.rounds,
            args.clients,
            completed,
        )
    finally:
        server.stop()
    compare(results, {"floor": "floor (durable minimum)", "bare": "bare Flask endpoint"}, "")


def count_responses(url: str) -> int:
    import sqlalchemy as sa

    from engagement.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        count = connection.execute(sa.text("select count(*) from response")).scalar_one()
    engine.dispose()
    return count


if __name__ == "__main__":
    main()
