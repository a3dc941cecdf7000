"""The family list: search, filters, sorting and pagination in a constant number of queries."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from changing_lives.accounts.access import authority_of
from changing_lives.accounts.models import User
from changing_lives.authorities.models import LocalAuthority
from families.forms import FamilyFilterForm
from families.models import Family, FamilyQuerySet, Individual, Relationship
from families.search import Matches, first_matches, search_matches

PAGE_SIZE = 25
RECENT_FIRST = ("-updated_at", "-id")
# Counting all of an authority's families took 30 ms of every list page at 250,000, and
# grows with the table (docs/performance.md): once the total is this large it is kept (in
# each process's memory) for a minute, near enough for "250,000 families". Small totals,
# and every filtered or searched list, are counted each time.
LARGE_COUNT = 10_000
COUNT_SECONDS = 60
# A search matching more families than this lists none of them and asks for more detail:
# its cost stays the same however large the authority (docs/performance.md).
SEARCH_MOST = 1_000
# What of the list's form does not narrow it: anything else does (a filter added to the
# form later included, so a search never takes a filtered list for the whole authority).
NOT_NARROWING = ("q", "sort")


@permission_required("families.view_family", raise_exception=True)
def family_list(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = FamilyFilterForm(request.GET or None, authority=authority)
    page = family_list_page(
        authority=authority,
        user=request.user,  # type: ignore[arg-type]
        filters=form.cleaned_data if form.is_bound and form.is_valid() else None,
        nothing=form.is_bound and not form.is_valid(),
        page_number=request.GET.get("page"),
    )
    rows = [{"family": family, "contact": main_contact(family)} for family in page.object_list]
    found = page.paginator.object_list
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "too_many": isinstance(found, Found) and found.too_many,
        "search_most": f"{SEARCH_MOST:,}",
    }
    return render(request, "families/family_list.html", context)


def family_list_page(
    *,
    authority: LocalAuthority,
    user: User,
    filters: dict[str, Any] | None,
    nothing: bool = False,
    page_number: Any = None,
) -> Page:
    """One page of the family list for cleaned `filters` (None: no filter, the default view).

    Also what `manage.py bench_family_search` times, so the benchmark measures exactly this.
    """
    families = Family.objects.for_authority(authority)
    if nothing:  # the filters did not validate: show the errors, not every family
        families = families.none()
    filters = filters or {}
    if filters.get("status"):
        families = families.filter(status=filters["status"])
    if filters.get("lead_professional"):
        families = families.filter(lead_professional=filters["lead_professional"])
    if filters.get("mine"):
        families = families.filter(lead_professional=user.pk)
    if filters.get("due_for_purge"):
        soon = timezone.localdate() + datetime.timedelta(days=FamilyFilterForm.DUE_SOON_DAYS)
        families = families.filter(retention_on__lte=soon)
    narrowed = nothing or any(v for name, v in filters.items() if name not in NOT_NARROWING)
    matches = search_matches(filters.get("q") or "", authority=authority)
    results: FamilyQuerySet | CaseloadFirst | Found
    if matches is not None:
        # A search's matches, sorted as asked or with the caseload first: sorting them is
        # cheap, matching them is not (Found matches once for the count and the page, and
        # stops at SEARCH_MOST).
        sort = filters.get("sort")
        results = Found(
            families,
            matches,
            FamilyFilterForm.SORTS[sort][1] if sort else (_mine_first(user), *RECENT_FIRST),
            rows=_for_rows(Family.objects.for_authority(authority)),
            most=SEARCH_MOST,
            filtered=narrowed,
        )
    elif filters.get("sort"):
        results = _for_rows(families).order_by(*FamilyFilterForm.SORTS[filters["sort"]][1])
    else:
        unfiltered = not nothing and not any(filters.values())
        results = CaseloadFirst(
            _for_rows(families),
            user,
            count_key=f"family-list:count:{authority.pk}" if unfiltered else None,
        )
    return Paginator(results, PAGE_SIZE).get_page(page_number)


def _for_rows(families: FamilyQuerySet) -> FamilyQuerySet:
    """With what a row of the list shows: the lead professional and the members."""
    return families.select_related("lead_professional").prefetch_related(
        Prefetch(
            "members",
            queryset=Individual.objects.only(
                "family_id", "forename", "surname", "relationship", "date_of_birth"
            ),
        )
    )


def _mine_first(user: User) -> Case:
    return Case(
        When(lead_professional=user.pk, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


class CaseloadFirst(Sequence[Family]):
    """All families, the user's own caseload first, each part newest first.

    Ordering by "is it mine?" would sort the whole table on every page; two queries, each
    served in order by an index ((authority, lead professional, -updated_at) and
    (authority, -updated_at)), keep the list fast at any depth.
    """

    def __init__(
        self, families: FamilyQuerySet, user: User, *, count_key: str | None = None
    ) -> None:
        """`count_key`: where to keep the total for a minute once it is large (only for all
        of an authority's families, unfiltered)."""
        self.families = families
        self.user = user
        self.count_key = count_key
        self.mine = families.filter(lead_professional=user.pk).order_by(*RECENT_FIRST)
        self.others = families.exclude(lead_professional=user.pk).order_by(*RECENT_FIRST)
        self._counts: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        if self._counts is not None:
            return self._counts
        total = cache.get(self.count_key) if self.count_key else None
        if total is not None:
            self._counts = {"total": total, "mine": self.mine.count()}
            return self._counts
        self._counts = self.families.aggregate(
            total=Count("pk"), mine=Count("pk", filter=Q(lead_professional=self.user.pk))
        )
        if self.count_key and self._counts["total"] >= LARGE_COUNT:
            cache.set(self.count_key, self._counts["total"], COUNT_SECONDS)
        return self._counts

    def count(self) -> int:  # type: ignore[override]
        return self.counts()["total"]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        mine = self.counts()["mine"]
        rows = list(self.mine[start : min(stop, mine)]) if start < mine else []
        if stop > mine:
            rows += list(self.others[max(start - mine, 0) : stop - mine])
        return rows


class Found(Sequence[Family]):
    """A search's families in `order`: all of them, or none when more than `most` match.

    Counting and sorting every match of a common surname grew with the table (Smith: 10,154
    families of 250,000), and 400 pages of Smiths help nobody. So the search finds at most
    `most` + 1 families (`first_matches`): one more than `most` says "too many" (the page
    asks for more detail); otherwise their number is the count, and only a page's families
    are read whole, by id.
    """

    def __init__(
        self,
        families: FamilyQuerySet,
        matches: Matches,
        order: Sequence[Any],
        *,
        rows: FamilyQuerySet,
        most: int,
        filtered: bool,
    ) -> None:
        """`families`: the list's, filtered but not searched; `rows`: where a page's
        families are read, by id (not searched again); `filtered`: whether anything but
        the search narrows `families`."""
        self.families = families
        self.matches = matches
        self.order = order
        self.rows = rows
        self.most = most
        self.filtered = filtered
        self._ids: list[int] | None = None

    def ids(self) -> list[int]:
        """The matches' ids in order: `most` + 1 of them when there are too many."""
        if self._ids is None:
            self._ids = first_matches(
                self.families,
                self.matches,
                order=self.order,
                most=self.most,
                filtered=self.filtered,
            )
        return self._ids

    @property
    def too_many(self) -> bool:
        return len(self.ids()) > self.most

    def count(self) -> int:  # type: ignore[override]
        return 0 if self.too_many else len(self.ids())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids()[: self.count()][index]
        if not ids:
            return []
        by_id = {family.pk: family for family in self.rows.filter(pk__in=ids)}
        # A family purged since its id was read is left out, not an error.
        return [by_id[pk] for pk in ids if pk in by_id]


def main_contact(family: Family) -> Individual | None:
    """The member a caseworker knows the family by: the main carer, else the eldest."""
    members = list(family.members.all())
    carers = [m for m in members if m.relationship == Relationship.MAIN_CARER]
    return next(iter(carers or members), None)
