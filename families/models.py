"""Families and their members (individuals), the history of their changes, and the
reference data their identifiers are checked against.

Every row a caseworker can reach hangs from a LocalAuthority; reads go through the
`for_authority` QuerySet methods (docs/adr/0001-tenant-scoping.md).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from changing_lives.authorities.models import LocalAuthority
from families.validation import (
    validate_date_of_birth,
    validate_person_name,
    validate_school_urn,
    validate_uprn,
)


class Gender(models.TextChoices):
    # After the NHS Data Dictionary's person stated gender codes.
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    INDETERMINATE = "indeterminate", "Indeterminate (unable to be classified as male or female)"
    NOT_KNOWN = "not_known", "Not known"


class Relationship(models.TextChoices):
    MAIN_CARER = "main_carer", "Main carer"
    PARTNER = "partner", "Partner of main carer"
    CHILD = "child", "Child"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    OTHER_ADULT = "other_adult", "Other adult"
    NON_RESIDENT_PARENT = "non_resident_parent", "Non-resident parent"


class ObjectionMethod(models.TextChoices):
    IN_WRITING = "in_writing", "In writing"
    EMAIL = "email", "By email"
    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "By telephone"
    OTHER = "other", "Another way"


class FamilyStatus(models.TextChoices):
    """Where the family is in the programme. Moves are made by the eligibility app."""

    REFERRED = "referred", "Referred"
    ASSESSED = "assessed", "Assessed: awaiting decision"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    INTERVENTION = "intervention", "Eligible: intervention"
    COMPARISON = "comparison", "Eligible: comparison group"
    CLOSED = "closed", "Closed"


class DfeLaNumber(models.Model):
    """The Department for Education's local authority numbers (positions 2-4 of a UPN).

    Reference data shipped by a migration. A number never leaves the list, even after a
    reorganisation retires it, because pupils keep the UPNs they were given.
    """

    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "DfE LA number"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class ReferenceCounter(models.Model):
    """The next number for generated LA family and individual IDs, per authority."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "kind"], name="one_counter_per_authority_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.last_number}"


class RetiredReference(models.Model):
    """An LA family or individual ID that was used once and may never be used again.

    Kept as an HMAC digest, not as the ID: the record it named may have been destroyed, and
    keeping its reference would keep a trace of it.
    """

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "kind", "digest"], name="retired_reference_once"
            )
        ]

    def __str__(self) -> str:
        return f"retired {self.kind}"


class FamilyQuerySet(models.QuerySet["Family"]):
    def for_authority(self, authority: LocalAuthority) -> "FamilyQuerySet":
        return self.filter(local_authority=authority)


class Family(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="families"
    )
    la_family_id = models.CharField("LA family ID", max_length=30)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
    )
    address_line_1 = models.CharField("Address line 1", max_length=100, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=100, blank=True)
    address_line_3 = models.CharField("Address line 3", max_length=100, blank=True)
    town = models.CharField("Town or city", max_length=60, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True, validators=[validate_uprn])
    referred_on = models.DateField("Date referred")
    case_opened_on = models.DateField("Date case opened", null=True, blank=True)
    case_closed_on = models.DateField("Date case closed", null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=FamilyStatus.choices, default=FamilyStatus.REFERRED
    )
    notes = models.TextField(blank=True)
    # When the family is due to be destroyed (changing_lives/retention/dates.py), kept up to
    # date whenever an input changes, so lists and the purge can filter on it.
    retention_on = models.DateField("Retention date", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "families"
        default_permissions = ("view", "add", "change")
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "la_family_id"], name="la_family_id_unique_in_authority"
            ),
        ]
        indexes = [
            models.Index(fields=["local_authority", "status"]),
            # The family list's caseload-first pages read these in order (lists.py).
            models.Index(
                fields=["local_authority", "lead_professional", "-updated_at", "-id"],
                name="family_caseload_recent_idx",
            ),
            models.Index(
                fields=["local_authority", "-updated_at", "-id"], name="family_recent_idx"
            ),
            models.Index(fields=["local_authority", "referred_on"]),
            models.Index(fields=["local_authority", "retention_on"]),
        ]

    def __str__(self) -> str:
        return self.la_family_id

    def clean(self) -> None:
        if (
            self.case_opened_on
            and self.case_closed_on
            and self.case_closed_on < self.case_opened_on
        ):
            raise ValidationError(
                {"case_closed_on": "Date case closed must be the same as or after the date opened"}
            )
        if self.case_closed_on and not self.case_opened_on:
            raise ValidationError(
                {"case_opened_on": "Enter the date the case opened, as it has a closing date"}
            )


class IndividualQuerySet(models.QuerySet["Individual"]):
    def for_authority(self, authority: LocalAuthority) -> "IndividualQuerySet":
        return self.filter(local_authority=authority)


# Identifiers that two individuals of one authority may not share, with their labels.
UNIQUE_IDENTIFIERS = {
    "nhs_number": "NHS number",
    "nino": "National Insurance number",
    "upn": "Unique Pupil Number",
    "uln": "Unique Learner Number",
}


