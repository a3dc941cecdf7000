"""Generating one demo family, deterministically, from its own random stream."""

import datetime
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from faker import Faker

from changing_lives.demo.families.assessment import demo_assessment_generate
from changing_lives.demo.families.history import demo_programme_generate
from changing_lives.demo.families.identifiers import demo_nhs_number, demo_nino, demo_uln, demo_upn
from changing_lives.demo.families.progress import demo_progress_generate
from changing_lives.demo.families.progress_catalogue import ProgressCatalogue
from changing_lives.demo.families.records import (
    FAMILY_ID_PREFIX,
    FIRST_REFERRAL,
    MAX_FAMILY_NUMBER,
    MAX_MEMBERS,
    DemoAddress,
    DemoFamily,
    DemoMember,
    demo_uuid,
)
from eligibility.rules import FrameworkRules
from families.identifiers import (
    clean_postcode,
)
from families.models import (
    Gender,
    Relationship,
)

LEADING_ZERO_DISTRICT = re.compile(r"[A-Z]{1,2}0[0-9]")
NEUTRAL_NOTES = (
    "Referred by the school.",
    "Referred by the health visitor.",
    "Self-referral through the early help hub.",
    "Transferred from another team.",
    "Prefers contact by telephone.",
)

# --- Generating one family ---------------------------------------------------------------


def demo_family_generate(
    *,
    seed: int,
    authority_code: str,
    number: int,
    dfe_number: str | None,
    today: datetime.date,
    fake: Faker,
    rules_by_code: Mapping[str, FrameworkRules],
    progress: ProgressCatalogue,
) -> DemoFamily:
    """Family `number` for `seed` and the authority with GSS code `authority_code`.

    `dfe_number` goes into UPNs; None when it is not a known DfE number (no UPN could be
    valid, so none is made). `fake` is re-seeded here: pass one Faker("en_GB") for a whole
    run, as creating one is slow. `rules_by_code` holds the rules of each framework by code
    (frameworks.framework_catalogue), which decide the family's eligibility; `progress`
    the periods and measures its progress returns are made for.
    """
    if not 1 <= number <= MAX_FAMILY_NUMBER:
        raise ValueError(f"family number must be 1 to {MAX_FAMILY_NUMBER}")
    stream = f"{seed}:{authority_code}:{number}"
    # Demo data, not secrets: a seeded, repeatable generator is the point.
    rng = random.Random(stream)  # noqa: S311
    # Faker has a stream of its own, so a Faker upgrade changes names, never the structure.
    fake.seed_instance(f"{stream}:faker")
    referred_on = FIRST_REFERRAL + datetime.timedelta(
        days=rng.randrange((today - FIRST_REFERRAL).days + 1)
    )
    people = _household(rng, fake, referred_on=referred_on)
    members = tuple(
        _member(rng, fake, person, family=number, index=index, dfe_number=dfe_number)
        for index, person in enumerate(people, start=1)
    )
    # The programme has a stream of its own too, so tuning it never changes the people.
    programme_rng = random.Random(f"{stream}:programme")  # noqa: S311
    assessment = demo_assessment_generate(
        programme_rng,
        members=members,
        referred_on=referred_on,
        today=today,
        rules_by_code=rules_by_code,
    )
    programme = demo_programme_generate(programme_rng, assessment=assessment, today=today)
    # Progress data has a stream of its own: tuning it never changes the programme.
    progress_rng = random.Random(f"{stream}:progress")  # noqa: S311
    return DemoFamily(
        number=number,
        la_family_id=f"{FAMILY_ID_PREFIX}{number:06d}",
        public_id=demo_uuid(rng),
        # A few families have no postcode on record.
        address=_address(rng, fake, with_postcode=rng.random() > 0.03),
        referred_on=referred_on,
        notes=rng.choice(NEUTRAL_NOTES) if rng.random() < 0.3 else "",
        members=members,
        programme=programme,
        progress=demo_progress_generate(
            progress_rng,
            members=members,
            supports=programme.supports,
            catalogue=progress,
            today=today,
        ),
    )


