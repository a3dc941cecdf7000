from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "changing_lives.accounts"
    label = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from changing_lives.accounts.roles import roles_sync_after_migrate

        # After every migrate (and every test-database flush), make each role's group hold
        # exactly the permissions the code gives it.
        post_migrate.connect(
            roles_sync_after_migrate, sender=self, dispatch_uid="accounts.roles_sync"
        )