class Individual(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Held here as well as through the family, so that identifiers can be unique per
    # authority in the database and lookups need no join.
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="individuals"
    )
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    la_individual_id = models.CharField("LA individual ID", max_length=30)
    forename = models.CharField(max_length=100, validators=[validate_person_name])
    surname = models.CharField(max_length=100, validators=[validate_person_name])
    other_names = models.CharField(max_length=200, blank=True, validators=[validate_person_name])
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    gender = models.CharField(max_length=16, choices=Gender.choices)
    relationship = models.CharField(
        "Relationship to the family", max_length=24, choices=Relationship.choices
    )
    lives_in_household = models.BooleanField("Lives in the household", default=True)
    expectant_parent = models.BooleanField(default=False)
    # A 16 to 18 year old in full-time education or training is a dependent child.
    in_full_time_education = models.BooleanField(
        "In full-time education or training", default=False
    )
    # The individual's own address, only where it differs from the family's.
    address_line_1 = models.CharField("Address line 1", max_length=100, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=100, blank=True)
    address_line_3 = models.CharField("Address line 3", max_length=100, blank=True)
    town = models.CharField("Town or city", max_length=60, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True, validators=[validate_uprn])
    nino = models.CharField("National Insurance number", max_length=9, blank=True)
    upn = models.CharField("Unique Pupil Number", max_length=13, blank=True)
    uln = models.CharField("Unique Learner Number", max_length=10, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    pnc_number = models.CharField("Police National Computer number", max_length=13, blank=True)
    school_urn = models.CharField(
        "School URN", max_length=6, blank=True, validators=[validate_school_urn]
    )
    nis_objection_on = models.DateField("Date of objection to the NIS", null=True, blank=True)
    nis_objection_method = models.CharField(
        "How the objection was made", max_length=16, choices=ObjectionMethod.choices, blank=True
    )
    # Upper-cased "forename other names surname", kept for search: PostgreSQL indexes it
    # with trigrams so a name search stays fast at a large authority's size.
    search_name = models.CharField(max_length=410, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndividualQuerySet.as_manager()

    class Meta:
        ordering = ["date_of_birth", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "la_individual_id"],
                name="la_individual_id_unique_in_authority",
            ),
            *(
                models.UniqueConstraint(
                    fields=["local_authority", identifier],
                    condition=~Q(**{identifier: ""}),
                    name=f"{identifier}_unique_in_authority",
                    violation_error_message=(
                        f"{label} is already recorded for another person in your local authority"
                    ),
                )
                for identifier, label in UNIQUE_IDENTIFIERS.items()
            ),
            models.CheckConstraint(
                condition=Q(nis_objection_on__isnull=True, nis_objection_method="")
                | Q(nis_objection_on__isnull=False) & ~Q(nis_objection_method=""),
                name="objection_has_date_and_method",
            ),
        ]
        indexes = [
            models.Index(fields=["local_authority", "pnc_number"]),
            # A search of short names (Li, Ng) matches whole forenames or surnames (search.py).
            models.Index("local_authority", Upper("forename"), name="individual_forename_idx"),
            models.Index("local_authority", Upper("surname"), name="individual_surname_idx"),
        ]

    def __str__(self) -> str:
        return self.la_individual_id

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = search_name_of(self.forename, self.other_names, self.surname)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if self.nis_objection_on and not self.nis_objection_method:
            raise ValidationError(
                {"nis_objection_method": "Select how the objection to the NIS was made"}
            )
        if self.nis_objection_method and not self.nis_objection_on:
            raise ValidationError(
                {"nis_objection_on": "Enter the date the objection to the NIS was made"}
            )

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def has_objected(self) -> bool:
        return self.nis_objection_on is not None


def search_name_of(forename: str, other_names: str, surname: str) -> str:
    return " ".join(part for part in (forename, other_names, surname) if part).upper()


class FamilyHistoryEntry(models.Model):
    """What changed in a family, by whom and when, with old and new values.

    It holds personal data (the values), so it belongs to the family and is deleted with it;
    entries about a member who moved on name them by `subject_id`, so erasing that member
    can reach their entries in the families they passed through.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Family created"
        UPDATED = "updated", "Family details changed"
        MEMBER_ADDED = "member_added", "Member added"
        MEMBER_UPDATED = "member_updated", "Member details changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        MEMBER_MOVED_IN = "member_moved_in", "Member moved in"
        MEMBER_MOVED_OUT = "member_moved_out", "Member moved out"
        ASSESSED = "assessed", "Assessment recorded"
        DECISION_OVERRIDDEN = "decision_overridden", "Eligibility decision overridden"
        STATUS_CHANGED = "status_changed", "Status changed"
        PROGRESS_RECORDED = "progress_recorded", "Progress data recorded"
        PROGRESS_CORRECTED = "progress_corrected", "Progress data corrected after completion"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="history")
    occurred_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    # The member the entry is about (their public id), if any.
    subject_id = models.UUIDField(null=True, blank=True, db_index=True)
    subject_label = models.CharField(max_length=250, blank=True)
    # [{"field": "surname", "label": "Surname", "old": "...", "new": "..."}, ...]
    changes = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        default_permissions = ()
        verbose_name_plural = "family history entries"

    def __str__(self) -> str:
        return self.get_action_display()
