"""Turning a ValidationError into words for places without a form (commands, task results)."""

from django.core.exceptions import ValidationError


def validation_messages(error: ValidationError) -> list[str]:
    """Each message, prefixed by the field it is about where there is one."""
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)
