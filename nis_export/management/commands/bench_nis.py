"""Time the NIS build against PostgreSQL's own COPY of the same rows, and measure the
build's peak memory: the figures in docs/performance.md ("National Impact Study build").

    manage.py bench_nis --la E06000097 [--la E06000098 ...] [--snapshot YYYY-MM-DD]
                        [--runs 3] [--warmup 1] [--key PUBLIC_KEY_FILE]

For each authority, in one run, interleaved round by round so that a busy machine slows
each alike:
- COPY: `COPY (SELECT ... ORDER BY ...) TO STDOUT (FORMAT csv, HEADER)` of each file's
  rows (the same rows and columns, from the same tables, in the same order as the files),
  streamed through psycopg's copy API into a sink that only counts bytes;
- the build without encryption: `nis_export.build.package_write`, the zip of both files and
  the manifest written to a sink that only counts bytes;
- the build with encryption: package_write into `encrypting_writer`, as submission_build
  runs it, to a throwaway recipient key (made by GnuPG in a temporary home that is deleted,
  private key and all, before any build runs) or to --key's.

Each build runs in a fresh process (this command in an internal mode), which times itself
from the build's first query to its last byte, and reports its own peak resident memory
(VmHWM: the worker's memory, GnuPG being a process of its own). A process that only starts
Django and loads the build's modules gives the baseline. Medians of --runs rounds, after
--warmup rounds that are not counted.

Development only (DEBUG): each build is a submission of the authority, in status
"building" while it runs (a real request for the authority would be refused meanwhile);
it is deleted with its validation issues once measured, and no package outlives a run.
Prints counts, sizes, seconds and megabytes only, never a record.
"""

import argparse
import datetime
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from changing_lives.authorities.models import LocalAuthority
from changing_lives.devtools.bench.process import peak_rss_kb
from nis_export.build import package_write
from nis_export.extract import families_in_extract
from nis_export.models import Submission, SubmissionStatus
from nis_export.openpgp import GPG, KeyRejected, encrypting_writer, key_inspect
from nis_export.sql import copy_parameters, copy_to, fpd_sql, individuals_sql

INDIVIDUALS = "nis_individuals.csv"
FPD = "fpd_progress.csv"
FILES = (INDIVIDUALS, FPD)
MB = 1_000_000
CHILD_MODES = ("plain", "encrypted", "idle")


class CountingSink(io.RawIOBase):
    """A stream that keeps nothing but a count of the bytes written to it, and the last
    few kilobytes (where a zip keeps its directory, read for its files' sizes)."""

    TAIL = 1 << 16

    def __init__(self) -> None:
        self.size = 0
        self.tail = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        self.size += size
        self.tail += data
        if len(self.tail) > 4 * self.TAIL:
            del self.tail[: -self.TAIL]
        return size

    def zip_sizes(self) -> dict[str, int]:
        """The uncompressed size of each file of the zip written here, from its directory."""
        with zipfile.ZipFile(io.BytesIO(bytes(self.tail[-self.TAIL :]))) as archive:
            return {info.filename: info.file_size for info in archive.infolist()}


# --- One build, in a process of its own --------------------------------------------------


