"""The Django side of `make bench-web`: the benchmark's caseworkers, their signed-in
sessions, and the records each simulated user visits, drawn from the seeded database.

Run by web.py as a subprocess (`python -m changing_lives.devtools.bench.web_data ...`) with
the benchmark's environment, so it shares the server's SECRET_KEY: a session's data and
its user's auth hash are signed with it.

- `staff`: the authority (created if missing) and its caseworkers, made before seed_demo
  so that the seeded families' lead professionals are spread over them (seed_demo gives
  the authority's caseworkers turns, by username). Idempotent: only the missing are made.
- `sessions`: for each of the first N caseworkers a session signed in and verified
  exactly as a sign-in leaves it (tests/signing_in.py does the same for tests), a CSRF
  secret for its cookie, and that user's records to visit; all written to a JSON file for
  the locustfile. Read-only apart from the sessions.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

BENCH_USERNAME = "bench-cw-{:04d}"
# A caseworker of a large authority leads this many families over the programme's life
# (about 60% of families reach support, so about 300): the authority's staff grows with it.
FAMILIES_PER_CASEWORKER = 500


def staff_ensure(*, gss_code: str, families: int, per_caseworker: int, at_least: int) -> int:
    """The authority and its `families // per_caseworker` caseworkers (bench-cw-0001...),
    each with a confirmed authenticator; only the missing are made, in bulk."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from changing_lives.accounts.mfa import TOTP_DEVICE_NAME
    from changing_lives.accounts.models import User
    from changing_lives.accounts.roles import Role
    from changing_lives.demo.families.load import seed_authority_ensure
    from changing_lives.demo.users import demo_totp_key

    authority = seed_authority_ensure(gss_code=gss_code)
    wanted = max(at_least, families // per_caseworker)
    existing = set(
        User.objects.filter(username__startswith="bench-cw-").values_list("username", flat=True)
    )
    new = []
    for number in range(1, wanted + 1):
        username = BENCH_USERNAME.format(number)
        if username in existing:
            continue
        user = User(
            username=username,
            email=f"{username}@bench.example",
            first_name="Bench",
            last_name=f"Caseworker {number}",
            local_authority=authority,
        )
        # No one signs in as them: their sessions are made below, already signed in.
        user.set_unusable_password()
        new.append(user)
    made = User.objects.bulk_create(new)
    caseworkers = Group.objects.get(name=Role.CASEWORKER.value)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=caseworkers.pk) for user in made
    )
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name=TOTP_DEVICE_NAME, key=demo_totp_key(), confirmed=True)
        for user in made
    )
    return wanted


