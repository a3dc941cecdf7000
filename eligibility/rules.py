"""The eligibility decision: does a family qualify under a framework, and why.

Pure: plain data in, a `Decision` out, with no database, so the rules are tested by tables.
The caller takes a snapshot of the family's members and recorded criteria, and keeps the
decision with the code and version of the framework it was made under.

The rules:

1. The family meets a headline if any member meets it; a headline met by several members
   counts once.
2. A non-resident parent (relationship "non_resident_parent") counts for at most
   `FrameworkRules.non_resident_parent_max` headlines that no other member meets; a headline
   that another member meets is counted through that member anyway. With several non-resident
   parents, their contributions are chosen by exact search to count as many distinct
   headlines as possible; ties go to the headlines earliest in the framework's order, then to
   the parent who comes first (oldest first, then by name, then by key).
3. A dependent child is a member who is not a non-resident parent, lives in the household and,
   at the screening date, is aged 0 to 15, or 16 to 18 and in full-time education or training.
   An expectant parent is a member, not a non-resident parent, recorded as expecting.
4. Age is in whole years at the screening date: a birthday on the screening date has been had.
   Someone born on 29 February is a year older on 1 March in a year without one. A member born
   after the screening date is not counted as a child.
5. The family is eligible when it meets at least `min_headlines` distinct headlines and
   includes at least one dependent child or expectant parent.
6. A criterion naming a member or headline the decision was not given raises ValueError: the
   caller built the snapshot wrongly, which no user can put right.

The decision does not depend on the order of the members or criteria it is given. Reasons
name members and give ages, never dates of birth or identifiers.
"""

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# families.models.Relationship.NON_RESIDENT_PARENT, spelt out so this module needs no Django.
NON_RESIDENT_PARENT = "non_resident_parent"
OLDEST_CHILD_AGE = 15
OLDEST_CHILD_AGE_IN_EDUCATION = 18


@dataclass(frozen=True)
class FrameworkRules:
    code: str
    version: int
    name: str
    min_headlines: int
    headlines: tuple[tuple[str, str], ...]  # (code, label) in the framework's order
    non_resident_parent_max: int = 1
    headline_noun: str = "headlines"  # plural, as reasons say it: "headline problems"

    def __post_init__(self) -> None:
        codes = [code for code, _ in self.headlines]
        if len(set(codes)) != len(codes):
            raise ValueError(f"Framework {self.code} lists a headline code twice")
        if not 1 <= self.min_headlines <= len(codes):
            raise ValueError(f"Framework {self.code} needs between 1 and {len(codes)} headlines")
        # A parent who could count for no headline at all would not need a rule of their own.
        if self.non_resident_parent_max < 1:
            raise ValueError(f"Framework {self.code} must let a non-resident parent count")


@dataclass(frozen=True)
class MemberFacts:
    key: str
    name: str
    date_of_birth: datetime.date
    relationship: str  # a families.models.Relationship value
    lives_in_household: bool
    expectant_parent: bool
    in_full_time_education: bool


@dataclass(frozen=True)
class CriterionFacts:
    member_key: str
    headline_code: str


@dataclass(frozen=True)
class Decision:
    eligible: bool
    headlines_counted: tuple[str, ...]  # in the framework's order
    dependants: tuple[str, ...]  # keys of the dependent children and expectant parents
    reasons: tuple[str, ...]
    framework_code: str
    framework_version: int


