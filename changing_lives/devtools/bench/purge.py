"""`make bench-purge`: the purge of 30,000 families due against a plain SQL delete of the same
rows, and its peak memory at 3,000 and at 30,000 families: the figures of
docs/performance.md, "The purge".

A template database is made once (report.scratch_database: dropped at the end, whatever
happens): migrated, two
authorities seeded by seed_demo (3,000 and 30,000 families, with their members,
assessments, support, status histories and progress returns), then every family made due
and every hold lifted (`manage.py bench_purge --due`). Each measurement runs in a fresh
process (`manage.py bench_purge --mode ...`) against a fresh copy of the template
(`CREATE DATABASE ... TEMPLATE`), dropped after it: the purge, the plain delete, and a
process that only starts Django (the memory baseline). Rounds alternate the two, so a
busy machine slows each alike; medians of --runs rounds.

Prints counts, seconds and megabytes only, never a record.
"""

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from changing_lives.devtools.bench.report import machine_line, manage, psql, scratch_database

# GSS codes of the right shape that no real authority has.
SMALL, LARGE = "E10999994", "E10999995"
TARGET_RATIO = 2.0
MB = 1000


@dataclass
class Size:
    gss_code: str
    families: int
    seconds: dict[str, list[float]] = field(default_factory=lambda: {"purge": [], "sql": []})
    peak_kb: dict[str, list[int]] = field(
        default_factory=lambda: {"purge": [], "sql": [], "idle": []}
    )
    deleted: dict[str, dict[str, int]] = field(default_factory=dict)

    def median(self, mode: str) -> float:
        return statistics.median(self.seconds[mode])

    def peak_mb(self, mode: str) -> float:
        return statistics.median(self.peak_kb[mode]) / MB


def measure(env: dict[str, str], gss_code: str, mode: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(
        manage(env, "bench_purge", "--la", gss_code, "--mode", mode).strip().splitlines()[-1]
    )
    return report


def run(args: argparse.Namespace) -> list[Size]:
    template = f"{args.database}_template"
    sizes = [Size(SMALL, args.small), Size(LARGE, args.large)]
    with scratch_database(template) as env:
        for size in sizes:
            say(f"seed_demo --families {size.families} --la {size.gss_code} ...")
            manage(env, "seed_demo", "--families", str(size.families), "--la", size.gss_code)
            say(manage(env, "bench_purge", "--la", size.gss_code, "--due").strip())
        psql(template, "VACUUM ANALYZE")
        for round_number in range(args.runs):
            for size in sizes:
                # Alternate which goes first, so neither always meets a warmer cache.
                modes = ("sql", "purge") if round_number % 2 == 0 else ("purge", "sql")
                for mode in (*modes, "idle"):
                    with scratch_database(args.database, template=template) as copy:
                        report = measure(copy, size.gss_code, mode)
                    size.peak_kb[mode].append(report["peak_rss_kb"])
                    if mode != "idle":
                        size.seconds[mode].append(report["seconds"])
                        size.deleted[mode] = report["deleted"]
                    say(
                        f"round {round_number + 1}/{args.runs} {size.families:,} families "
                        f"{mode}: {report['seconds']:.1f} s, "
                        f"peak {report['peak_rss_kb'] / MB:.0f} MB"
                    )
    return sizes


def table(sizes: list[Size]) -> str:
    lines = [
        f"{'families':>8} {'rows':>10} {'SQL s':>8} {'purge s':>8} {'ratio':>6} "
        f"{'purge MB':>9} {'SQL MB':>7} {'idle MB':>8} {'same rows':>9}"
    ]
    for size in sizes:
        same = size.deleted["purge"] == size.deleted["sql"]
        lines.append(
            f"{size.families:>8,} {sum(size.deleted['sql'].values()):>10,} "
            f"{size.median('sql'):8.1f} {size.median('purge'):8.1f} "
            f"{size.median('purge') / size.median('sql'):6.2f} {size.peak_mb('purge'):9.0f} "
            f"{size.peak_mb('sql'):7.0f} {size.peak_mb('idle'):8.0f} {'yes' if same else 'NO':>9}"
        )
    return "\n".join(lines)


def say(text: str) -> None:
    print(text, flush=True)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--small", type=int, default=3_000, help="families of the first size")
    parser.add_argument("--large", type=int, default=30_000, help="families of the second")
    parser.add_argument("--runs", type=int, default=2, help="rounds (medians)")
    parser.add_argument("--database", default="changing_lives_purge_bench")
    parser.add_argument("--markdown", type=Path, help="write the Markdown section here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from changing_lives.devtools.bench.sections import purge_section

    args = arguments(argv)
    try:
        sizes = run(args)
    except subprocess.CalledProcessError as error:
        say(f"failed: {' '.join(map(str, error.cmd))}\n{error.stdout or ''}")
        return 2
    say("\n" + table(sizes))
    if any(size.deleted["purge"] != size.deleted["sql"] for size in sizes):
        say("the purge and the plain delete removed different rows: the figures compare unlike")
        return 1
    if args.markdown:
        args.markdown.write_text(purge_section(sizes, args.runs, machine_line()))
        say(f"markdown: {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
