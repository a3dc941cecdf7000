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
    FAMILY_VIEWED = "family_viewed"
    FAMILY_CREATED = "family_created"
    FAMILY_UPDATED = "family_updated"
    MEMBER_ADDED = "member_added"
    MEMBER_UPDATED = "member_updated"
    MEMBER_REMOVED = "member_removed"
    MEMBER_MOVED = "member_moved"
    ASSESSMENT_RECORDED = "assessment_recorded"
    ASSESSMENT_OVERRIDDEN = "assessment_overridden"
    STATUS_CHANGED = "status_changed"
    AUTHORITY_FRAMEWORK_CHANGED = "authority_framework_changed"
    PROGRESS_SAVED = "progress_saved"
    PROGRESS_COMPLETED = "progress_completed"
    PROGRESS_GAPS_DOWNLOADED = "progress_gaps_downloaded"
    PROGRESS_REFERENCE_CHANGED = "progress_reference_changed"
