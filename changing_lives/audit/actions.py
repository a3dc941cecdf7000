"""Every kind of audited event. Features add theirs here, and record them with audit_record."""

from enum import StrEnum


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_FAILED = "login_failed"
    LOCKED_OUT = "locked_out"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET_COMPLETED = "password_reset_completed"
    AUTHORITY_SETTINGS_CHANGED = "authority_settings_changed"