@dataclass(frozen=True, slots=True)
class _Person:
    """Who a member is, before names and identifiers are given."""

    relationship: Relationship
    gender: Gender
    date_of_birth: datetime.date
    age: int  # at referral
    surname: str
    expectant_parent: bool = False


def _household(rng: random.Random, fake: Faker, *, referred_on: datetime.date) -> list[_Person]:
    """The main carer first, then any partner and other adult, children, and perhaps a
    parent who lives elsewhere. 1 to 8 members, mostly 3 to 5."""
    (size,) = rng.choices(range(1, MAX_MEMBERS + 1), weights=(4, 12, 22, 24, 18, 10, 6, 4))
    with_partner = size > 1 and rng.random() < 0.5
    with_other_adult = size > 1 + with_partner and rng.random() < 0.15
    children = size - 1 - with_partner - with_other_adult
    # Old enough to have been 16 or more at the oldest child's birth, children a year apart.
    carer_age = max(round(rng.triangular(18, 60, 30)), 15 + children)
    surname = fake.last_name()
    carer = _person(
        rng, referred_on, Relationship.MAIN_CARER, _gender(rng, female=0.75), carer_age, surname
    )
    # A family of one is mostly a mother-to-be.
    if rng.random() < (0.6 if size == 1 else 0.05) and carer_age <= 45:
        carer = replace(carer, gender=Gender.FEMALE, expectant_parent=True)
    people = [carer]
    if with_partner:
        age = min(70, max(18, carer_age + rng.randint(-6, 8)))
        name = surname if rng.random() < 0.5 else fake.last_name()
        partner = _person(
            rng, referred_on, Relationship.PARTNER, _opposite(rng, carer.gender), age, name
        )
        people.append(replace(partner, expectant_parent=carer.expectant_parent))
    if with_other_adult:
        people.append(_other_adult(rng, fake, referred_on, carer_age=carer_age, surname=surname))
    people += _children(rng, referred_on, count=children, carer_age=carer_age, surname=surname)
    if children and not with_partner and size < MAX_MEMBERS and rng.random() < 0.35:
        age = min(70, max(18, carer_age + rng.randint(-4, 10)))
        gender = _opposite(rng, carer.gender)
        people.append(
            _person(
                rng, referred_on, Relationship.NON_RESIDENT_PARENT, gender, age, fake.last_name()
            )
        )
    return people


def _children(
    rng: random.Random, referred_on: datetime.date, *, count: int, carer_age: int, surname: str
) -> list[_Person]:
    """Children of different ages (0 to 18 at referral), born at least ten months apart."""
    ages = rng.sample(range(min(18, carer_age - 16) + 1), count)
    # Every child is born at about the same time of year, so a year's difference in age is
    # never a few days' difference in birth.
    time_of_year = rng.randrange(300)
    children = []
    for age in ages:
        days = age * 365 + time_of_year + rng.randrange(60)
        born = referred_on - datetime.timedelta(days=days)
        gender = _gender(rng, female=0.49)
        children.append(_Person(Relationship.CHILD, gender, born, age, surname))
    return children


def _other_adult(
    rng: random.Random,
    fake: Faker,
    referred_on: datetime.date,
    *,
    carer_age: int,
    surname: str,
) -> _Person:
    (relationship,) = rng.choices(
        (Relationship.GRANDPARENT, Relationship.OTHER_RELATIVE, Relationship.OTHER_ADULT),
        weights=(5, 3, 2),
    )
    if relationship == Relationship.GRANDPARENT:
        age = min(90, carer_age + rng.randint(18, 30))
    else:
        age = rng.randint(18, 65)
    name = fake.last_name() if relationship == Relationship.OTHER_ADULT else surname
    return _person(rng, referred_on, relationship, _gender(rng, female=0.6), age, name)


def _person(
    rng: random.Random,
    referred_on: datetime.date,
    relationship: Relationship,
    gender: Gender,
    age: int,
    surname: str,
) -> _Person:
    # `age` full years at referral; referral is never after today, so neither is birth, and
    # the oldest (90 at a 2015 referral) stays well inside 110 years.
    born = referred_on - datetime.timedelta(days=age * 365 + rng.randrange(365))
    return _Person(relationship, gender, born, age, surname)


