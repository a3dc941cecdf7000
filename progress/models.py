"""Family Progress Data: six-monthly periods and measures (reference data), each supported
family's return for a period, and the values recorded in it."""

from django.conf import settings
from django.db import models

from changing_lives.authorities.models import LocalAuthority
from families.models import Family, Individual


class Period(models.Model):
    """A reporting period, with the date its returns are due. Stored by dates, never by a
    label alone; financial half-years by default, created ahead (progress/periods.py)."""

    start_on = models.DateField(unique=True)
    end_on = models.DateField()
    due_on = models.DateField("Return due by")

    class Meta:
        ordering = ["-start_on"]
        default_permissions = ()
        permissions = [
            ("manage_progress_reference", "Can change progress periods and measures"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("end_on")), name="period_due_after_end"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        start, end = self.start_on, self.end_on
        if start.year == end.year:
            return f"{start:%B} to {end:%B %Y}"
        return f"{start:%B %Y} to {end:%B %Y}"


class MeasureLevel(models.TextChoices):
    FAMILY = "family", "Family"
    INDIVIDUAL = "individual", "Individual"


class MeasureKind(models.TextChoices):
    YES_NO_UNKNOWN = "yes_no_unknown", "Yes, no or unknown"
    COUNT = "count", "Count"
    MONEY = "money", "Money (GBP)"
    PERCENTAGE = "percentage", "Percentage"
    CODE = "code", "Code from a list"


class MeasureQuerySet(models.QuerySet["Measure"]):
    def in_use(self) -> "MeasureQuerySet":
        return self.filter(retired_on__isnull=True)


class Measure(models.Model):
    """One thing recorded for every supported family or member each period.

    Reference data: an admin adds or retires measures without a code change. A retired
    measure is no longer asked for; its values stay.
    """

    code = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    description = models.CharField(max_length=250, blank=True)
    level = models.CharField(max_length=10, choices=MeasureLevel.choices)
    kind = models.CharField(max_length=16, choices=MeasureKind.choices)
    unit = models.CharField(max_length=20, blank=True)
    # For a code list: [["NONE", "None"], ["CIN", "Child in need"], ...].
    codes = models.JSONField(default=list, blank=True)
    # The ages (at the period's end) an individual measure applies to; blank is no bound.
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Asked for periods ending on or after this date (blank: every period, as the shipped
    # measures are); a measure added later does not reach back into returns already made.
    introduced_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.label


class ReturnStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class FamilyReturnQuerySet(models.QuerySet["FamilyReturn"]):
    def for_authority(self, authority: LocalAuthority) -> "FamilyReturnQuerySet":
        return self.filter(family__local_authority=authority)


class FamilyReturn(models.Model):
    """A family's Family Progress Data for one period: started when a value is first saved."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="progress_returns")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(
        max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.IN_PROGRESS
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FamilyReturnQuerySet.as_manager()

    class Meta:
        default_permissions = ("view", "change")
        permissions = [
            ("view_completeness", "Can see how complete each period's returns are"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["family", "period"], name="one_return_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.period}"


class ProgressValue(models.Model):
    """One measure's value for a family (individual empty) or a member, in one return.

    The value is stored in its canonical form (progress/values.py): "yes", "no", "unknown",
    a whole number, pence for money, a one-decimal percentage, or a code. "Unknown" is a
    value; a measure not yet recorded has no row at all.
    """

    # No index of their own: the unique constraint's index leads with the return, and a
    # measure index over a dozen values would only slow every load.
    family_return = models.ForeignKey(
        FamilyReturn, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+", db_index=False)
    individual = models.ForeignKey(
        Individual, on_delete=models.CASCADE, null=True, blank=True, related_name="progress_values"
    )
    value = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Changed after the return was complete: the next NIS submission carries it as a
    # correction, then clears the flag.
    correction_pending = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["family_return", "measure", "individual"],
                name="one_value_per_member_and_measure",
            ),
            # A family-level value has no individual: NULLs are distinct in a unique index.
            models.UniqueConstraint(
                fields=["family_return", "measure"],
                condition=models.Q(individual__isnull=True),
                name="one_family_value_per_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}={self.value}"
