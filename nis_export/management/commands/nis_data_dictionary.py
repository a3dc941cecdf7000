"""Write docs/nis-data-dictionary.md from the code that defines the NIS files' columns.

    manage.py nis_data_dictionary           # (re)write the file
    manage.py nis_data_dictionary --check   # change nothing; fail if the file is out of date

The file is generated, never edited by hand: nis_export/columns.py is the one definition
that both writes the files and describes them.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from nis_export.columns import data_dictionary

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "nis-data-dictionary.md"


class Command(BaseCommand):
    help = "Write docs/nis-data-dictionary.md from nis_export/columns.py (--check to verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; exit non-zero if the file differs from the code",
        )
        parser.add_argument(
            "--path",
            type=Path,
            default=DEFAULT_PATH,
            help="where the file is (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        expected = data_dictionary()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if options["check"]:
            if current != expected:
                raise CommandError(
                    f"{path} is out of date: run manage.py nis_data_dictionary and commit it"
                )
            self.stdout.write(f"{path} is up to date")
            return
        if current == expected:
            self.stdout.write(f"{path} is already up to date")
            return
        path.write_text(expected, encoding="utf-8", newline="\n")
        self.stdout.write(f"Wrote {path}")
