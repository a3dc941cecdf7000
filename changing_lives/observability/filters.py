"""Filters on the log handler: what must never reach a log line, whichever logger wrote it."""

import logging
import re

from changing_lives.observability.context import current

# "GET /families/?q=Okafor HTTP/1.1": the request line of Django's development server.
_REQUEST_LINE = re.compile(r"^(?P<method>\S+) (?P<path>[^?\s]*)\?\S*(?P<rest>.*)$")


def without_query_string(request_line: str) -> str:
    return _REQUEST_LINE.sub(r"\g<method> \g<path>\g<rest>", request_line)


class RequestRedactFilter(logging.Filter):
    """Keeps query strings and typed paths out of the logs.

    - `django.server` (runserver, development only) logs each request line in full: its query
      string, which may hold a searched name or NINO, is cut off.
    - Django's request, CSRF and security loggers put `request.path` in their messages
      ("Not Found: /families/Okafor/"): it is swapped for the path with ids only (or "-"
      when the path matched no URL, and so is only what someone typed).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.args, tuple) or not record.args:
            return True
        args = list(record.args)
        if record.name == "django.server" and isinstance(args[0], str):
            args[0] = without_query_string(args[0])
        context = current()
        if context is not None:
            raw_paths = {context.request.path, context.request.path_info}
            safe = context.path or "-"
            args = [safe if isinstance(arg, str) and arg in raw_paths else arg for arg in args]
        record.args = tuple(args)
        return True
