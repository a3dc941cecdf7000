from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "changing_lives.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Connects the sign-in receivers.
        from changing_lives.audit import receivers  # noqa: F401
