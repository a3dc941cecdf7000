"""Demo identifiers: numbered by (family, member) so that none can collide, with real check
digits, and each checked by its clean_* function."""

import itertools
import string
from collections.abc import Callable, Collection, Iterable

from django.core.exceptions import ValidationError

from changing_lives.demo.families.records import DemoMember
from families.identifiers import (
    UPN_CHECK_ALPHABET,
    clean_nhs_number,
    clean_nino,
    clean_uln,
    clean_upn,
    nhs_check_digit,
    uln_check_digit,
    upn_check_letter,
)

# Identifier bodies are numbered n = family * 10 + member (member 1..8), so n < 10**7,
# then scattered (`_scatter`).
# NHS and ULN bodies take two slots each (2n, 2n + 1): see `_with_check_digit`. NHS numbers
# stay in 400 000 000x-420 000 000x: clear of the 999 test range and of all-same digits.
NHS_BASE = 400_000_000
ULN_BASE = 300_000_000
MEMBER_NUMBERS = 10**7


def _is_nino_prefix(prefix: str) -> bool:
    try:
        clean_nino(f"{prefix}000000A")
    except ValidationError:
        return False
    return True


# The NINO prefixes that `clean_nino` accepts, in a fixed order.
NINO_PREFIXES = tuple(
    prefix
    for prefix in map("".join, itertools.product(string.ascii_uppercase, repeat=2))
    if _is_nino_prefix(prefix)
)


# --- Identifiers numbered by (family, member) --------------------------------------------
def _with_check_digit(body: int, check_digit: Callable[[str], int | None]) -> str:
    """The 10 digits for the even 9-digit `body`, or for `body + 1` if `body` has no check
    digit.

    Both NHS and ULN checks weight the ninth digit by 2 and fail only for one remainder
    modulo 11. `body` is even, so `body + 1` changes only its last digit, adding 2 to the
    weighted sum: it moves off the failing remainder. Each n owns the pair (2n, 2n + 1), so
    two members can never meet.
    """
    for candidate in (str(body), str(body + 1)):
        digit = check_digit(candidate)
        if digit is not None:
            return f"{candidate}{digit}"
    raise AssertionError("unreachable: one of two neighbouring bodies has a check digit")


def _scatter(n: int, multiplier: int) -> int:
    """n moved by a fixed shuffle of 0 to 10**7 - 1, so that neighbouring members' numbers do
    not look alike. The multiplier is prime to 10**7, so distinct n stay distinct."""
    return n * multiplier % MEMBER_NUMBERS


def demo_nhs_number(n: int) -> str:
    return _with_check_digit(NHS_BASE + 2 * _scatter(n, 3_141_593), nhs_check_digit)


def demo_uln(n: int) -> str:
    return _with_check_digit(ULN_BASE + 2 * _scatter(n, 2_718_281), uln_check_digit)


def demo_nino(n: int, *, suffix: str) -> str:
    # The six digits are n's last six; the prefix carries its first digit (0-9) and, for
    # variety, the digits modulo `share`. Given the digits, the prefix gives back the first
    # digit, so distinct n give distinct NINOs.
    first, digits = divmod(_scatter(n, 1_618_033), 10**6)
    share = len(NINO_PREFIXES) // 10
    return f"{NINO_PREFIXES[first * share + digits % share]}{digits:06d}{suffix}"


def demo_upn(n: int, *, dfe_number: str, year: int, temporary: bool) -> str:
    """DfE number, 4-digit establishment, 2-digit year, 3-character serial, check letter.

    n fills the establishment and serial, so the year cannot make two UPNs meet. A temporary
    UPN ends in a letter, so it never meets a permanent one; among temporaries the final
    letter and the remaining six digits together encode n.
    """
    n = _scatter(n, 1_414_213)
    yy = f"{year % 100:02d}"
    if temporary:
        number, letter = divmod(n, len(UPN_CHECK_ALPHABET))
        six = f"{number:06d}"
        body = f"{dfe_number}{six[:4]}{yy}{six[4:]}{UPN_CHECK_ALPHABET[letter]}"
    else:
        seven = f"{n:07d}"
        body = f"{dfe_number}{seven[:4]}{yy}{seven[4:]}"
    return f"{upn_check_letter(body)}{body}"


def identifiers_check(members: Iterable[DemoMember], *, known_la_numbers: Collection[str]) -> None:
    """Raise if any generated identifier is not exactly what its `clean_*` function keeps."""
    for member in members:
        checks = (
            (member.nhs_number, clean_nhs_number),
            (member.nino, clean_nino),
            (member.uln, clean_uln),
            (member.upn, lambda value: clean_upn(value, known_la_numbers=known_la_numbers)),
        )
        for value, clean in checks:
            if value and clean(value) != value:
                raise AssertionError(f"{member.la_individual_id}: an identifier is not normalised")
