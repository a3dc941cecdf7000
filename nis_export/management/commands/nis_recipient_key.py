"""Manage the OpenPGP public keys every NIS package is encrypted to, as the admin page does.

    manage.py nis_recipient_key list
    manage.py nis_recipient_key add PATH [--dry-run]           # an armored public key file
    manage.py nis_recipient_key retire FINGERPRINT [--dry-run]

Adding and retiring go through nis_export/keys.py (the same checks and audit entries as the
page; the actor is empty, as no one is signed in). --dry-run runs every check, then rolls
back: nothing is stored and nothing audited.
"""

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from changing_lives.errors import validation_messages
from nis_export.keys import (
    fingerprint_display,
    is_last_current_key,
    recipient_key_add,
    recipient_key_retire,
)
from nis_export.models import RecipientKey

# A public key is a few kilobytes; anything far bigger is not one.
MAX_KEY_BYTES = 1 << 20


def key_state(key: RecipientKey, now: datetime.datetime) -> str:
    if key.retired_at is not None:
        return "retired"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "current"


def _day(value: datetime.datetime | None, empty: str = "never") -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}" if value else empty


class Command(BaseCommand):
    help = "List, add or retire the OpenPGP public keys NIS packages are encrypted to."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,add,retire}")
        actions.add_parser("list", help="every key, current, expired or retired")
        add = actions.add_parser("add", help="check and add an armored public key")
        add.add_argument("path", type=Path, help="a file holding the ASCII-armored public key")
        retire = actions.add_parser("retire", help="stop encrypting packages to a key")
        retire.add_argument("fingerprint", help="the key's 40-character fingerprint")
        for sub in (add, retire):
            sub.add_argument(
                "--dry-run", action="store_true", help="check, then roll back: change nothing"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self.list_keys()
        elif action == "add":
            self.add(options["path"], dry_run=options["dry_run"])
        else:
            self.retire(options["fingerprint"], dry_run=options["dry_run"])

    def list_keys(self) -> None:
        keys = list(RecipientKey.objects.order_by("-added_at", "-id"))
        if not keys:
            self.stdout.write("No recipient keys: add one before a submission can be built")
            return
        now = timezone.now()
        for key in keys:
            self.stdout.write(
                f"{key.fingerprint}  {key_state(key, now):<7}  created {_day(key.created_at)}  "
                f"expires {_day(key.expires_at)}"
                + (f"  retired {_day(key.retired_at)}" if key.retired_at else "")
            )
            for user_id in key.user_ids or ["(no user id)"]:
                self.stdout.write(f"    {user_id}")

    def add(self, path: Path, *, dry_run: bool) -> None:
        try:
            with path.open("rb") as file:
                data = file.read(MAX_KEY_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        if len(data) > MAX_KEY_BYTES:
            raise CommandError(f"{path} is too big to be a public key")
        # Undecodable bytes (a binary key) are left for the service to refuse, with its reason.
        armored = data.decode("utf-8", errors="replace")
        with transaction.atomic():
            try:
                key = recipient_key_add(actor=None, armored=armored)
            except ValidationError as error:
                raise CommandError("; ".join(validation_messages(error))) from error
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would add" if dry_run else "Added"
        self.stdout.write(f"{verb} key {fingerprint_display(key.fingerprint)}")
        self.stdout.write(f"Fingerprint: {key.fingerprint}")
        for user_id in key.user_ids:
            self.stdout.write(f"User ID: {user_id}")
        self.stdout.write(f"Expires: {_day(key.expires_at)}")
        if dry_run:
            self.stdout.write("Dry run: nothing was stored")

    def retire(self, fingerprint: str, *, dry_run: bool) -> None:
        wanted = "".join(fingerprint.split()).upper()  # as GnuPG shows it, in groups, is fine
        key = RecipientKey.objects.filter(fingerprint=wanted).first()
        if key is None:
            raise CommandError(
                f"No recipient key has fingerprint {fingerprint}: "
                "manage.py nis_recipient_key list shows them"
            )
        last = is_last_current_key(key)
        with transaction.atomic():
            try:
                recipient_key_retire(actor=None, key=key)
            except ValidationError as error:
                raise CommandError("; ".join(validation_messages(error))) from error
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would retire" if dry_run else "Retired"
        self.stdout.write(f"{verb} key {fingerprint_display(key.fingerprint)}")
        if last:
            self.stdout.write(
                self.style.WARNING(
                    "No current key remains: submissions cannot be built until a key is added"
                )
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was stored")
