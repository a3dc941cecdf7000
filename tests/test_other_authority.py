"""Every URL that names a record answers 404 to every role of another authority.

The URLs come from walking the URLconf, so a new URL is covered as soon as it exists; a
parameter this test cannot fill with a real record fails it until someone says how.
"""

import datetime
import hashlib
import shutil
import weakref

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.roles import Role
from changing_lives.retention.models import Hold, HoldKind, PurgeRun, PurgeStatus
from eligibility.models import Assessment, Framework
from families.models import Family
from nis_export.build import package_folder
from nis_export.models import RecipientKey, Submission, SubmissionStatus
from progress.models import Period
from tests.factories import UserFactory
from tests.signing_in import force_login_verified
from tests.urlwalk import PUBLIC_URL_NAMES, walk

# Reference data is the product's, shared by every authority, not any authority's record:
# its pages answer admins of every authority and 403 to everyone else, never 404 "not yours"
# (tests/progress/test_reference.py checks exactly that for each of these names).
REFERENCE_DATA_URLS = frozenset(
    {
        "progress:reference",
        "progress:period_add",
        "progress:period_due",
        "progress:measure_add",
        "progress:measure_retire",
        "progress:measure_restore",
    }
)
# NIS recipient keys are platform-wide too (the recipients are national): their pages
# answer holders of nis_export.manage_recipient_keys of every authority and 403 to everyone
# else (tests/nis_export/test_keys.py checks exactly that for each of these names).
RECIPIENT_KEY_URLS = frozenset({"nis_export:keys", "nis_export:key_add", "nis_export:key_retire"})
# A period's completeness pages name a period (reference data), not a record: every
# authority's data officer sees the period with its own families only
# (tests/progress/test_completeness.py checks another authority's never appear).
PERIOD_SCOPED_URLS = frozenset({"progress:period_detail", "progress:period_gaps"})
RECORD_URLS = [
    url
    for url in walk()
    if url.takes_arguments
    and url.name not in PUBLIC_URL_NAMES
    and url.name not in REFERENCE_DATA_URLS
    and url.name not in RECIPIENT_KEY_URLS
    and url.name not in PERIOD_SCOPED_URLS
]


def real_arguments(family: Family) -> dict[str, object]:
    member = family.members.first()
    assert member is not None
    framework = Framework.objects.get(code="2015-2020")
    assessment = Assessment.objects.create(
        family=family, framework=framework, framework_version=1,
        screened_on=family.referred_on, eligible=False,
    )  # fmt: skip
    # A ready NIS submission of the family's authority, with a stand-in package on disk so
    # that its download answers at home; the file is removed when the test's family goes.
    package = b"stand-in ciphertext"
    submission = Submission.objects.create(
        local_authority=family.local_authority, snapshot_on=family.referred_on,
        status=SubmissionStatus.READY, package_name="package.zip.gpg",
        package_sha256=hashlib.sha256(package).hexdigest(), package_size=len(package),
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    folder = package_folder(submission)
    folder.mkdir(parents=True)
    (folder / submission.package_name).write_bytes(package)
    weakref.finalize(family, shutil.rmtree, folder, ignore_errors=True)
    key, _ = RecipientKey.objects.get_or_create(
        fingerprint="A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
        defaults={"armored": "(not read)", "created_at": timezone.now()},
    )
    # A hold of the family (open, so that its lift page answers) and a finished purge run of
    # its authority (so that its certificate downloads).
    hold = Hold.objects.create(family=family, kind=HoldKind.LEGAL_HOLD, reason="Claim")
    # A user of the family's authority, for an admin's users pages.
    colleague = UserFactory.create(local_authority=family.local_authority, roles=[Role.CASEWORKER])
    run = PurgeRun.objects.create(
        local_authority=family.local_authority, status=PurgeStatus.FINISHED,
        started_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip
    return {
        "period_start": Period.objects.order_by("start_on").first().start_on.isoformat(),  # type: ignore[union-attr]
        "public_id": family.public_id,
        "member_id": member.public_id,
        "assessment_id": assessment.public_id,
        "measure_code": "HOMELESS",
        "submission_id": submission.public_id,
        "fingerprint": key.fingerprint,
        "hold_id": hold.public_id,
        "run_id": run.public_id,
        "user_id": colleague.public_id,
    }


def test_there_are_record_urls_to_check() -> None:
    assert {"families:detail", "families:member_edit"} <= {url.name for url in RECORD_URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("url", RECORD_URLS, ids=lambda url: url.name)
def test_every_role_of_another_authority_gets_404(url, family, make_user, other_authority) -> None:
    arguments = real_arguments(family)
    missing = set(url.parameters) - set(arguments)
    assert not missing, f"{url.name}: say in real_arguments() how to fill {missing}"
    path = reverse(url.name, kwargs={name: arguments[name] for name in url.parameters})

    outsider = Client()
    force_login_verified(outsider, make_user(*Role, local_authority=other_authority))
    for method in (outsider.get, outsider.post):
        assert method(path).status_code == 404, f"{url.name} leaked to another authority"

    # The same URL works for a user of the family's own authority (so the 404 above is
    # about the authority, not a broken URL).
    insider = Client()
    force_login_verified(insider, make_user(*Role))
    assert insider.get(path).status_code == 200
