"""Real OpenPGP keys for the tests, made by GnuPG in a throwaway home, and a decrypter."""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KeyPair:
    public: str
    home: Path  # holds the private key, to decrypt in tests

    def decrypt(self, path: Path) -> bytes:
        result = subprocess.run(
            [
                "gpg",
                "--batch",
                "--no-tty",
                "--quiet",
                "--homedir",
                str(self.home),
                "--decrypt",
                str(path),
            ],
            capture_output=True,
            check=True,
        )
        return result.stdout


def make_key(user_id: str, *, expire: str = "1y", faked_time: str | None = None) -> KeyPair:
    """An ed25519/cv25519 key pair (fast to make). `faked_time` (like 20200101T000000) makes a
    key as if on that date, so `expire` can already have passed."""
    home = Path(tempfile.mkdtemp(prefix="test-gnupg-"))
    home.chmod(0o700)
    faked = ["--faked-system-time", faked_time] if faked_time else []
    base = ["gpg", "--batch", "--no-tty", "--quiet", "--homedir", str(home), *faked]
    subprocess.run(
        [*base, "--passphrase", "", "--quick-gen-key", user_id, "ed25519", "sign", expire],
        check=True, capture_output=True,
    )  # fmt: skip
    fingerprint = subprocess.run(
        [*base, "--with-colons", "--list-keys", user_id], check=True, capture_output=True
    ).stdout.decode()
    fpr = next(line.split(":")[9] for line in fingerprint.splitlines() if line.startswith("fpr"))
    subprocess.run(
        [*base, "--passphrase", "", "--quick-add-key", fpr, "cv25519", "encr", expire],
        check=True, capture_output=True,
    )  # fmt: skip
    public = subprocess.run(
        [*base, "--armor", "--export", fpr], check=True, capture_output=True
    ).stdout.decode()
    return KeyPair(public=public, home=home)


def remove(pair: KeyPair) -> None:
    shutil.rmtree(pair.home, ignore_errors=True)
