"""Make sure PostgreSQL, Redis, Chromium and GnuPG are there for `make test`.

For each: use it if it answers; start it if it is installed but stopped; install it with
apt if it is missing and we are root; otherwise stop with a message saying exactly what is
missing and how to provide it. Addresses come from DATABASE_URL and REDIS_URL (the test
defaults when unset), so a suite pointed at other servers is only checked, never altered.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/changing_lives"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Missing(Exception):
    """A service that is neither running nor something this script may start."""


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_until_answers(host: str, port: int, name: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(host, port):
            return
        time.sleep(0.3)
    raise Missing(f"{name} was started but does not answer on {host}:{port}")


def run(*command: str) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Missing(
            f"{', '.join(packages)} not installed, and this is not a root shell with apt-get: "
            f"install {' '.join(packages)} (e.g. `sudo apt-get install -y {' '.join(packages)}`)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"+ apt-get install -y {' '.join(packages)}", flush=True)
    result = subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env, check=False
    )
    if result.returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env, check=True
        )


def ensure_postgresql() -> None:
    url = urlparse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    if url.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise Missing(f"DATABASE_URL must point at PostgreSQL for the suite, not {url.scheme}")
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    if answers(host, port):
        return
    if host not in LOCAL_HOSTS:
        raise Missing(f"PostgreSQL at {host}:{port} does not answer (DATABASE_URL)")
    if not Path("/etc/postgresql").is_dir() or not shutil.which("pg_ctlcluster"):
        apt_install("postgresql")
        _trust_local_connections()
    for version in sorted(os.listdir("/etc/postgresql")):
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
    wait_until_answers(host, port, "PostgreSQL")


def _trust_local_connections() -> None:
    # A fresh Debian cluster asks for a password on 127.0.0.1; the suite connects as the
    # postgres superuser without one, as on this project's machines (test data only).
    for hba in Path("/etc/postgresql").glob("*/main/pg_hba.conf"):
        text = hba.read_text()
        rule = "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
        if rule not in text:
            hba.write_text(rule + text)


def ensure_redis() -> None:
    url = urlparse(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    host, port = url.hostname or "127.0.0.1", url.port or 6379
    if answers(host, port):
        return
    if host not in LOCAL_HOSTS:
        raise Missing(f"Redis at {host}:{port} does not answer (REDIS_URL)")
    if not shutil.which("redis-server"):
        apt_install("redis-server")
    run(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
    )
    wait_until_answers(host, port, "Redis")


def ensure_chromium() -> None:
    if not CHROMIUM.exists():
        apt_install("chromium")


def ensure_gnupg() -> None:
    # The NIS package is encrypted by GnuPG (nis_export/openpgp.py).
    if not shutil.which("gpg"):
        apt_install("gnupg")


def main() -> int:
    problems = []
    for name, ensure in (
        ("PostgreSQL", ensure_postgresql),
        ("Redis", ensure_redis),
        ("Chromium", ensure_chromium),
        ("GnuPG", ensure_gnupg),
    ):
        try:
            ensure()
            print(f"{name}: ready", flush=True)
        except (Missing, subprocess.CalledProcessError) as error:
            problems.append(f"{name}: {error}")
    if problems:
        print("The test suite needs these, and they are missing:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
