"""Which request a log line belongs to: its id, the signed-in user's public id, and its path
with ids only. Held in a context variable for as long as the request is handled.

Two middleware fill it: `RequestIdMiddleware`, first of all, takes the request id (from a
sane `X-Request-ID` that the proxy set, or a new UUID), returns it in the response header and
writes one log line per request; `LogUserMiddleware`, after authentication, adds the user.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.log import log_response

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like: a UUID, or a load balancer's trace id. Anything
# else (too long, or with spaces, quotes or control characters) is replaced by a new id, so a
# client cannot write text of its choosing into the logs through the header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")
# A route's parameter: <uuid:public_id>, <period_start>.
_PARAMETER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")

logger = logging.getLogger("changing_lives.request")


@dataclass
class RequestContext:
    request_id: str
    request: HttpRequest
    # The signed-in user's public UUID: never a username, name or e-mail address.
    user_id: str | None = None

    @property
    def path(self) -> str | None:
        return path_with_ids_only(self.request)


_current: ContextVar[RequestContext | None] = ContextVar("changing_lives_request", default=None)


def current() -> RequestContext | None:
    """The context of the request being handled, or None (a command, a Celery task)."""
    return _current.get()


def path_with_ids_only(request: HttpRequest) -> str | None:
    """The request's path as its URL pattern, each parameter filled only if it is a UUID.

    A `<str:...>` parameter matches anything typed into the address bar (a name, a date of
    birth), and an unmatched path is whatever was typed, so neither is ever logged: the first
    is shown by its name (`/progress/<period_start>/families/1b4e.../`), the second not at
    all (None). The query string, which can hold a searched name or NINO, never is.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        return None

    def fill(parameter: re.Match[str]) -> str:
        name = parameter.group(1)
        value = match.kwargs.get(name)
        return str(value) if isinstance(value, uuid.UUID) else f"<{name}>"

    return "/" + _PARAMETER.sub(fill, match.route)


def request_id_of(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if _SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every log line of the request carries its id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        context = RequestContext(request_id=request_id_of(request), request=request)
        token = _current.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = context.request_id
            if response.status_code >= 400:
                # Django logs a 4xx or 5xx response itself only after the last middleware has
                # returned, outside this request's context and with the path as typed: logged
                # here instead, with the path with ids only (Django sees it is logged already).
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    path_with_ids_only(request) or "-",
                    response=response,  # type: ignore[arg-type]  # any response, in fact
                    request=request,
                )
            if not request.path.startswith(self.static_prefix):
                self._log(request, response, started)
            return response
        finally:
            _current.reset(token)

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponseBase, started: float) -> None:
        duration_ms = round((time.monotonic() - started) * 1000)
        logger.info(
            "%s %s %s %sms",
            request.method,
            path_with_ids_only(request) or "-",
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "status_code": response.status_code,
                "duration_ms": duration_ms,
            },
        )


class LogUserMiddleware:
    """After AuthenticationMiddleware: adds the signed-in user's public id to the context
    (and, on the way out, the user who has just signed in)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        self._note_user(request)
        response = self.get_response(request)
        self._note_user(request)
        return response

    @staticmethod
    def _note_user(request: HttpRequest) -> None:
        context = current()
        user = getattr(request, "user", None)
        if context is not None and user is not None and user.is_authenticated:
            public_id = getattr(user, "public_id", None)
            if public_id is not None:
                context.user_id = str(public_id)
