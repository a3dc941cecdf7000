"""Every URL that names a record answers 404 to every role of another authority.

The URLs come from walking the URLconf, so a new URL is covered as soon as it exists; a
parameter this test cannot fill with a real record fails it until someone says how.
"""

import pytest
from django.test import Client
from django.urls import reverse

from changing_lives.accounts.roles import Role
from eligibility.models import Assessment, Framework
from families.models import Family
from progress.models import Period
from tests.urlwalk import PUBLIC_URL_NAMES, walk

RECORD_URLS = [url for url in walk() if url.takes_arguments and url.name not in PUBLIC_URL_NAMES]


def real_arguments(family: Family) -> dict[str, object]:
    member = family.members.first()
    assert member is not None
    framework = Framework.objects.get(code="2015-2020")
    assessment = Assessment.objects.create(
        family=family, framework=framework, framework_version=1,
        screened_on=family.referred_on, eligible=False,
    )  # fmt: skip
    return {
        "period_start": Period.objects.order_by("start_on").first().start_on.isoformat(),  # type: ignore[union-attr]
        "public_id": family.public_id,
        "member_id": member.public_id,
        "assessment_id": assessment.public_id,
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
    outsider.force_login(make_user(*Role, local_authority=other_authority))
    for method in (outsider.get, outsider.post):
        assert method(path).status_code == 404, f"{url.name} leaked to another authority"

    # The same URL works for a user of the family's own authority (so the 404 above is
    # about the authority, not a broken URL).
    insider = Client()
    insider.force_login(make_user(*Role))
    assert insider.get(path).status_code == 200