def _gender(rng: random.Random, *, female: float) -> Gender:
    draw = rng.random()
    if draw < 0.02:
        return Gender.NOT_KNOWN
    return Gender.FEMALE if draw < 0.02 + female * 0.98 else Gender.MALE


def _opposite(rng: random.Random, gender: Gender) -> Gender:
    if rng.random() < 0.05:
        return gender
    return {Gender.FEMALE: Gender.MALE, Gender.MALE: Gender.FEMALE}.get(gender, Gender.NOT_KNOWN)


def _first_name(fake: Faker, gender: Gender) -> str:
    if gender == Gender.FEMALE:
        return fake.first_name_female()
    if gender == Gender.MALE:
        return fake.first_name_male()
    return fake.first_name_nonbinary()


def _address(rng: random.Random, fake: Faker, *, with_postcode: bool) -> DemoAddress:
    # Faker's en_GB street address is "87 Dixon Ferry" or "Flat 7\nAmelia Locks".
    line_1, _, line_2 = fake.street_address().partition("\n")
    town = fake.city()
    postcode = _valid_postcode(fake) if with_postcode else ""
    uprn = str(rng.randrange(10**7, 10**11)) if rng.random() < 0.6 else ""
    return DemoAddress(line_1=line_1, line_2=line_2, town=town, postcode=postcode, uprn=uprn)


def _valid_postcode(fake: Faker) -> str:
    """A Faker postcode that passes `clean_postcode`, normalised. Faker's en_GB formats
    ignore some letter rules, so a few draws are refused and drawn again; so are districts
    with a leading zero ("FK08"), which pass the rules but look wrong."""
    while True:
        try:
            postcode = clean_postcode(fake.postcode())
        except ValidationError:
            continue
        if not LEADING_ZERO_DISTRICT.match(postcode):
            return postcode


def _member(
    rng: random.Random,
    fake: Faker,
    person: _Person,
    *,
    family: int,
    index: int,
    dfe_number: str | None,
) -> DemoMember:
    n = family * 10 + index
    age = person.age
    lives_elsewhere = person.relationship == Relationship.NON_RESIDENT_PARENT
    # A few members have no identifier on record at all.
    unidentified = rng.random() < 0.05
    in_school = 4 <= age <= 15 or (16 <= age <= 18 and rng.random() < 0.65)
    chances = {
        "nhs_number": 0.6 if lives_elsewhere else 0.9,
        "nino": 0.75 if age >= 16 else 0.0,
        "upn": 0.92 if in_school else 0.0,
        "uln": 0.7 if 14 <= age <= 18 else 0.3 if 19 <= age <= 25 else 0.0,
        "school_urn": 0.5 if in_school else 0.0,
    }
    has = {name: not unidentified and rng.random() < chance for name, chance in chances.items()}
    temporary_upn = rng.random() < 0.03
    upn = (
        demo_upn(
            n, dfe_number=dfe_number, year=person.date_of_birth.year + 4, temporary=temporary_upn
        )
        if has["upn"] and dfe_number
        else ""
    )
    return DemoMember(
        la_individual_id=f"DEMO-I{family:06d}-{index}",
        public_id=demo_uuid(rng),
        forename=_first_name(fake, person.gender),
        other_names=_first_name(fake, person.gender) if rng.random() < 0.3 else "",
        surname=person.surname,
        date_of_birth=person.date_of_birth,
        gender=person.gender,
        relationship=person.relationship,
        lives_in_household=not lives_elsewhere,
        expectant_parent=person.expectant_parent,
        in_full_time_education=16 <= age <= 18 and in_school,
        address=_address(rng, fake, with_postcode=rng.random() > 0.1) if lives_elsewhere else None,
        nhs_number=demo_nhs_number(n) if has["nhs_number"] else "",
        nino=demo_nino(n, suffix=rng.choice("ABCD")) if has["nino"] else "",
        upn=upn,
        uln=demo_uln(n) if has["uln"] else "",
        school_urn=str(rng.randrange(100_000, 150_000)) if has["school_urn"] else "",
    )
