"""Sessions end after SESSION_IDLE_SECONDS without a request, and SESSION_ABSOLUTE_SECONDS
after sign-in whatever happens.

The session holds when it started and when it was last used (seconds since the epoch). A
request past either limit signs the user out (`logout`, so the sign-out is audited like any
other) and sends them to sign in again, back to where they were afterwards. Django's own
cookie age (SESSION_COOKIE_AGE) is the absolute limit too, as a backstop in the browser.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

STARTED_KEY = "_session_started_at"
LAST_SEEN_KEY = "_session_last_seen_at"
# Last activity is written at most once a minute, not on every request: a session write per
# page (and per static file the page loads) would be a database write per click for nothing.
# So a session ends between IDLE - 60 and IDLE seconds after the last request.
LAST_SEEN_RESOLUTION = 60


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    if hours < 1:
        return _minutes(seconds)
    hours_text = f"{hours:g}"
    return f"{hours_text} hour" if hours_text == "1" else f"{hours_text} hours"


def idle_message() -> str:
    return f"You were signed out after {_minutes(settings.SESSION_IDLE_SECONDS)} without activity"


def absolute_message() -> str:
    return (
        f"You were signed out because you had been signed in for "
        f"{_hours(settings.SESSION_ABSOLUTE_SECONDS)}"
    )


def _last_login(request: HttpRequest) -> int | None:
    last_login = getattr(request.user, "last_login", None)
    return int(last_login.timestamp()) if last_login is not None else None


class SessionTimeoutMiddleware:
    """After MessageMiddleware (it leaves a message for the sign-in page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        was_signed_in = request.user.is_authenticated
        if was_signed_in:
            now = int(time.time())
            started = request.session.get(STARTED_KEY)
            if not isinstance(started, int):
                # A session signed in without the form (a test's force_login) or before this
                # middleware existed: taken as started at the user's last sign-in.
                started = _last_login(request) or now
            last_seen = request.session.get(LAST_SEEN_KEY)
            if not isinstance(last_seen, int):
                last_seen = started
            if now - started >= settings.SESSION_ABSOLUTE_SECONDS:
                return self._sign_out(request, absolute_message())
            if now - last_seen >= settings.SESSION_IDLE_SECONDS:
                return self._sign_out(request, idle_message())
            if now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[STARTED_KEY] = started
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if not was_signed_in and request.user.is_authenticated:
            # Signed in by this very request (the sign-in form, whose response saves the
            # session anyway): the session starts now.
            now = int(time.time())
            request.session[STARTED_KEY] = now
            request.session[LAST_SEEN_KEY] = now
        return response

    @staticmethod
    def _sign_out(request: HttpRequest, message: str) -> HttpResponseBase:
        logout(request)
        messages.info(request, message)
        if request.path == reverse("accounts:logout"):
            # They were signing out anyway: nothing to come back to.
            return redirect(settings.LOGIN_URL)
        return redirect_to_login(request.get_full_path())
