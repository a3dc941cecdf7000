"""`make bench`'s last step, and the scratch databases of the smaller benchmarks.

    python -m changing_lives.devtools.bench.report seed    # bench_seed in a scratch database
    python -m changing_lives.devtools.bench.report search  # seed_demo 30,000 + bench_family_search
    python -m changing_lives.devtools.bench.report write   # docs/performance.md from var/bench/

Each benchmark prints its section of docs/performance.md (`--markdown`) into var/bench/,
NAME.md. `write` rewrites docs/performance.md: a header naming the machine (CPUs, memory,
CPU model, PostgreSQL and Python versions, date), then the sections in the document's
order, each replaced by its new version where var/bench/ has one and kept as it is where
not (a benchmark not run this time, or one that prints no Markdown yet), and new sections
added at the end.
"""

import argparse
import contextlib
import datetime
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BENCH_DIR = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "performance.md"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
# Where each benchmark's section goes, by the file it writes in var/bench/.
ORDER = ("seed", "search", "nis", "web", "purge")

HEADER = """\
# Performance

Measured figures, with the command that produced them and the machine they came from, so
anyone can run them again and compare. `make bench` runs every benchmark in turn and
rewrites this file (`changing_lives/devtools/bench/report.py`): each section's text is
kept in the generator, its figures are the last run's. A section whose benchmark was not
run keeps its figures and their date.

Machine of the last `make bench`: {machine}."""


def machine_line() -> str:
    """CPUs, CPU model, memory, PostgreSQL and Python versions, and today's date."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        kib = int(info.readline().split()[1])
    version = subprocess.run(
        ["psql", f"{SERVER}/postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f'{os.cpu_count()} CPUs (`nproc`), "{cpu}", {kib / 1024 / 1024:.0f} GB memory, '
        f"PostgreSQL {version or 'unknown'} on the same machine, Python "
        f"{platform.python_version()}; {datetime.date.today():%-d %B %Y}"
    )


def sections_of(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first `## ` heading, and each (heading, whole section)."""
    parts = re.split(r"(?m)^(?=## )", text)
    preamble, sections = parts[0], []
    for part in parts[1:]:
        sections.append((part.splitlines()[0].strip(), part.rstrip() + "\n"))
    return preamble, sections


def write(doc: Path = DOC, bench_dir: Path = BENCH_DIR) -> list[str]:
    """Rewrite `doc` with the sections in `bench_dir`; the headings that were new."""
    _, sections = sections_of(doc.read_text() if doc.exists() else "")
    fresh = {}
    for name in ORDER:
        path = bench_dir / f"{name}.md"
        if path.exists() and path.read_text().startswith("## "):
            section = path.read_text().rstrip() + "\n"
            fresh[section.splitlines()[0].strip()] = section
    renewed = list(fresh)
    merged = [fresh.pop(heading, section) for heading, section in sections]
    merged += list(fresh.values())
    doc.write_text(HEADER.format(machine=machine_line()) + "\n\n" + "\n".join(merged))
    return renewed


def psql(database: str, sql: str) -> None:
    subprocess.run(["psql", f"{SERVER}/{database}", "-qc", sql], check=True)


def scratch_environment(name: str) -> dict[str, str]:
    """The environment of a development process on database `name`."""
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"{SERVER}/{name}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@contextlib.contextmanager
def scratch_database(name: str, *, template: str | None = None) -> Iterator[dict[str, str]]:
    """A new database, freshly migrated (or a copy of `template`), dropped afterwards
    whatever happens; its environment."""
    psql("postgres", f"DROP DATABASE IF EXISTS {name}")
    psql("postgres", f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    env = scratch_environment(name)
    try:
        if template is None:
            manage(env, "migrate", "--no-input", "-v", "0")
        yield env
    finally:
        psql("postgres", f"DROP DATABASE IF EXISTS {name}")


def manage(env: dict[str, str], *arguments: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout


def bench_seed() -> str:
    with scratch_database("changing_lives_scale_seed") as env:
        return manage(env, "bench_seed", "--markdown")


def bench_search() -> str:
    with scratch_database("changing_lives_scale_search") as env:
        manage(env, "seed_demo", "--families", "30000")
        psql("changing_lives_scale_search", "VACUUM ANALYZE")
        return manage(env, "bench_family_search", "--markdown")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks' sections of docs/performance.md")
    parser.add_argument("step", choices=["seed", "search", "write"])
    args = parser.parse_args(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.step == "write":
        renewed = write()
        print(f"wrote {DOC.relative_to(ROOT)}; new figures: {', '.join(renewed) or 'none'}")
        return 0
    section = bench_seed() if args.step == "seed" else bench_search()
    (BENCH_DIR / f"{args.step}.md").write_text(section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
