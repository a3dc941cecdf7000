"""The docs tell the truth: every environment variable the code reads is documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(
    r'(?:env(?:\.\w+)?\(\s*|_required_outside_development\(\s*|os\.environ\.get\(\s*)"([A-Z][A-Z0-9_]+)"'
)


def variables_read() -> set[str]:
    names: set[str] = set()
    for path in [
        ROOT / "changing_lives" / "settings.py",
        *ROOT.glob("changing_lives/**/management/commands/*.py"),
    ]:
        names |= set(READS.findall(path.read_text()))
    return names


def test_every_environment_variable_is_in_the_configuration_doc() -> None:
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text())
    )
    read = variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CHANGING_LIVES_NEW_PASSWORD"} <= read
    assert read - documented == set()


def test_the_readme_gives_the_demo_users_second_factor() -> None:
    from changing_lives.demo.users import DEMO_BACKUP_CODES, DEMO_TOTP_SECRET

    readme = (ROOT / "README.md").read_text()
    grouped = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
    assert grouped in readme
    assert DEMO_TOTP_SECRET in readme
    assert " ".join(DEMO_BACKUP_CODES) in readme
