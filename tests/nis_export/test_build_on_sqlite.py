"""The quick start's NIS build: on SQLite (`make run`), where the build reads each family's
facts and writes its rows in Python, and stores its issues by INSERT, not COPY. Run as a data
officer would from the command line, in subprocesses against a throwaway SQLite file: the
demo data holds eligible families still awaiting a decision, so the build is blocked, its
issues stored, and they agree with `check`."""

import re
from pathlib import Path

import pytest

from changing_lives.demo.users import DEMO_AUTHORITY
from tests.nis_export.keys import make_key, remove
from tests.sqlite_project import manage, sqlite_env

pytestmark = pytest.mark.slow


def test_a_build_on_sqlite_stores_the_issues_check_finds(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)

    pair = make_key("ONS test <ons@example.org>")
    try:
        key = tmp_path / "ons.asc"
        key.write_text(pair.public)
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo", "--families", "40")
        manage(env, "nis_recipient_key", "add", str(key))
        gss_code = DEMO_AUTHORITY["gss_code"]

        checked = manage(env, "nis_submission", "check", "--la", gss_code, code=1)
        built = manage(env, "nis_submission", "build", "--la", gss_code, code=1)
    finally:
        remove(pair)

    assert "Status: blocked" in built
    counts = re.search(r"^Errors: (\d+), warnings: (\d+)$", checked, flags=re.MULTILINE)
    assert counts is not None
    assert int(counts[1]) > 0
    assert f"Errors: {counts[1]}, warnings: {counts[2]}" in built
    assert re.search(r"^nis_individuals\.csv: [1-9]\d* rows$", built, flags=re.MULTILINE)
    assert not list((tmp_path / "media").glob("nis/*/*"))  # blocked: no package kept