def verified_session(user: Any) -> str:
    """A session as signing in with a password and a code leaves it; its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from changing_lives.accounts.mfa import totp_device_of
    from changing_lives.accounts.sessions import LAST_SEEN_KEY, STARTED_KEY

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    device = totp_device_of(user)
    assert device is not None, f"{user.username} has no authenticator"
    now = int(time.time())
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[STARTED_KEY] = now
    session[LAST_SEEN_KEY] = now
    session.create()
    assert session.session_key is not None
    return session.session_key


def spaced_nino(nino: str) -> str:
    """As printed on a card: QQ 12 34 56 C."""
    return " ".join((nino[:2], nino[2:4], nino[4:6], nino[6:8], nino[8:])).strip()


def sample(rows: list[Any], count: int, rng: random.Random) -> list[Any]:
    return rng.sample(rows, count) if len(rows) > count else list(rows)


def return_post(family: Any, period: Any) -> dict[str, Any] | None:
    """The return form as the page shows it (every field with its stored value), and the
    field a save changes: one with no value yet, else the first."""
    from progress.forms import ReturnForm
    from progress.services import return_state
    from progress.values import UNKNOWN

    form = ReturnForm(state=return_state(family, period))
    if not form.fields:
        return None
    data = {name: form.initial.get(name) or "" for name in form.fields}
    blank = [name for name, value in data.items() if not value]
    field = blank[0] if blank else next(iter(data))
    original = data[field]
    return {
        "period": period.start_on.isoformat(),
        "family": str(family.public_id),
        "data": data,
        "field": field,
        # A save sets the field to the other of these two, in turn: both valid values for
        # any measure ("not recorded" and "unknown"), so every save changes a value.
        "values": [original, UNKNOWN if original != UNKNOWN else ""],
    }


def user_records(
    user: Any, authority: Any, rng: random.Random, per_user: int
) -> dict[str, list[Any]]:
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from eligibility.models import Assessment
    from families.models import Family
    from progress.due import supported_during
    from progress.models import FamilyReturn, Period, ReturnStatus

    mine = Family.objects.for_authority(authority).filter(lead_professional=user)
    own = list(mine.values_list("public_id", flat=True))
    assessments = list(
        Assessment.objects.filter(family__in=mine).values_list("family__public_id", "public_id")
    )
    today = timezone.localdate()
    ended = list(Period.objects.filter(end_on__lt=today).order_by("-end_on")[:4])
    due: list[tuple[str, str]] = []
    saves: list[dict[str, Any]] = []
    for period in ended:
        families = list(mine.filter(supported_during(period)).values_list("public_id", flat=True))
        due += [(period.start_on.isoformat(), str(public_id)) for public_id in families]
    # Saves go to returns still being worked on (in progress, or not started) of the latest
    # ended periods, so no complete return is changed.
    for period in ended[:2]:
        open_returns = (
            mine.filter(supported_during(period))
            .exclude(
                Exists(
                    FamilyReturn.objects.filter(
                        family=OuterRef("pk"), period=period, status=ReturnStatus.COMPLETE
                    )
                )
            )
            .prefetch_related("members")
        )
        for family in sample(list(open_returns), per_user // 10, rng):
            post = return_post(family, period)
            if post is not None:
                saves.append(post)
    return {
        "families": [str(public_id) for public_id in sample(own, per_user, rng)],
        "assessments": [[str(f), str(a)] for f, a in sample(assessments, per_user, rng)],
        "returns": [list(item) for item in sample(due, per_user, rng)],
        "saves": saves,
    }


def sessions_write(*, gss_code: str, users: int, out: Path, seed: int, per_user: int) -> None:
    from django.middleware.csrf import _get_new_csrf_string

    from changing_lives.accounts.models import User
    from changing_lives.authorities.models import LocalAuthority
    from families.models import Family, Individual

    rng = random.Random(seed)  # noqa: S311 (a repeatable choice of records, not a secret)
    authority = LocalAuthority.objects.get(gss_code=gss_code)
    staff = list(
        User.objects.filter(local_authority=authority, username__startswith="bench-cw-").order_by(
            "username"
        )[:users]
    )
    if len(staff) < users:
        sys.exit(f"only {len(staff)} benchmark caseworkers in {gss_code}: {users} wanted")
    members = Individual.objects.for_authority(authority)
    # Names and NINOs of people picked at random, so a common surname turns up as often as
    # it would be searched for.
    people = list(members.order_by("?").values_list("forename", "surname")[:400])
    ninos = list(members.exclude(nino="").order_by("?").values_list("nino", flat=True)[:400])
    any_families = [
        str(public_id)
        for public_id in Family.objects.for_authority(authority)
        .order_by("?")
        .values_list("public_id", flat=True)[:400]
    ]
    data: dict[str, Any] = {
        "authority": gss_code,
        "names": [[forename, surname] for forename, surname in people],
        "ninos": [spaced_nino(nino) for nino in ninos],
        "any_families": any_families,
        "users": [],
    }
    for user in staff:
        records = user_records(user, authority, rng, per_user)
        data["users"].append(
            {
                "username": user.username,
                "session": verified_session(user),
                "csrf": _get_new_csrf_string(),
                "caseload": Family.objects.filter(lead_professional=user).count(),
                **records,
            }
        )
    out.write_text(json.dumps(data, indent=1))
    summary = {
        key: sum(len(u[key]) for u in data["users"])
        for key in ("families", "assessments", "returns", "saves")
    }
    caseloads = [u["caseload"] for u in data["users"]]
    print(
        f"sessions: {len(staff)} users (caseloads {min(caseloads)} to {max(caseloads)}); "
        f"records: {summary}; names {len(people)}, NINOs {len(ninos)}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="step", required=True)
    staff = sub.add_parser("staff")
    staff.add_argument("--la", required=True)
    staff.add_argument("--families", type=int, required=True)
    staff.add_argument("--per-caseworker", type=int, default=FAMILIES_PER_CASEWORKER)
    staff.add_argument("--at-least", type=int, default=1, help="the simulated users")
    sessions = sub.add_parser("sessions")
    sessions.add_argument("--la", required=True)
    sessions.add_argument("--users", type=int, required=True)
    sessions.add_argument("--out", type=Path, required=True)
    sessions.add_argument("--seed", type=int, default=1)
    sessions.add_argument("--per-user", type=int, default=100)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changing_lives.settings")
    import django

    django.setup()
    if args.step == "staff":
        made = staff_ensure(
            gss_code=args.la,
            families=args.families,
            per_caseworker=args.per_caseworker,
            at_least=args.at_least,
        )
        print(f"staff: {made} caseworkers in {args.la}")
    else:
        sessions_write(
            gss_code=args.la, users=args.users, out=args.out, seed=args.seed, per_user=args.per_user
        )


if __name__ == "__main__":
    main()
