"""`make bench-web`: the main pages under load, at a large authority's size and at 250,000
families, with production settings: the figures of docs/performance.md, "Web pages under
load".

For 30,000 and for 250,000 families, each in a scratch database of its own (dropped at the
end, whatever happens): migrate; make the authority's caseworkers; seed_demo (timed: the
issue's 15-minute target at 250,000); make a verified session for each of the simulated
users and draw the records they visit. Then start a gunicorn for each as in production
(DEBUG off, sync workers, loopback) and run locust headless, 20 users for 60 seconds over
the mix in locustfile.py, a round at each size in turn, three times. Prints, per page,
requests, errors, median and p95 at each size and the ratio of the p95s; exits 1 if any
request failed.

Only loopback addresses are used, and every run is bounded in time.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
# A GSS code of the right shape that no real authority has.
AUTHORITY = "E10999997"
PAGES = (
    "family list",
    "search by name",
    "search by NINO",
    "family page",
    "assessment page",
    "progress return page",
    "progress return save",
    "home",
)
# The first of the Redis databases the sizes use, one each (the tests use others).
REDIS_DATABASE = 7
TARGET_P95_MS = 150.0
TARGET_RATIO = 1.5
OTHER_BENCHMARKS = "seed_demo|bench_nis|bench_seed|bench_family_search|gunicorn|locust"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class PageFigures:
    requests: int = 0
    errors: int = 0
    median: float = 0.0  # of every request of every round
    p95: float = 0.0  # the median of the rounds' p95s
    p95_rounds: list[float] = field(default_factory=list)


def page_figures(rounds: list[list[tuple[float, bool]]]) -> PageFigures:
    """One page's figures from its requests (ms, failed) in each round. A page has about
    a hundred requests in a 60-second round, so one round's p95 is its fifth-slowest
    request, and one stall moves it by half: the median of the rounds' p95s is the figure,
    each round's is shown beside it."""
    every = [ms for requests in rounds for ms, _failed in requests]
    p95s = [percentile([ms for ms, _ in requests], 0.95) for requests in rounds if requests]
    return PageFigures(
        requests=len(every),
        errors=sum(failed for requests in rounds for _ms, failed in requests),
        median=statistics.median(every) if every else math.nan,
        p95=statistics.median(p95s) if p95s else math.nan,
        p95_rounds=p95s,
    )


