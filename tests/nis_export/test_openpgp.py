"""Recipient keys are checked before use, and the package is encrypted to them, streamed."""

import datetime
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from nis_export.openpgp import KeyRejected, encrypt, encrypting_writer, key_inspect
from tests.nis_export.keys import KeyPair, make_key, remove


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS test <nis@ons.example>")
    yield pair
    remove(pair)


def test_a_public_key_is_described_by_fingerprint_user_and_expiry(ons: KeyPair) -> None:
    info = key_inspect(ons.public)
    assert len(info.fingerprint) == 40
    assert info.user_ids == ("ONS NIS test <nis@ons.example>",)
    assert info.expires_at is not None
    assert info.expires_at > datetime.datetime.now(tz=datetime.UTC)


def test_an_expired_key_is_refused_with_its_date() -> None:
    old = make_key("Old <old@ons.example>", expire="1y", faked_time="20200101T000000")
    try:
        with pytest.raises(KeyRejected, match="The key expired on 31 December 2020"):
            key_inspect(old.public)
    finally:
        remove(old)


def test_a_key_that_cannot_encrypt_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    base = ["gpg", "--batch", "--quiet", "--homedir", str(home)]
    subprocess.run(
        [
            *base,
            "--passphrase",
            "",
            "--quick-gen-key",
            "Signer <s@x.example>",
            "ed25519",
            "sign",
            "1y",
        ],
        check=True,
    )
    public = subprocess.run(
        [*base, "--armor", "--export"], check=True, capture_output=True
    ).stdout.decode()
    with pytest.raises(KeyRejected, match="cannot be used to encrypt"):
        key_inspect(public)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "not an OpenPGP public key"),
        (
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base\n-----END PGP PUBLIC KEY BLOCK-----",
            "could not be read",
        ),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n...", "This is a private key"),
    ],
)
def test_malformed_input_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(KeyRejected, match=message):
        key_inspect(text)


def test_two_keys_in_one_file_are_refused(ons: KeyPair) -> None:
    other = make_key("Other <o@ons.example>")
    try:
        with pytest.raises(KeyRejected, match="more than one key"):
            key_inspect(ons.public + "\n" + other.public)
    finally:
        remove(other)


def test_encryption_round_trips_to_the_recipient(ons: KeyPair, tmp_path: Path) -> None:
    plaintext = b"la_family_id,forename\r\nF000001,Sarah\r\n" * 10_000
    destination = tmp_path / "package.gpg"
    encrypt(source=io.BytesIO(plaintext), destination=destination, recipient_keys=[ons.public])
    ciphertext = destination.read_bytes()
    assert b"Sarah" not in ciphertext
    assert ons.decrypt(destination) == plaintext


def test_a_failure_while_writing_leaves_no_file(ons: KeyPair, tmp_path: Path) -> None:
    destination = tmp_path / "package.gpg"

    def build_that_fails() -> None:
        with encrypting_writer(destination=destination, recipient_keys=[ons.public]) as sink:
            sink.write(b"partial")
            raise RuntimeError("the build failed")

    with pytest.raises(RuntimeError, match="the build failed"):
        build_that_fails()
    assert not destination.exists()


def test_every_recipient_can_decrypt(ons: KeyPair, tmp_path: Path) -> None:
    second = make_key("Second <s@ons.example>")
    try:
        destination = tmp_path / "package.gpg"
        encrypt(
            source=io.BytesIO(b"data"),
            destination=destination,
            recipient_keys=[ons.public, second.public],
        )
        assert ons.decrypt(destination) == b"data"
        assert second.decrypt(destination) == b"data"
    finally:
        remove(second)
