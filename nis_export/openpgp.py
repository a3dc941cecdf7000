"""OpenPGP for the NIS package: inspecting a recipient's public key, and encrypting to it.

GnuPG does the cryptography (the `gpg` binary, from Debian's gnupg package); this module
only drives it. Each call uses a fresh, private GnuPG home that is deleted afterwards, so no
key or keyring outlives the call, and nothing is ever signed or decrypted here.
"""

import datetime
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

GPG = shutil.which("gpg") or "/usr/bin/gpg"
TIMEOUT_SECONDS = 60


class KeyRejected(ValueError):
    """A key that cannot be used, with a message that says why, for the admin who gave it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    user_ids: tuple[str, ...]
    created_at: datetime.datetime
    expires_at: datetime.datetime | None


@contextmanager
def _gnupg_home() -> Iterator[str]:
    home = tempfile.mkdtemp(prefix="changing-lives-gnupg-")
    os.chmod(home, 0o700)
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _gpg(
    home: str, *arguments: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 - a fixed binary and arguments, no shell
        [GPG, "--batch", "--no-tty", "--quiet", "--no-autostart", "--homedir", home, *arguments],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def _timestamp(field: str) -> datetime.datetime | None:
    if not field:
        return None
    return datetime.datetime.fromtimestamp(int(field), tz=datetime.UTC)


def key_inspect(armored: str, *, now: datetime.datetime | None = None) -> KeyInfo:
    """What a recipient's public key is, or KeyRejected if it cannot be used to encrypt."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    text = armored.strip()
    if "PRIVATE KEY BLOCK" in text:
        raise KeyRejected(
            "This is a private key: upload the recipient's public key only, and keep the "
            "private key secret"
        )
    if "BEGIN PGP PUBLIC KEY BLOCK" not in text:
        raise KeyRejected(
            "The file is not an OpenPGP public key: it must start with "
            "-----BEGIN PGP PUBLIC KEY BLOCK-----"
        )
    with _gnupg_home() as home:
        shown = _gpg(
            home, "--with-colons", "--import-options", "show-only", "--import",
            stdin=text.encode(),
        )  # fmt: skip
    records = [line.split(":") for line in shown.stdout.decode(errors="replace").splitlines()]
    primaries = [record for record in records if record[0] == "pub"]
    if shown.returncode != 0 or not primaries:
        raise KeyRejected("The key could not be read: it may be damaged or incomplete")
    if len(primaries) > 1:
        raise KeyRejected("The file holds more than one key: upload one recipient's key at a time")
    return _key_info(records, now)


def _key_info(records: list[list[str]], now: datetime.datetime) -> KeyInfo:
    primary = next(record for record in records if record[0] == "pub")
    fingerprint = next(record[9] for record in records if record[0] == "fpr")
    user_ids = tuple(record[9] for record in records if record[0] == "uid")
    created_at = _timestamp(primary[5])
    expires_at = _timestamp(primary[6])
    assert created_at is not None  # GnuPG always lists a key's creation time
    if primary[1] == "r":
        raise KeyRejected("The key has been revoked by its owner: ask the recipient for a new key")
    if expires_at is not None and expires_at <= now:
        raise KeyRejected(
            f"The key expired on {expires_at:%d %B %Y}: ask the recipient for a current key"
        )
    # A usable encryption (sub)key: capability "e", not expired or revoked.
    usable = [
        record
        for record in records
        if record[0] in {"pub", "sub"}
        and "e" in record[11]
        and record[1] not in {"r", "e"}
        and (not record[6] or _timestamp(record[6]) > now)  # type: ignore[operator]
    ]
    if not usable:
        raise KeyRejected(
            "The key cannot be used to encrypt (it has no current encryption subkey): ask the "
            "recipient for a key that can"
        )
    return KeyInfo(fingerprint, user_ids, created_at, expires_at)


@contextmanager
def encrypting_writer(*, destination: Path, recipient_keys: Sequence[str]) -> Iterator[IO[bytes]]:
    """A stream to write plaintext into: GnuPG encrypts it, as it comes, to every recipient,
    and writes only ciphertext, to `destination`. Nothing unencrypted touches the disk.

    If the block raises, or GnuPG fails, the process is stopped and `destination` removed.
    """
    if not recipient_keys:
        raise ValueError("at least one recipient key is needed")
    with _gnupg_home() as home, tempfile.TemporaryFile() as errors:
        fingerprints = []
        for armored in recipient_keys:
            if _gpg(home, "--import", stdin=armored.encode()).returncode != 0:
                raise RuntimeError("a recipient key could not be imported")
            fingerprints.append(key_inspect(armored).fingerprint)
        recipients = [argument for fp in fingerprints for argument in ("--recipient", fp)]
        # GnuPG's messages go to a file, not a pipe: a full pipe would stall it mid-stream.
        process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments, no shell
            [GPG, "--batch", "--no-tty", "--quiet", "--no-autostart", "--homedir", home,
             "--trust-model", "always",
             "--compress-algo", "none", "--yes", "--output", str(destination), *recipients,
             "--encrypt"],
            stdin=subprocess.PIPE,
            stderr=errors,
        )  # fmt: skip
        assert process.stdin is not None
        try:
            yield process.stdin
            process.stdin.close()
            process.wait(timeout=TIMEOUT_SECONDS)
            if process.returncode != 0:
                errors.seek(0)
                raise RuntimeError(f"encryption failed: {errors.read().decode(errors='replace')}")
        except BaseException:
            process.kill()
            with suppress(OSError):  # the pipe may still hold data GnuPG will never read
                process.stdin.close()
            process.wait()
            destination.unlink(missing_ok=True)
            raise


def encrypt(*, source: IO[bytes], destination: Path, recipient_keys: Sequence[str]) -> None:
    """Encrypt everything `source` holds (read in chunks) to `destination`."""
    with encrypting_writer(destination=destination, recipient_keys=recipient_keys) as sink:
        while chunk := source.read(1 << 20):
            sink.write(chunk)