def build_once(
    authority: LocalAuthority, snapshot: datetime.date, mode: str, key: str
) -> dict[str, Any]:
    """Run one build (mode "plain": to a counting sink; "encrypted": into GnuPG, to a file in
    a temporary folder) on a submission made for it, then delete the submission."""
    now = timezone.now()
    # Made here, not by submission_create: that would need the key in RecipientKey, where
    # every real build would encrypt to it too.
    submission = Submission.objects.create(
        local_authority=authority,
        snapshot_on=snapshot,
        status=SubmissionStatus.BUILDING,
        started_at=now,
        heartbeat_at=now,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-nis-") as folder:
            start = time.perf_counter()
            if mode == "plain":
                sink = CountingSink()
                result = package_write(submission, cast(IO[bytes], sink))  # a RawIOBase
                seconds = time.perf_counter() - start
                written, sizes = sink.size, sink.zip_sizes()
            else:
                package = Path(folder) / "package.partial"
                with encrypting_writer(destination=package, recipient_keys=[key]) as gpg_input:
                    result = package_write(submission, gpg_input)
                seconds = time.perf_counter() - start  # GnuPG has finished: the file is whole
                written, sizes = package.stat().st_size, {}
    finally:
        submission.delete()  # and its validation issues
    return {
        "seconds": seconds,
        "rows": {name: result.manifest["files"][name]["rows"] for name in FILES},
        "written": written,
        "sizes": sizes,
        "errors": result.errors,
        "warnings": result.warnings,
    }


def _database_url() -> str:
    """This process's database, for a child process: under a test runner the database is
    not the one the environment names."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_run(arguments: Sequence[str]) -> dict[str, Any]:
    """Run this command in a fresh process, and return its report."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_nis"]
    env = {**os.environ, "DATABASE_URL": _database_url()}
    process = subprocess.run(  # noqa: S603 - this interpreter and command, no shell
        [*command, *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    if process.returncode != 0:
        # Its error output is not shown: a traceback could quote a record.
        raise CommandError(
            f"a build process failed (exit {process.returncode}): run "
            f"`manage.py bench_nis {' '.join(arguments)}` to see why"
        )
    report: dict[str, Any] = json.loads(process.stdout.decode().strip().splitlines()[-1])
    return report


# --- The throwaway key -------------------------------------------------------------------


@contextmanager
def throwaway_key() -> Iterator[str]:
    """A public key made for this run: GnuPG makes the pair in a temporary home, deleted,
    private key and all, as soon as the public key is exported, so what is encrypted to it
    can never be read."""
    home = tempfile.mkdtemp(prefix="bench-nis-gnupg-")
    os.chmod(home, 0o700)
    base = [GPG, "--batch", "--no-tty", "--quiet", "--homedir", home, "--passphrase", ""]

    def gpg(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 - a fixed binary and arguments, no shell
            [*base, *arguments], check=True, capture_output=True
        ).stdout.decode()

    try:
        user_id = "NIS benchmark, throwaway <bench-nis@invalid>"
        gpg("--quick-gen-key", user_id, "ed25519", "sign", "1d")
        listing = gpg("--with-colons", "--list-keys", user_id)
        fpr = next(line.split(":")[9] for line in listing.splitlines() if line[:3] == "fpr")
        gpg("--quick-add-key", fpr, "cv25519", "encr", "1d")
        public = gpg("--armor", "--export", fpr)
    finally:
        subprocess.run(  # noqa: S603 - the agent of this home only
            [str(Path(GPG).with_name("gpgconf")), "--homedir", home, "--kill", "gpg-agent"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)
    folder = tempfile.mkdtemp(prefix="bench-nis-key-")
    try:
        path = Path(folder) / "recipient.asc"
        path.write_text(public)
        yield str(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- Figures -----------------------------------------------------------------------------


@dataclass
class Figures:
    """One authority's measurements, a list per measure (one entry per timed round)."""

    authority: str
    families: int = 0
    copy_seconds: dict[str, list[float]] = field(default_factory=lambda: {f: [] for f in FILES})
    copy_bytes: dict[str, int] = field(default_factory=dict)
    copy_rows: dict[str, int] = field(default_factory=dict)
    build_seconds: dict[str, list[float]] = field(
        default_factory=lambda: {"plain": [], "encrypted": []}
    )
    peak_kb: dict[str, list[int]] = field(
        default_factory=lambda: {"plain": [], "encrypted": [], "idle": []}
    )
    build: dict[str, Any] = field(default_factory=dict)  # the last plain build's report
    package_bytes: int = 0

    def copy_total(self) -> float:
        return statistics.median(sum(run) for run in zip(*self.copy_seconds.values(), strict=True))

    def median(self, mode: str) -> float:
        return statistics.median(self.build_seconds[mode])

    def peak_mb(self, mode: str) -> float:
        return statistics.median(self.peak_kb[mode]) * 1024 / MB


def _n(value: float) -> str:
    return f"{value:,.0f}"


class Command(BaseCommand):
    help = "Time the NIS build (without and with encryption) against COPY of the same rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--la",
            action="append",
            required=True,
            help="GSS code of an authority to measure; give it more than once to compare "
            "peak memory across sizes",
        )
        parser.add_argument(
            "--snapshot",
            type=datetime.date.fromisoformat,
            default=None,
            help="the submission date, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--runs", type=int, default=3, help="timed rounds (median)")
        parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
        parser.add_argument(
            "--key", help="an armored public key file to encrypt to (default: a throwaway key)"
        )
        parser.add_argument(
            "--markdown",
            type=Path,
            help="also write the figures as docs/performance.md's section to this file",
        )
        parser.add_argument("--child", choices=CHILD_MODES, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "bench_nis only runs with DEBUG=true: it builds submissions of the authority "
                "(deleted once measured), which would hold up a real request meanwhile."
            )
        snapshot: datetime.date = options["snapshot"] or timezone.localdate()
        authorities = [self.authority(code) for code in options["la"]]
        if options["child"]:
            self.child(authorities[0], snapshot, options["child"], options["key"])
            return
        if options["runs"] < 1 or options["warmup"] < 0:
            raise CommandError("--runs must be 1 or more and --warmup 0 or more")
        if options["key"]:
            try:
                key_inspect(Path(options["key"]).read_text())
            except (OSError, KeyRejected) as error:
                raise CommandError(f"--key: {error}") from error
            results = self.measure_all(authorities, snapshot, options, options["key"])
        else:
            with throwaway_key() as key:
                results = self.measure_all(authorities, snapshot, options, key)
        if options["markdown"]:
            from changing_lives.devtools.bench.report import machine_line
            from changing_lives.devtools.bench.sections import nis_section

            options["markdown"].write_text(
                nis_section(results, snapshot, options["runs"], machine_line())
            )

    def authority(self, code: str) -> LocalAuthority:
        try:
            return LocalAuthority.objects.get(gss_code=code.strip().upper())
        except LocalAuthority.DoesNotExist as error:
            raise CommandError(f"No local authority has GSS code {code}") from error

    def child(
        self, authority: LocalAuthority, snapshot: datetime.date, mode: str, key: str | None
    ) -> None:
        report: dict[str, Any] = {}
        # As in a worker: DEBUG keeps every SQL statement in memory (the last 9,000), which
        # would show as memory growing with the number of rows.
        settings.DEBUG = False
        if mode != "idle":
            armored = Path(key).read_text() if key else ""
            report = build_once(authority, snapshot, mode, armored)
        report["peak_rss_kb"] = peak_rss_kb()
        self.stdout.write(json.dumps(report))

    def measure_all(
        self,
        authorities: list[LocalAuthority],
        snapshot: datetime.date,
        options: dict[str, Any],
        key: str,
    ) -> list[Figures]:
        from changing_lives.devtools.bench.report import machine_line

        self.stdout.write(
            f"Machine: {machine_line()}; load average {os.getloadavg()[0]:.2f} at the start"
        )
        self.stdout.write(
            f"Snapshot {snapshot.isoformat()}; {options['runs']} timed round(s) after "
            f"{options['warmup']} warm-up round(s); medians"
        )
        results = [
            self.measure(authority, snapshot, options["runs"], options["warmup"], key)
            for authority in authorities
        ]
        self.stdout.write(f"Load average {os.getloadavg()[0]:.2f} at the end")
        if len(results) > 1:
            smallest = min(results, key=lambda f: f.build["rows"][INDIVIDUALS])
            largest = max(results, key=lambda f: f.build["rows"][INDIVIDUALS])
            self.stdout.write("")
            self.stdout.write(
                f"Peak RSS, {smallest.authority} "
                f"({_n(smallest.build['rows'][INDIVIDUALS])} individuals) against "
                f"{largest.authority} ({_n(largest.build['rows'][INDIVIDUALS])}):"
            )
            for mode in ("plain", "encrypted", "idle"):
                small, large = smallest.peak_mb(mode), largest.peak_mb(mode)
                self.stdout.write(
                    f"  {self.LABELS[mode]:<28} {small:7.1f} MB -> {large:7.1f} MB, "
                    f"ratio {large / small:.2f}"
                )
        return results

    LABELS = {
        "plain": "build, no encryption",
        "encrypted": "build, with encryption",
        "idle": "process, no build",
    }

    def measure(
        self, authority: LocalAuthority, snapshot: datetime.date, runs: int, warmup: int, key: str
    ) -> Figures:
        figures = Figures(authority.gss_code)
        figures.families = families_in_extract(authority, snapshot).count()
        parameters = copy_parameters(authority, snapshot)
        sqls = {INDIVIDUALS: individuals_sql(), FPD: fpd_sql()}
        child = ["--la", authority.gss_code, "--snapshot", snapshot.isoformat()]
        for round_number in range(warmup + runs):
            timed = round_number >= warmup
            line = [f"{authority.gss_code} round {round_number + 1}/{warmup + runs}"]
            line.append("(warm-up)" if not timed else "")
            for name, sql in sqls.items():
                sink = CountingSink()
                start = time.perf_counter()
                rows = copy_to(sink, sql, parameters)
                seconds = time.perf_counter() - start
                figures.copy_rows[name], figures.copy_bytes[name] = rows, sink.size
                line.append(f"COPY {name} {seconds:.1f} s")
                if timed:
                    figures.copy_seconds[name].append(seconds)
            for mode in ("plain", "encrypted", "idle"):
                report = child_run([*child, "--child", mode, "--key", key])
                if mode != "idle":
                    line.append(f"{self.LABELS[mode]} {report['seconds']:.1f} s")
                if timed:
                    figures.peak_kb[mode].append(report["peak_rss_kb"])
                    if mode != "idle":
                        figures.build_seconds[mode].append(report["seconds"])
                if mode == "plain":
                    figures.build = report
                elif mode == "encrypted":
                    figures.package_bytes = report["written"]
            self.stderr.write(", ".join(part for part in line if part))
        self.report(figures)
        return figures

    def report(self, figures: Figures) -> None:
        build = figures.build
        write = self.stdout.write
        write("")
        write(
            f"{figures.authority}: {_n(figures.families)} families in the extract; "
            f"{_n(build['rows'][INDIVIDUALS])} individual rows, {_n(build['rows'][FPD])} "
            f"progress rows; validation: {build['errors']} errors, {build['warnings']} warnings"
        )
        same = all(figures.copy_rows[name] == build["rows"][name] for name in FILES)
        write(
            "COPY rows "
            + (
                "match the build's"
                if same
                else "DIFFER FROM THE BUILD'S: the figures compare unlike work"
            )
        )
        write(
            f"  {'':<32} {'rows':>11} {'MB':>8} {'seconds':>8} {'MB/s':>7} {'x COPY':>7} "
            f"{'peak RSS MB':>12}"
        )
        for name in FILES:
            seconds = statistics.median(figures.copy_seconds[name])
            megabytes = figures.copy_bytes[name] / MB
            write(
                f"  {'COPY ' + name:<32} {_n(figures.copy_rows[name]):>11} {megabytes:8.1f} "
                f"{seconds:8.2f} {megabytes / seconds:7.1f}"
            )
        copy_total = figures.copy_total()
        copy_mb = sum(figures.copy_bytes.values()) / MB
        rows = sum(build["rows"].values())
        write(
            f"  {'COPY, both files':<32} {_n(rows):>11} {copy_mb:8.1f} {copy_total:8.2f} "
            f"{copy_mb / copy_total:7.1f} {1:7.2f}"
        )
        csv_mb = sum(build["sizes"].get(name, 0) for name in FILES) / MB
        for mode in ("plain", "encrypted"):
            seconds = figures.median(mode)
            write(
                f"  {self.LABELS[mode]:<32} {_n(rows):>11} {csv_mb:8.1f} {seconds:8.2f} "
                f"{csv_mb / seconds:7.1f} {seconds / copy_total:7.2f} "
                f"{figures.peak_mb(mode):12.1f}"
            )
        write(f"  {self.LABELS['idle']:<32} {'':>11} {'':>8} {'':>8} {'':>7} {'':>7} "
              f"{figures.peak_mb('idle'):12.1f}")  # fmt: skip
        write(
            f"  (build MB: the CSV files inside the zip; zip {build['written'] / MB:.1f} MB, "
            f"encrypted package {figures.package_bytes / MB:.1f} MB; "
            f"build runs, s: no encryption "
            f"{', '.join(f'{s:.1f}' for s in figures.build_seconds['plain'])}; with "
            f"{', '.join(f'{s:.1f}' for s in figures.build_seconds['encrypted'])})"
        )
