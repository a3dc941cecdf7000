"""Every URL pattern in the URLconf, with a concrete example path for each.

Walking the URLconf (not a hand-kept list) means a new URL is covered by the access tests
the moment it is added. A pattern whose converter the walk cannot fill fails loudly, until
someone adds an example for it here.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)

EXAMPLE_VALUES: dict[type, str] = {
    UUIDConverter: str(uuid.UUID(int=1)),
    IntConverter: "1",
    SlugConverter: "example",
    PathConverter: "example",
    StringConverter: "example",
}

# Names of the pages anyone may open without signing in; everything else sends them to
# the sign-in page.
PUBLIC_URL_NAMES = frozenset(
    {
        "accounts:login",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        # Reached from an invitation e-mail, before the invitee has a password.
        "accounts:invite_accept",
        "pages:privacy_notices",
        "pages:privacy_notice",
        "pages:accessibility",
        "pages:cookies",
        "healthz",
    }
)


@dataclass(frozen=True)
class WalkedUrl:
    name: str
    path: str
    parameters: tuple[str, ...]

    @property
    def takes_arguments(self) -> bool:
        return bool(self.parameters)


def walk(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[WalkedUrl]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + _example(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                raise AssertionError(f"URL pattern {entry.pattern} has no name")
            yield WalkedUrl(
                name=f"{namespace}{entry.name}",
                path="/" + prefix + _example(entry.pattern),
                parameters=tuple(entry.pattern.converters),
            )


def _example(pattern: object) -> str:
    route = str(pattern)
    converters = getattr(pattern, "converters", {})
    if not converters:
        if "(?P<" in route or "^" in route:
            raise AssertionError(f"Regex URL pattern {route!r}: add an example to tests/urlwalk.py")
        return route
    for name, converter in converters.items():
        example = EXAMPLE_VALUES.get(type(converter))
        if example is None:
            raise AssertionError(
                f"URL converter {type(converter).__name__} in {route!r}: add an example value "
                "to EXAMPLE_VALUES in tests/urlwalk.py"
            )
        route = _replace_parameter(route, name, example)
    return route


def _replace_parameter(route: str, name: str, value: str) -> str:
    start = route.index("<")
    while start != -1:
        end = route.index(">", start)
        if route[start + 1 : end].split(":")[-1] == name:
            return route[:start] + value + route[end + 1 :]
        start = route.find("<", end)
    raise AssertionError(f"parameter {name} not found in {route!r}")