def decide(
    *,
    rules: FrameworkRules,
    members: Sequence[MemberFacts],
    criteria: Sequence[CriterionFacts],
    screened_on: datetime.date,
) -> Decision:
    headlines_by_member = _headlines_by_member(rules=rules, members=members, criteria=criteria)
    members_in_order = sorted(members, key=_member_order)
    non_resident_parents = [m for m in members_in_order if _is_non_resident_parent(m)]
    resident_headlines = frozenset[str]().union(
        *(headlines_by_member[m.key] for m in members_in_order if not _is_non_resident_parent(m))
    )
    contributions = _best_non_resident_contributions(
        rules=rules,
        resident_headlines=resident_headlines,
        offers=[headlines_by_member[m.key] for m in non_resident_parents],
    )
    counted = resident_headlines.union(*contributions)
    headlines_counted = tuple(code for code, _ in rules.headlines if code in counted)
    dependants = [
        m
        for m in members_in_order
        if _is_dependent_child(m, screened_on=screened_on) or _is_expectant_parent(m)
    ]
    enough_headlines = len(headlines_counted) >= rules.min_headlines
    eligible = enough_headlines and bool(dependants)

    limited = [
        _non_resident_limit_reason(
            rules=rules,
            parent=parent,
            contributed=contributed,
            not_counted=headlines_by_member[parent.key] - counted,
        )
        for parent, contributed in zip(non_resident_parents, contributions, strict=True)
        if headlines_by_member[parent.key] - counted
    ]
    reasons = (
        _headlines_reason(rules=rules, headlines_counted=headlines_counted),
        *limited,
        *_dependants_reasons(dependants=dependants, screened_on=screened_on),
        _conclusion(
            rules=rules,
            eligible=eligible,
            enough_headlines=enough_headlines,
            has_dependant=bool(dependants),
        ),
    )
    return Decision(
        eligible=eligible,
        headlines_counted=headlines_counted,
        dependants=tuple(m.key for m in dependants),
        reasons=reasons,
        framework_code=rules.code,
        framework_version=rules.version,
    )


def age_in_years(*, born_on: datetime.date, on: datetime.date) -> int:
    # Comparing (month, day) puts a 29 February birthday after 28 February in every year, so
    # in a year without one the birthday is had on 1 March.
    had_birthday = (on.month, on.day) >= (born_on.month, born_on.day)
    return on.year - born_on.year - (0 if had_birthday else 1)


def _headlines_by_member(
    *, rules: FrameworkRules, members: Sequence[MemberFacts], criteria: Sequence[CriterionFacts]
) -> dict[str, frozenset[str]]:
    keys = [m.key for m in members]
    if len(set(keys)) != len(keys):
        raise ValueError("Two members share a key")
    codes = {code for code, _ in rules.headlines}
    met: dict[str, set[str]] = {key: set() for key in keys}
    for criterion in criteria:
        if criterion.member_key not in met:
            raise ValueError(f"A criterion names an unknown member {criterion.member_key!r}")
        if criterion.headline_code not in codes:
            raise ValueError(
                f"A criterion names {criterion.headline_code!r}, which is not a headline of "
                f"framework {rules.code}"
            )
        met[criterion.member_key].add(criterion.headline_code)
    return {key: frozenset(headlines) for key, headlines in met.items()}


def _member_order(member: MemberFacts) -> tuple[datetime.date, str, str]:
    # Oldest first, as a family is usually listed; the key makes the order total.
    return (member.date_of_birth, member.name, member.key)


def _is_non_resident_parent(member: MemberFacts) -> bool:
    return member.relationship == NON_RESIDENT_PARENT


def _is_dependent_child(member: MemberFacts, *, screened_on: datetime.date) -> bool:
    if _is_non_resident_parent(member) or not member.lives_in_household:
        return False
    age = age_in_years(born_on=member.date_of_birth, on=screened_on)
    return 0 <= age <= OLDEST_CHILD_AGE or (
        OLDEST_CHILD_AGE < age <= OLDEST_CHILD_AGE_IN_EDUCATION and member.in_full_time_education
    )


def _is_expectant_parent(member: MemberFacts) -> bool:
    return member.expectant_parent and not _is_non_resident_parent(member)


