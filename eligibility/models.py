"""Criteria frameworks (reference data), assessments and their decisions, support episodes
and every status move.

Frameworks, headlines and indicators are shipped by a migration and kept for good: an
assessment keeps the framework it was made under even when an authority moves to a newer one.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from changing_lives.authorities.models import LocalAuthority
from families.models import Family, FamilyStatus, Individual


class Framework(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    version = models.PositiveSmallIntegerField(default=1)
    # "headline problems" (2015-2020) or "headline outcomes" (2022-2025), as the framework
    # itself says.
    headline_noun = models.CharField(max_length=40, default="headlines")
    min_headlines = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    non_resident_parent_max = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["code"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.name


class Headline(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="headlines")
    code = models.CharField(max_length=32)
    label = models.CharField(max_length=120)
    description = models.CharField(max_length=250, blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "order"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="headline_code_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Indicator(models.Model):
    headline = models.ForeignKey(Headline, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["headline", "order"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["headline", "code"], name="indicator_code_once"),
        ]

    def __str__(self) -> str:
        return self.label


class AuthorityFramework(models.Model):
    """The framework an authority assesses families under now."""

    local_authority = models.OneToOneField(
        LocalAuthority, on_delete=models.CASCADE, related_name="framework_choice"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = ()
        permissions = [("change_framework", "Can choose their authority's framework")]

    def __str__(self) -> str:
        return f"{self.local_authority}: {self.framework}"


class EvidenceSource(models.TextChoices):
    POLICE = "police", "Police"
    SCHOOL = "school", "School or education service"
    HEALTH = "health", "Health services"
    SOCIAL_CARE = "social_care", "Children's social care"
    HOUSING = "housing", "Housing"
    DWP = "dwp", "Jobcentre Plus or DWP"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    FAMILY = "family", "The family"
    OTHER = "other", "Other"


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def for_authority(self, authority: LocalAuthority) -> "AssessmentQuerySet":
        return self.filter(family__local_authority=authority)


class Assessment(models.Model):
    """One screening of a family: the criteria recorded, and the decision computed from them.

    The decision (eligible, headlines counted, reasons) is written once, by the rules, when
    the assessment is recorded; nobody types it. A team manager may override it with a
    reason, which is kept beside the computed decision, never over it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    framework_version = models.PositiveSmallIntegerField()
    screened_on = models.DateField("Date screened")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    eligible = models.BooleanField()
    headlines_counted = models.JSONField(default=list)
    reasons = models.JSONField(default=list)

    override_eligible = models.BooleanField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-screened_on", "-created_at", "-id"]
        default_permissions = ("view", "add")
        permissions = [
            ("override_assessment", "Can override an eligibility decision, with a reason"),
            ("view_programme_overview", "Can see the programme overview"),
        ]
        indexes = [models.Index(fields=["family", "-created_at"])]

    def __str__(self) -> str:
        return f"Assessment of {self.family} on {self.screened_on}"

    @property
    def is_overridden(self) -> bool:
        return self.override_eligible is not None

    @property
    def effective_eligible(self) -> bool:
        return self.eligible if self.override_eligible is None else self.override_eligible


class CriterionMet(models.Model):
    """A member meets a headline, on this evidence."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="criteria")
    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="criteria")
    headline = models.ForeignKey(Headline, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    evidence_note = models.CharField(max_length=500, blank=True)
    evidence_on = models.DateField("Evidence date")
    evidence_source = models.CharField(max_length=20, choices=EvidenceSource.choices)

    class Meta:
        ordering = ["individual", "headline__order"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "individual", "headline"], name="criterion_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.individual} meets {self.headline}"


class SupportIntensity(models.TextChoices):
    LIGHT = "LIGHT", "Light"
    STANDARD = "STANDARD", "Standard"
    INTENSIVE = "INTENSIVE", "Intensive"


class EndReason(models.TextChoices):
    OUTCOMES_ACHIEVED = "outcomes_achieved", "Outcomes achieved"
    DISENGAGED = "disengaged", "Family disengaged"
    MOVED_AWAY = "moved_away", "Moved out of area"
    STEPPED_UP = "stepped_up", "Stepped up to social care"
    OTHER = "other", "Other"


class Intervention(models.Model):
    """A period of support: from its start to its end (if it has ended)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="interventions")
    started_on = models.DateField("Support start date")
    intensity = models.CharField(max_length=10, choices=SupportIntensity.choices)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_on = models.DateField("Support end date", null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        default_permissions = ()
        permissions = [
            (
                "manage_support",
                "Can start and end support and place families in the comparison group",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="support_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Support for {self.family} from {self.started_on}"


class StatusChange(models.Model):
    """Every move of a family's status: from what, to what, by whom, when."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=FamilyStatus.choices)
    to_status = models.CharField(max_length=20, choices=FamilyStatus.choices)
    move = models.CharField(max_length=24)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    effective_on = models.DateField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["to_status", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.family}: {self.from_status} to {self.to_status}"
