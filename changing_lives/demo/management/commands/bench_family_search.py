"""Time the family list's queries for a realistic set of searches: the figures in
docs/performance.md.

Each search is run as the family list view runs it: its GET parameters are cleaned by
FamilyFilterForm and the page is built by the view's own `family_list_page` (search,
filters, ordering, prefetch, Paginator), then evaluated as the view evaluates it. Nothing is
cached between runs: every run builds a new form and page.

Read-only: it never writes to the database. Search terms and identifiers are taken from
the authority's own records (the most and least common surname, a member in the middle of
the table), so it runs on any seeded database.
"""

import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.paginator import Page
from django.db import connection
from django.db.models import Count
from django.http import QueryDict

from changing_lives.accounts.models import User
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.users import DEMO_AUTHORITY
from families.forms import FamilyFilterForm
from families.models import Family, Individual
from families.views.lists import PAGE_SIZE, SEARCH_MOST, Found, family_list_page, main_contact

DEFAULT_RUNS = 20
DEFAULT_WARMUP = 3
DEFAULT_SLOW_MS = 50.0
# A page is a COUNT and its rows (for the default list, the user's caseload and the rest),
# each with its members prefetch: never more than this many statements, whatever its size.
MAX_STATEMENTS = 5


def page_evaluate(*, authority: LocalAuthority, user: User, data: QueryDict) -> Page:
    """One page of the family list, built and evaluated as the view builds and evaluates it."""
    form = FamilyFilterForm(data or None, authority=authority)
    if form.is_bound and not form.is_valid():
        raise CommandError(f"the search {data.urlencode()} is not valid: {form.errors}")
    page = family_list_page(
        authority=authority,
        user=user,
        filters=form.cleaned_data if form.is_bound else None,
        page_number=data.get("page"),
    )
    rows = [{"family": family, "contact": main_contact(family)} for family in page.object_list]
    assert len(rows) == len(page.object_list)
    return page


@dataclass
class Statement:
    sql: str
    params: Any
    ms: float


@dataclass
class Search:
    name: str
    what: str
    data: QueryDict
    totals: list[float] = field(default_factory=list)
    database_ms: list[float] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    found: str = ""  # "1,234", or "more than 1,000" when the list asks for more detail
    page_number: int = 0