@dataclass
class LoadRun:
    families: int
    individuals: int = 0
    seed_seconds: float = 0.0
    pages: dict[str, PageFigures] = field(default_factory=dict)
    seconds: float = 0.0
    others: list[str] = field(default_factory=list)
    load_average: str = ""
    caseload: str = ""

    @property
    def errors(self) -> int:
        return sum(page.errors for page in self.pages.values())

    @property
    def requests(self) -> int:
        return sum(page.requests for page in self.pages.values())


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="bench-web-"))
        self.base = {
            **os.environ,
            "SECRET_KEY": "bench-web-secret-key-scratch-database-only",
            "REFERENCE_HMAC_KEY": "bench-web-reference-key",
            "STATIC_ROOT": str(self.work / "static"),
            "PYTHONUNBUFFERED": "1",
        }
        self.base.pop("DJANGO_SETTINGS_MODULE", None)
        self.size = 0  # the families of the database the steps below work on

    # --- Each size has its own database and Redis database ------------------------------
    def database(self, families: int | None = None) -> str:
        return f"{self.args.database}_{families or self.size}"

    @property
    def env(self) -> dict[str, str]:
        # Its own Redis database too: the list's cached total is keyed by the authority's
        # id, which is the same in both scratch databases.
        index = sorted(self.sizes()).index(self.size)
        return {
            **self.base,
            "DATABASE_URL": f"{SERVER}/{self.database()}",
            "REDIS_URL": f"{self.args.redis}/{REDIS_DATABASE + index}",
        }

    @property
    def development(self) -> dict[str, str]:
        return {**self.env, "DEBUG": "true"}

    @property
    def production(self) -> dict[str, str]:
        # As in production (Dockerfile): DEBUG off, so __Host- cookies, JSON logs, the
        # manifest static files; only the https redirect is off, as there is no TLS here.
        return {
            **self.env,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
        }

    def sizes(self) -> list[int]:
        return [families for families in (self.args.families, self.args.large) if families]

    # --- Steps -------------------------------------------------------------------------
    def run(self, command: list[str], env: dict[str, str], **kwargs: Any) -> str:
        result = subprocess.run(
            command, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs
        )
        return result.stdout

    def psql(self, database: str, sql: str) -> str:
        return self.run(["psql", f"{SERVER}/{database}", "-Atq", "-c", sql], self.base)

    def database_create(self) -> None:
        self.psql("postgres", f"DROP DATABASE IF EXISTS {self.database()}")
        self.psql("postgres", f"CREATE DATABASE {self.database()}")

    def databases_drop(self) -> None:
        for families in self.sizes():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.psql("postgres", f"DROP DATABASE IF EXISTS {self.database(families)}")

    def manage(self, *arguments: str, env: dict[str, str] | None = None) -> str:
        return self.run([PYTHON, "manage.py", *arguments], env or self.development)

    def web_data(self, *arguments: str) -> str:
        return self.run(
            [PYTHON, "-m", "changing_lives.devtools.bench.web_data", *arguments], self.development
        )

    def prepare(self) -> None:
        self.say(f"scratch database {self.database()}: migrate, collectstatic")
        self.database_create()
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0", env=self.production)

    def seed(self, families: int) -> float:
        """Staff for `families`, then seed_demo up to `families`; seconds of seed_demo."""
        self.say(
            self.web_data(
                "staff",
                "--la",
                AUTHORITY,
                "--families",
                str(families),
                "--per-caseworker",
                str(self.args.families_per_caseworker),
                "--at-least",
                str(self.args.users),
            ).strip()
        )
        self.say(f"seed_demo --families {families} --la {AUTHORITY} ...")
        started = time.perf_counter()
        self.manage("seed_demo", "--families", str(families), "--la", AUTHORITY)
        seconds = time.perf_counter() - started
        self.say(f"seed_demo --families {families}: {seconds:.1f} s")
        # Autovacuum may be off on a development server: the planner needs statistics, as
        # it has in production after autovacuum's analyse.
        self.psql(self.database(), "VACUUM ANALYZE")
        return seconds

    def counts(self) -> tuple[int, int]:
        families = int(self.psql(self.database(), "SELECT count(*) FROM families_family"))
        individuals = int(self.psql(self.database(), "SELECT count(*) FROM families_individual"))
        return families, individuals

    @contextlib.contextmanager
    def server(self, port: int) -> Iterator[str]:
        """gunicorn on `port` for the current size's database, until the block ends."""
        log = (self.work / f"gunicorn-{self.size}.log").open("a")
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "changing_lives.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.args.workers),
            ],
            env=self.production,
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    # Any answer will do: /healthz says 503 without a Celery worker.
                    with urllib.request.urlopen(f"{url}/healthz", timeout=5):  # noqa: S310
                        break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(
                            f"gunicorn did not start: see {self.work / 'gunicorn.log'}"
                        ) from None
                    time.sleep(0.5)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()

    def locust(self, url: str, data: Path, times: Path, seconds: int) -> None:
        env = {
            **self.env,
            "BENCH_WEB_DATA": str(data),
            "BENCH_WEB_TIMES": str(times),
            "BENCH_WEB_THINK": self.args.think,
        }
        command = [
            str(VENV_BIN / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(self.args.users),
            "--spawn-rate",
            str(self.args.users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        # Locust exits 1 when a request failed: the figures say which, so go on.
        subprocess.run(
            command,
            env=env,
            cwd=ROOT,
            check=False,
            stdout=(self.work / "locust.log").open("a"),
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
        )

    def ready(self, families: int) -> LoadRun:
        """A new scratch database seeded with `families`, and its users' sessions and the
        records they visit drawn."""
        self.size = families
        self.prepare()
        run = LoadRun(families=families, seed_seconds=self.seed(families))
        run.families, run.individuals = self.counts()
        data = self.data(families)
        self.say(
            self.web_data(
                "sessions",
                "--la",
                AUTHORITY,
                "--users",
                str(self.args.users),
                "--out",
                str(data),
            ).strip()
        )
        caseloads = [user["caseload"] for user in json.loads(data.read_text())["users"]]
        run.caseload = f"{min(caseloads):,} to {max(caseloads):,}"
        return run

    def data(self, families: int) -> Path:
        return self.work / f"data-{families}.json"

    def measure(self, sized: dict[int, LoadRun]) -> None:
        """The rounds of load, each size's in turn (30,000, 250,000, 30,000, ...), each size
        served by its own gunicorn: the machine's CPUs are shared, and a spell of other work
        on them slowed one size's figures and not the other's when each size had its rounds
        together (docs/performance.md)."""
        rounds: dict[int, dict[str, list[list[tuple[float, bool]]]]] = {
            families: {name: [] for name in PAGES} for families in sized
        }
        ports = [self.args.port + offset for offset in range(len(sized))]
        with contextlib.ExitStack() as servers:
            urls = {}
            for port, families in zip(ports, sized, strict=True):
                self.size = families
                urls[families] = servers.enter_context(self.server(port))
                # Warm up: every worker imports its templates and opens its connection.
                warm = self.work / f"warm-{families}.json"
                self.locust(urls[families], self.data(families), warm, self.args.warmup)
            others = others_running(own_ports=ports)
            for number in range(1, self.args.rounds + 1):
                for families, run in sized.items():
                    self.say(
                        f"load, round {number} of {self.args.rounds}: {self.args.users} users "
                        f"for {self.args.duration} s at {run.families:,} families "
                        f"({self.args.workers} gunicorn workers)"
                    )
                    times = self.work / f"times-{families}-{number}.json"
                    started = time.perf_counter()
                    self.locust(urls[families], self.data(families), times, self.args.duration)
                    run.seconds += time.perf_counter() - started
                    for requests in rounds[families].values():
                        requests.append([])
                    for name, ms, error in json.loads(times.read_text()):
                        if name in rounds[families]:
                            rounds[families][name][-1].append((ms, bool(error)))
                    run.load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        for families, run in sized.items():
            run.others = others
            for name in PAGES:
                run.pages[name] = page_figures(rounds[families][name])

    def say(self, text: str) -> None:
        print(text, flush=True)

    def main(self) -> int:
        others = others_running()
        waited = 0
        while others and waited < self.args.wait:
            # Another benchmark would take CPU from this one's server and skew its figures.
            self.say(f"waiting for other benchmarks ({waited} of {self.args.wait} minutes):")
            for line in others:
                self.say(f"  {line}")
            time.sleep(60)
            waited += 1
            others = others_running()
        if others:
            self.say("other benchmarks running now (figures may be skewed):")
            for line in others:
                self.say(f"  {line}")
        runs: list[LoadRun] = []
        try:
            # Each size from an empty database, as `seed_demo --families N` is timed by the
            # issue. Seeding the second size on top of the first made the first size's
            # caseworkers lead twice the families of the rest (seed_demo names the lead
            # professionals in turn): the 250,000 run measured bigger caseloads as well as
            # a bigger table (docs/performance.md).
            sized = {families: self.ready(families) for families in self.sizes()}
            self.measure(sized)
            runs = list(sized.values())
        except subprocess.CalledProcessError as error:
            self.say(f"failed: {' '.join(map(str, error.cmd))}\n{error.stdout}\n{error.stderr}")
            return 2
        finally:
            if not self.args.keep_database:
                self.databases_drop()
            self.say(f"logs: {self.work}")
        self.say("\n" + table(runs))
        self.say(verdict(runs))
        if self.args.markdown:
            self.args.markdown.write_text(markdown(runs, self.args))
            self.say(f"markdown: {self.args.markdown}")
        failed = any(run.errors for run in runs)
        if not self.args.keep_logs and not failed:
            shutil.rmtree(self.work, ignore_errors=True)
        return 1 if failed else 0


def others_running(own_ports: Sequence[int] = ()) -> list[str]:
    """Other benchmarks (or servers) on the machine, which would compete for its 2 CPUs;
    not this run's own gunicorns, bound to `own_ports`."""
    found = subprocess.run(
        ["pgrep", "-af", OTHER_BENCHMARKS], capture_output=True, text=True, check=False
    ).stdout
    me = {str(os.getpid())}
    return [
        line
        for line in found.splitlines()
        if line.split(" ", 1)[0] not in me
        and "pgrep" not in line
        and "changing_lives/devtools/bench" not in line
        and "bench-web-" not in line
        and not any(f"127.0.0.1:{port}" in line for port in own_ports)
    ]


def ratio(large: float, small: float) -> float:
    return large / small if small else math.nan


def table(runs: list[LoadRun]) -> str:
    header = f"{'page':<22}"
    for run in runs:
        header += f" | {run.families:>7,} fam: {'reqs':>5} {'err':>3} {'median':>7} {'p95':>7}"
    if len(runs) == 2:
        header += " | p95 ratio"
    lines = [header]
    for name in PAGES:
        line = f"{name:<22}"
        for run in runs:
            page = run.pages[name]
            line += (
                f" | {'':>12} {page.requests:>5} {page.errors:>3} "
                f"{page.median:>7.1f} {page.p95:>7.1f}"
            )
        if len(runs) == 2:
            line += f" | {ratio(runs[1].pages[name].p95, runs[0].pages[name].p95):>9.2f}"
        lines.append(line)
    return "\n".join(lines)


def verdict(runs: list[LoadRun]) -> str:
    lines = []
    for run in runs:
        slow = [name for name, page in run.pages.items() if not page.p95 < TARGET_P95_MS]
        lines.append(
            f"{run.families:,} families: {run.requests:,} requests, {run.errors} errors, "
            f"seed_demo {run.seed_seconds:.0f} s; p95 over {TARGET_P95_MS:g} ms: "
            f"{', '.join(slow) or 'none'}"
        )
    if len(runs) == 2:
        over = [
            name
            for name in PAGES
            if not ratio(runs[1].pages[name].p95, runs[0].pages[name].p95) <= TARGET_RATIO
        ]
        lines.append(f"p95 ratio over {TARGET_RATIO:g}: {', '.join(over) or 'none'}")
    return "\n".join(lines)


def machine() -> str:
    """nproc, memory, CPU model, PostgreSQL and Python versions, for the figures' header."""
    from changing_lives.devtools.bench.report import machine_line

    return machine_line()


def markdown(runs: list[LoadRun], args: argparse.Namespace) -> str:
    from changing_lives.devtools.bench.sections import web_section

    return web_section(runs, args, machine())


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--families", type=int, default=30_000)
    parser.add_argument(
        "--large", type=int, default=250_000, help="second run's families (0: no second run)"
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of load at each size")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of unmeasured load")
    parser.add_argument(
        "--think", default="0.5,1.5", help="seconds between a user's pages, 'low,high'"
    )
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--families-per-caseworker", type=int, default=500)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database", default="changing_lives_scale_web", help="scratch databases' prefix"
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379",
        help=f"Redis server: databases {REDIS_DATABASE} and on, one per size",
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--markdown", type=Path, help="write the Markdown section here")
    parser.add_argument(
        "--wait",
        type=int,
        default=60,
        help="minutes to wait for other benchmarks to finish before starting (default 60)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    if platform.system() != "Linux":
        print("bench-web reads /proc: Linux only", file=sys.stderr)
    return Bench(arguments(argv)).main()


if __name__ == "__main__":
    sys.exit(main())
