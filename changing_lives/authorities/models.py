"""Local authorities: the tenants. Every record a user can reach belongs to one."""

from django.core.validators import RegexValidator
from django.db import models

gss_code_validator = RegexValidator(
    regex=r"^E(06|08|09|10)\d{6}$",
    message=(
        "Enter an ONS GSS code of an upper-tier authority: E06, E08, E09 or E10 "
        "followed by 6 digits, like E09000033"
    ),
    code="gss_code_format",
)
dfe_number_validator = RegexValidator(
    regex=r"^\d{3}$",
    message="Enter the DfE local authority number as 3 digits, like 213",
    code="dfe_number_format",
)


class LocalAuthority(models.Model):
    name = models.CharField(max_length=120, unique=True)
    gss_code = models.CharField(
        "ONS GSS code", max_length=9, unique=True, validators=[gss_code_validator]
    )
    dfe_number = models.CharField(
        "DfE LA number", max_length=3, unique=True, validators=[dfe_number_validator]
    )
    # The privacy notice families were given, published as this authority's public page.
    # Held here so the authority's admin can keep it current without a code change.
    privacy_notice = models.TextField(blank=True)
    privacy_notice_updated_at = models.DateTimeField(null=True, blank=True)
    # Some source systems drop a National Insurance number's final letter; an authority
    # whose records come from one may accept the 8 characters as "suffix unknown".
    allow_nino_without_suffix = models.BooleanField(
        "Accept National Insurance numbers without their final letter", default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        default_permissions = ()
        permissions = [
            ("change_own_authority", "Can change their local authority's settings"),
        ]

    def __str__(self) -> str:
        return self.name