@contextmanager
def statements_timed() -> Iterator[list[Statement]]:
    """The SQL statements run inside the block, each with its time in the database driver."""
    timed: list[Statement] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(Statement(sql, params, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(wrapper):
        yield timed


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: with 20 runs, p95 is the 19th fastest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Command(BaseCommand):
    help = (
        "Time the family list's queries (COUNT, page rows, members prefetch) for a set of "
        "realistic searches against the current database. Read-only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--la",
            default=DEMO_AUTHORITY["gss_code"],
            help=f"GSS code of the authority (default the demo authority, "
            f"{DEMO_AUTHORITY['gss_code']}).",
        )
        parser.add_argument(
            "--user",
            help="Username the list is shown to (caseload first, 'only my caseload'). "
            "Default: the authority's user who leads the most families.",
        )
        parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
        parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP)
        parser.add_argument(
            "--search",
            action="append",
            dest="searches",
            metavar="NAME",
            help="Only this search (repeatable). Default: all of them.",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Print EXPLAIN (ANALYZE, BUFFERS) of each statement of the slow searches.",
        )
        parser.add_argument(
            "--slow-ms",
            type=float,
            default=DEFAULT_SLOW_MS,
            help=f"With --explain, a search is slow if its p95 is over this "
            f"(default {DEFAULT_SLOW_MS:g}); 0 explains every search.",
        )
        parser.add_argument(
            "--markdown",
            action="store_true",
            help="Print the figures as docs/performance.md's section, with its text.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        authority = LocalAuthority.objects.filter(gss_code=options["la"].strip().upper()).first()
        if authority is None:
            raise CommandError(f"no authority with GSS code {options['la']}")
        if options["runs"] < 1 or options["warmup"] < 0:
            raise CommandError("--runs must be 1 or more and --warmup 0 or more")
        user = self._user(authority, options["user"])
        searches = self._searches(authority, user)
        if options["searches"]:
            unknown = set(options["searches"]) - {s.name for s in searches}
            if unknown:
                raise CommandError(f"unknown search: {', '.join(sorted(unknown))}")
            searches = [s for s in searches if s.name in options["searches"]]

        if not options["markdown"]:
            self._header(authority, user, options)
        for search in searches:
            for _ in range(options["warmup"]):
                page_evaluate(authority=authority, user=user, data=search.data)
            for _ in range(options["runs"]):
                self._run(search, authority, user)
        if options["markdown"]:
            self._markdown(searches, authority, user)
            return
        self._table(searches)
        if options["explain"]:
            for search in searches:
                if percentile(search.totals, 0.95) > options["slow_ms"]:
                    self._explain(search)

    # --- Setting up ----------------------------------------------------------------------
    def _user(self, authority: LocalAuthority, username: str | None) -> User:
        users = User.objects.filter(local_authority=authority)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"{authority.name} has no user {username}")
        else:
            user = (
                users.annotate(families=Count("caseload")).order_by("-families", "username").first()
            )
            if user is None:
                raise CommandError(f"{authority.name} has no users: seed it with seed_demo")
        if not user.has_perm("families.view_family"):
            raise CommandError(f"{user.username} may not see the family list")
        return user

    def _searches(self, authority: LocalAuthority, user: User) -> list[Search]:
        members = Individual.objects.for_authority(authority)
        surnames = members.values("surname").annotate(n=Count("id"))
        common = surnames.order_by("-n", "surname").first()
        rare = surnames.order_by("n", "surname").first()
        if common is None or rare is None:
            raise CommandError(f"{authority.name} has no families: seed it with seed_demo")

        def middle(**exclude: str) -> Individual:
            held = members.exclude(**exclude).order_by("pk")
            found = held[held.count() // 2 : held.count() // 2 + 1].first()
            if found is None:
                raise CommandError(f"no member of {authority.name} has a {next(iter(exclude))}")
            return found

        person = middle(surname="")
        nhs = middle(nhs_number="").nhs_number
        nino = middle(nino="").nino
        upn = middle(upn="").upn
        family = Family.objects.for_authority(authority).order_by("pk")
        family_id = family[family.count() // 2].la_family_id
        status = (
            Family.objects.for_authority(authority)
            .values_list("status", flat=True)
            .annotate(n=Count("id"))
            .order_by("-n", "status")
            .first()
        )

        def search(name: str, what: str, **params: str) -> Search:
            data = QueryDict(mutable=True)
            data.update(params)
            return Search(name, what, data)

        spaced_nhs = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
        spaced_nino = " ".join((nino[:2], nino[2:4], nino[4:6], nino[6:8], nino[8:])).strip()
        surname = common["surname"]
        return [
            search("all", "no search, page 1 (caseload first, then -updated_at)"),
            search("surname-common", f"commonest surname ({common['n']} people)", q=surname),
            search("surname-rare", f"rarest surname ({rare['n']} people)", q=rare["surname"]),
            search(
                "forename-surname",
                "a member's forename and surname",
                q=f"{person.forename} {person.surname}",
            ),
            search("partial-3", "first 3 letters of the commonest surname", q=surname[:3].lower()),
            search("partial-2", "first 2 letters of it (extra)", q=surname[:2].lower()),
            search("nhs-number", "NHS number, spaced as printed", q=spaced_nhs),
            search("nino", "National Insurance number, spaced as printed", q=spaced_nino),
            search("upn", "Unique Pupil Number", q=upn),
            search("la-family-id", "LA family ID, as displayed", q=family_id),
            search("status", f"status filter: {status} (the commonest)", status=status or ""),
            search("mine", f"only my caseload ({user.username})", mine="on"),
            search("sort-la-family-id", "no search, sorted by LA family ID", sort="la_family_id"),
            search("page-500", "no search, page 500", page="500"),
        ]

    # --- Measuring -----------------------------------------------------------------------
    def _run(self, search: Search, authority: LocalAuthority, user: User) -> None:
        with statements_timed() as statements:
            started = time.perf_counter()
            page = page_evaluate(authority=authority, user=user, data=search.data)
            total = (time.perf_counter() - started) * 1000
        search.totals.append(total)
        found = page.paginator.object_list
        too_many = isinstance(found, Found) and found.too_many
        search.found = f"more than {SEARCH_MOST:,}" if too_many else f"{page.paginator.count:,}"
        search.page_number = page.number
        search.statements = statements
        if len(statements) > MAX_STATEMENTS:
            raise CommandError(
                f"{search.name}: the page ran {len(statements)} statements, more than "
                f"{MAX_STATEMENTS}: a query per row has crept into the list"
            )
        search.database_ms.append(sum(statement.ms for statement in statements))

    # --- Reporting -----------------------------------------------------------------------
    def _header(self, authority: LocalAuthority, user: User, options: dict[str, Any]) -> None:
        families = Family.objects.for_authority(authority).count()
        individuals = Individual.objects.for_authority(authority).count()
        version = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = f" {cursor.fetchone()[0]}"
        self.stdout.write(
            f"database:    {connection.vendor}{version} {connection.settings_dict['NAME']}\n"
            f"authority:   {authority.name} ({authority.gss_code}): {families:,} families, "
            f"{individuals:,} individuals\n"
            f"shown to:    {user.username} (leads "
            f"{Family.objects.for_authority(authority).filter(lead_professional=user).count():,}"
            f" families)\n"
            f"runs:        {options['runs']} per search, after {options['warmup']} warm-up; "
            f"times in ms; p95 is nearest-rank\n"
            f"page:        COUNT + a page of {PAGE_SIZE} rows + members prefetch, as the view\n"
        )

    def _table(self, searches: list[Search]) -> None:
        self.stdout.write(
            f"{'search':<18} {'found':>15} {'page':>4} {'median':>7} {'p95':>7} "
            f"{'stmts':>5} {'db':>6}  query"
        )
        for s in searches:
            query = s.data.urlencode() or "(none)"
            self.stdout.write(
                f"{s.name:<18} {s.found:>15} {s.page_number:>4} "
                f"{statistics.median(s.totals):>7.1f} {percentile(s.totals, 0.95):>7.1f} "
                f"{len(s.statements):>5} {statistics.median(s.database_ms):>6.1f}  {query}"
            )
        self.stdout.write(
            "\nmedian/p95: the whole page, in Python, per run. stmts: SQL statements per page. "
            "db: median time of those statements in the database driver."
        )
        for s in searches:
            self.stdout.write(f"  {s.name:<18} {s.what}")

    def _markdown(self, searches: list[Search], authority: LocalAuthority, user: User) -> None:
        from changing_lives.devtools.bench.report import machine_line
        from changing_lives.devtools.bench.sections import search_section

        families = Family.objects.for_authority(authority)
        led = families.filter(lead_professional=user).count()
        self.stdout.write(
            search_section(
                machine=machine_line(),
                population=f"{families.count():,} families "
                f"({Individual.objects.for_authority(authority).count():,} individuals)",
                shown_to=f"`{user.username}`, who leads {led:,} of them",
                rows=[
                    (
                        s.name,
                        s.what,
                        s.found,
                        statistics.median(s.totals),
                        percentile(s.totals, 0.95),
                    )
                    for s in searches
                ],
            )
        )

    def _explain(self, search: Search) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("--explain needs PostgreSQL")
        self.stdout.write(
            f"\n=== {search.name}: {search.data.urlencode() or '(no search)'} "
            f"(p95 {percentile(search.totals, 0.95):.1f} ms)"
        )
        for part, statement in enumerate(search.statements, 1):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.params)
                plan = "\n".join(f"  {row[0]}" for row in cursor.fetchall())
                explained = connection.ops.last_executed_query(
                    cursor, statement.sql, statement.params
                )
            sql = explained.removeprefix("EXPLAIN (ANALYZE, BUFFERS) ")
            self.stdout.write(f"--- statement {part}\n  {sql}\n{plan}")