def _best_non_resident_contributions(
    *, rules: FrameworkRules, resident_headlines: frozenset[str], offers: list[frozenset[str]]
) -> tuple[frozenset[str], ...]:
    """The headlines each non-resident parent counts for, in the order of `offers`.

    Tries every combination: choosing greedily, parent by parent, can let one parent take the
    only headline another could have added.
    """
    position = {code: index for index, (code, _) in enumerate(rules.headlines)}

    def choices(offer: frozenset[str]) -> list[frozenset[str]]:
        new = sorted(offer - resident_headlines, key=position.__getitem__)
        # Taking fewer than the limit never counts more headlines, so only full picks are tried.
        size = min(rules.non_resident_parent_max, len(new))
        return [frozenset(pick) for pick in itertools.combinations(new, size)]

    def preference(
        assignment: tuple[frozenset[str], ...],
    ) -> tuple[int, list[int], list[list[int]]]:
        union = frozenset[str]().union(*assignment)
        return (
            -len(union),
            sorted(position[code] for code in union),
            [sorted(position[code] for code in pick) for pick in assignment],
        )

    return min(itertools.product(*(choices(offer) for offer in offers)), key=preference)


def _labels(*, rules: FrameworkRules, codes: Iterable[str]) -> str:
    wanted = set(codes)
    return ", ".join(label for code, label in rules.headlines if code in wanted)


def _headlines_reason(*, rules: FrameworkRules, headlines_counted: tuple[str, ...]) -> str:
    of_total = f"of the {len(rules.headlines)} {rules.headline_noun}"
    needed = f"(at least {rules.min_headlines} needed)"
    if not headlines_counted:
        return f"Meets none {of_total} {needed}."
    labels = _labels(rules=rules, codes=headlines_counted)
    return f"Meets {len(headlines_counted)} {of_total} {needed}: {labels}."


def _non_resident_limit_reason(
    *,
    rules: FrameworkRules,
    parent: MemberFacts,
    contributed: frozenset[str],
    not_counted: frozenset[str],
) -> str:
    limit = rules.non_resident_parent_max
    allowance = "one headline" if limit == 1 else f"{limit} headlines"
    return (
        f"{parent.name} is a non-resident parent, so counts for {allowance} only: "
        f"{_labels(rules=rules, codes=contributed)} "
        f"(not counted: {_labels(rules=rules, codes=not_counted)})."
    )


def _dependants_reasons(*, dependants: list[MemberFacts], screened_on: datetime.date) -> list[str]:
    if not dependants:
        return [
            "No dependent child (aged 0 to 15, or 16 to 18 in full-time education or training) "
            "or expectant parent in the household."
        ]
    reasons = []
    for member in dependants:
        if _is_dependent_child(member, screened_on=screened_on):
            reasons.append(_dependent_child_reason(member=member, screened_on=screened_on))
        if _is_expectant_parent(member):
            reasons.append(f"Includes an expectant parent: {member.name}.")
    return reasons


def _dependent_child_reason(*, member: MemberFacts, screened_on: datetime.date) -> str:
    age = age_in_years(born_on=member.date_of_birth, on=screened_on)
    aged = "aged under 1" if age == 0 else f"aged {age}"
    # Past 15 the child counts only because of their education, so the reason says so.
    education = ", in full-time education or training" if age > OLDEST_CHILD_AGE else ""
    return f"Includes a dependent child: {member.name}, {aged}{education}."


def _conclusion(
    *, rules: FrameworkRules, eligible: bool, enough_headlines: bool, has_dependant: bool
) -> str:
    at_least = f"at least {rules.min_headlines} {rules.headline_noun}"
    if eligible:
        return (
            f"Eligible: the family meets {at_least} and has a dependent child or expectant parent."
        )
    shortfalls = []
    if not enough_headlines:
        shortfalls.append(f"meets fewer than {rules.min_headlines} {rules.headline_noun}")
    if not has_dependant:
        shortfalls.append("has no dependent child or expectant parent")
    return f"Not eligible: the family {' and '.join(shortfalls)}."
