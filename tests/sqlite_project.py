"""Running the project's commands as `make run` does, on SQLite, in subprocesses: for the
tests of the quick start's own paths (the rest of the suite runs on PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sqlite_env(folder: Path) -> dict[str, str]:
    """The environment of `make run` with its database and files in `folder`: this process's,
    without the PostgreSQL, Redis and secret settings of the test run."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    } | {
        "DJANGO_SETTINGS_MODULE": "changing_lives.settings",
        "DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'quick-start.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
    }


def manage(env: dict[str, str], *args: str, code: int = 0) -> str:
    """Run `manage.py args`; its output, once it has exited with `code`."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == code, result.stdout + result.stderr
    return result.stdout
