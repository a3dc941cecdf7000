"""The purge: which families are due, what a preview promises and a purge deletes (every
kind of row, every copy), each family whole or gone, a stop, one run at a time, the lookup,
the certificate and the audit trail, the nightly schedule and the command."""

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.db import advisory_lock_key
from changing_lives.retention.models import (
    Hold,
    HoldKind,
    PurgedFamily,
    PurgeRun,
    PurgeStatus,
    RetentionSettings,
)
from changing_lives.retention.purge import (
    DELETE_ORDER,
    KINDS,
    certificate_rows,
    purge_candidates,
    purge_create,
    purge_execute,
    purge_lock_name,
    purge_preview,
    purge_reap_stale,
    purge_request,
    purge_rows,
    purge_stop,
    purged_lookup,
)
from changing_lives.retention.purge import execute as purge_engine
from changing_lives.retention.services import hold_lift, hold_place
from changing_lives.retention.tasks import purge_nightly, purge_run
from eligibility.models import (
    Assessment,
    CriterionMet,
    EvidenceSource,
    Framework,
    Headline,
    Intervention,
    StatusChange,
)
from families.la_ids import ReferenceKind, reference_check_available, reference_digest
from families.models import (
    Family,
    FamilyHistoryEntry,
    FamilyStatus,
    Gender,
    Individual,
    RetiredReference,
)
from families.services import member_move
from nis_export.build import package_folder
from nis_export.models import Submission, SubmissionStatus, ValidationIssue
from progress.models import FamilyReturn, Measure, MeasureLevel, Period, ProgressValue
from tests.factories import FamilyFactory, IndividualFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SCREENED = D(2016, 5, 1)


def today() -> datetime.date:
    return timezone.localdate()


def ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


# --- Building families with a row of every kind ---------------------------------------------


_people = iter(range(1, 10_000))


def person(family: Family, forename: str, surname: str, **fields: Any) -> Individual:
    number = next(_people)
    return IndividualFactory.create(
        family=family,
        la_individual_id=f"{family.la_family_id}-I{number}",
        forename=forename,
        surname=surname,
        date_of_birth=D(1980, 1, 1) + datetime.timedelta(days=number * 37),
        nhs_number=f"94{number:08d}",
        nino=f"JK{number:06d}C",
        **fields,
    )


def family_with_everything(
    authority: LocalAuthority,
    la_family_id: str,
    *,
    retention_on: datetime.date | None,
    surname: str,
    submission: Submission | None = None,
) -> Family:
    """A family with two members and a row of every kind that hangs from a family."""
    family = FamilyFactory.create(local_authority=authority, la_family_id=la_family_id)
    carer = person(family, "Mary", surname)
    child = person(family, "Tom", surname, gender=Gender.MALE, relationship="child")
    framework = Framework.objects.get(code="2015-2020")
    assessment = Assessment.objects.create(
        family=family, framework=framework, framework_version=1, screened_on=SCREENED,
        eligible=True, headlines_counted=["headline"],
    )  # fmt: skip
    headline = Headline.objects.filter(framework=framework).first()
    assert headline is not None
    indicator = headline.indicators.first()
    assert indicator is not None
    for member in (carer, child):
        CriterionMet.objects.create(
            assessment=assessment, individual=member, headline=headline,
            indicator=indicator, evidence_on=SCREENED,
            evidence_source=EvidenceSource.SCHOOL, evidence_note=f"About {member.forename}",
        )  # fmt: skip
    Intervention.objects.create(
        family=family, started_on=SCREENED, ended_on=D(2017, 1, 31), intensity="STANDARD"
    )
    StatusChange.objects.create(
        family=family, from_status=FamilyStatus.ASSESSED, to_status=FamilyStatus.INTERVENTION,
        move="start_support", effective_on=SCREENED,
    )  # fmt: skip
    period = Period.objects.order_by("start_on").first()
    assert period is not None
    record = FamilyReturn.objects.create(family=family, period=period)
    family_measure = Measure.objects.filter(level=MeasureLevel.FAMILY).first()
    member_measure = Measure.objects.filter(level=MeasureLevel.INDIVIDUAL).first()
    assert family_measure is not None
    assert member_measure is not None
    ProgressValue.objects.create(family_return=record, measure=family_measure, value="yes")
    for member in (carer, child):
        ProgressValue.objects.create(
            family_return=record, measure=member_measure, individual=member, value="no"
        )
    FamilyHistoryEntry.objects.create(family=family, action="created")
    FamilyHistoryEntry.objects.create(
        family=family, action="member_added", subject_id=child.public_id,
        subject_label=f"{child.full_name} ({child.la_individual_id})",
    )  # fmt: skip
    # A hold placed and lifted long ago: the record of it goes with the family.
    Hold.objects.create(
        family=family, kind=HoldKind.LEGAL_HOLD, reason="Old case",
        lifted_at=timezone.now(), lift_reason="Case closed",
    )  # fmt: skip
    if submission is not None:
        ValidationIssue.objects.create(
            submission=submission, severity="warning", code="postcode_missing",
            message="Postcode is missing", family=family, la_family_id=family.la_family_id,
            la_individual_id=carer.la_individual_id,
        )  # fmt: skip
    Family.objects.filter(pk=family.pk).update(retention_on=retention_on)
    family.refresh_from_db()
    return family


@dataclass(frozen=True)
class Rows:
    """Everything of one family, counted from the database (independently of the purge)."""

    members: int
    assessments: int
    criteria: int
    interventions: int
    status_changes: int
    returns: int
    values: int
    history: int
    holds: int
    issues: int


def rows_of(family_pk: int) -> Rows:
    return Rows(
        members=Individual.objects.filter(family_id=family_pk).count(),
        assessments=Assessment.objects.filter(family_id=family_pk).count(),
        criteria=CriterionMet.objects.filter(assessment__family_id=family_pk).count(),
        interventions=Intervention.objects.filter(family_id=family_pk).count(),
        status_changes=StatusChange.objects.filter(family_id=family_pk).count(),
        returns=FamilyReturn.objects.filter(family_id=family_pk).count(),
        values=ProgressValue.objects.filter(family_return__family_id=family_pk).count(),
        history=FamilyHistoryEntry.objects.filter(family_id=family_pk).count(),
        holds=Hold.objects.filter(family_id=family_pk).count(),
        issues=ValidationIssue.objects.filter(family_id=family_pk).count(),
    )


def ready_package(authority: LocalAuthority, snapshot: datetime.date, content: bytes) -> Submission:
    """A READY submission with a file in its folder (the file's bytes stand in for a package:
    what matters here is whether it is deleted)."""
    submission = Submission.objects.create(
        local_authority=authority, snapshot_on=snapshot, status=SubmissionStatus.READY,
        package_name="package.zip.gpg", manifest={"files": {"nis_individuals.csv": {"rows": 2}}},
    )  # fmt: skip
    folder = package_folder(submission)
    folder.mkdir(parents=True)
    (folder / submission.package_name).write_bytes(content)
    return submission


def run_now(authority: LocalAuthority, actor: User | None = None) -> PurgeRun:
    return purge_execute(purge_create(actor=actor, authority=authority))


# --- Which families are due ----------------------------------------------------------------


def test_candidates_are_the_families_due_and_not_held(
    authority: LocalAuthority, other_authority: LocalAuthority, admin: User
) -> None:
    def make(la_family_id: str, retention_on: datetime.date | None, **kw: Any) -> Family:
        return FamilyFactory.create(
            local_authority=kw.get("la", authority), la_family_id=la_family_id,
            retention_on=retention_on,
        )  # fmt: skip

    make("F-PAST", ago(400))
    make("F-TODAY", today())
    make("F-TOMORROW", today() + datetime.timedelta(days=1))
    make("F-NEVER-COMPUTED", None)
    held = make("F-LEGAL-HOLD", ago(10))
    hold_place(actor=admin, family=held, kind=HoldKind.LEGAL_HOLD, reason="Litigation")
    sar = make("F-SAR", ago(10))
    hold_place(actor=admin, family=sar, kind=HoldKind.SUBJECT_ACCESS, reason="SAR 2026/17")
    lifted = make("F-LIFTED", ago(10))
    hold = hold_place(actor=admin, family=lifted, kind=HoldKind.LEGAL_HOLD, reason="Dispute")
    make("F-ELSEWHERE", ago(400), la=other_authority)

    def due() -> list[str]:
        return list(purge_candidates(authority).values_list("la_family_id", flat=True))

    assert due() == ["F-PAST", "F-TODAY"]
    hold_lift(actor=admin, hold=hold, reason="Dispute settled")
    assert due() == ["F-LIFTED", "F-PAST", "F-TODAY"]
    # As of another day.
    later = today() + datetime.timedelta(days=1)
    assert "F-TOMORROW" in purge_candidates(authority, today=later).values_list(
        "la_family_id", flat=True
    )

    preview = purge_preview(authority)
    assert [family.la_family_id for family in preview.families] == due()
    assert [(family.la_family_id, hold.kind) for family, hold in preview.held] == [
        ("F-LEGAL-HOLD", HoldKind.LEGAL_HOLD),
        ("F-SAR", HoldKind.SUBJECT_ACCESS),
    ]
    assert preview.counts["families"] == 3
    assert set(preview.counts) == set(KINDS)


# --- What a purge deletes --------------------------------------------------------------------


@dataclass
class Scene:
    due_a: Family
    due_b: Family
    held: Family
    kept: Family
    elsewhere: Family
    moved_in: Individual  # from `kept` into `due_b`: purged with it
    moved_out: Individual  # from `due_a` into `kept`: lives on
    package_before: Submission  # built before anyone due was screened
    package_after: Submission  # could hold the families due
    package_elsewhere: Submission


@pytest.fixture
def scene(authority: LocalAuthority, other_authority: LocalAuthority, admin: User) -> Scene:
    blocked = Submission.objects.create(
        local_authority=authority, snapshot_on=D(2017, 3, 31), status=SubmissionStatus.BLOCKED
    )
    due_a = family_with_everything(
        authority, "F-DUE-A", retention_on=ago(30), surname="Abernathy", submission=blocked
    )
    due_b = family_with_everything(
        authority, "F-DUE-B", retention_on=ago(1), surname="Bellweather", submission=blocked
    )
    held = family_with_everything(authority, "F-HELD", retention_on=ago(30), surname="Holloway")
    hold_place(actor=admin, family=held, kind=HoldKind.SUBJECT_ACCESS, reason="SAR received")
    kept = family_with_everything(
        authority, "F-KEPT", retention_on=ago(-400), surname="Kingsley", submission=blocked
    )
    elsewhere = family_with_everything(
        other_authority, "F-DUE-A", retention_on=ago(30), surname="Elsewhere"
    )
    # A member of the kept family, whose criteria and values are in the kept family's rows
    # and an issue filed under it, moves into a family that is due.
    moved_in = kept.members.get(forename="Tom")
    ValidationIssue.objects.create(
        submission=blocked, severity="warning", code="no_national_identifier",
        message="No NINO, UPN or NHS number", family=kept, la_family_id=kept.la_family_id,
        la_individual_id=moved_in.la_individual_id,
    )  # fmt: skip
    member_move(actor=admin, member=moved_in, to_family=due_b)
    # A member of a family that is due moves out to the kept family, and lives on.
    moved_out = person(due_a, "Ruth", "Abernathy-Kingsley")
    member_move(actor=admin, member=moved_out, to_family=kept)
    Family.objects.filter(pk__in=[due_a.pk, due_b.pk]).update(retention_on=ago(1))
    Family.objects.filter(pk=kept.pk).update(retention_on=ago(-400))
    return Scene(
        due_a=due_a,
        due_b=due_b,
        held=held,
        kept=kept,
        elsewhere=elsewhere,
        moved_in=moved_in,
        moved_out=moved_out,
        package_before=ready_package(authority, SCREENED - datetime.timedelta(days=1), b"old"),
        package_after=ready_package(authority, D(2017, 3, 31), b"holds them"),
        package_elsewhere=ready_package(other_authority, D(2017, 3, 31), b"elsewhere"),
    )


def test_the_preview_counts_exactly_what_the_purge_deletes(
    authority: LocalAuthority, scene: Scene, admin: User
) -> None:
    preview = purge_preview(authority)
    assert [family.la_family_id for family in preview.families] == ["F-DUE-A", "F-DUE-B"]
    assert [family.la_family_id for family, _hold in preview.held] == ["F-HELD"]
    # Every kind has something to delete in this scene, so each is shown to be counted.
    assert all(preview.counts[kind] > 0 for kind in KINDS), preview.counts
    assert preview.counts["families"] == 2
    assert preview.counts["individuals"] == 5  # two each, one moved out, one moved in
    assert preview.counts["nis_packages"] == 1

    run = run_now(authority, admin)

    assert run.status == PurgeStatus.FINISHED, run.failure_reason
    assert run.counts == preview.counts
    assert (run.families_due, run.families_purged) == (2, 2)
    assert run.finished_at is not None
    assert purge_preview(authority).counts == dict.fromkeys(KINDS, 0)


def test_a_purge_removes_every_copy_and_leaves_every_other_family_whole(
    authority: LocalAuthority, scene: Scene, admin: User
) -> None:
    purged = [scene.due_a, scene.due_b]
    purged_members = list(Individual.objects.filter(family__in=purged))
    purged_member_ids = {member.public_id for member in purged_members}
    assert scene.moved_in.public_id in purged_member_ids
    assert scene.moved_out.public_id not in purged_member_ids
    before = {family.pk: rows_of(family.pk) for family in (scene.held, scene.elsewhere)}
    kept_before = rows_of(scene.kept.pk)

    run = run_now(authority, admin)
    assert run.status == PurgeStatus.FINISHED, run.failure_reason

    # The families, their members and every row that hangs from them.
    assert not Family.objects.filter(pk__in=[family.pk for family in purged]).exists()
    assert not Individual.objects.filter(public_id__in=purged_member_ids).exists()
    for family in purged:
        assert rows_of(family.pk) == Rows(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    # Copies elsewhere: the moved member's criteria, values and issue in the kept family, and
    # its history entries (which name them).
    assert not CriterionMet.objects.filter(individual_id=scene.moved_in.pk).exists()
    assert not ProgressValue.objects.filter(individual_id=scene.moved_in.pk).exists()
    assert not ValidationIssue.objects.filter(
        la_individual_id=scene.moved_in.la_individual_id
    ).exists()
    assert not FamilyHistoryEntry.objects.filter(subject_id__in=purged_member_ids).exists()
    for label in FamilyHistoryEntry.objects.values_list("subject_label", flat=True):
        assert "Bellweather" not in label
        assert "Abernathy " not in label
    # The member who moved out lives on; the note of their move no longer names the family.
    assert Individual.objects.filter(pk=scene.moved_out.pk, family=scene.kept).exists()
    notes = list(
        FamilyHistoryEntry.objects.filter(family=scene.kept).values_list("note", flat=True)
    )
    assert "From a family since purged" in notes
    assert not any("F-DUE" in note for note in notes)

    # Every other family is whole: the held one, the other authority's (same LA family ID),
    # and the kept one, less what belonged to the member who moved away from it.
    assert {pk: rows_of(pk) for pk in before} == before
    kept_after = rows_of(scene.kept.pk)
    assert kept_after.members == kept_before.members
    assert (kept_after.criteria, kept_after.values) == (
        kept_before.criteria - 1,
        kept_before.values - 1,
    )
    # Its entries about the member who moved to a purged family (added, moved out) are gone.
    assert kept_after.history == kept_before.history - 2
    assert kept_after.issues == kept_before.issues - 1

    # The packages that could hold them: file gone, marked expired, manifest kept.
    after = Submission.objects.get(pk=scene.package_after.pk)
    assert after.status == SubmissionStatus.EXPIRED
    assert after.failure_reason == "Deleted by the purge: it held a purged family"
    assert after.manifest == scene.package_after.manifest
    assert not package_folder(after).exists()
    for untouched in (scene.package_before, scene.package_elsewhere):
        untouched.refresh_from_db()
        assert untouched.status == SubmissionStatus.READY
        assert (package_folder(untouched) / untouched.package_name).exists()

    # The IDs are retired: never given out again, not even to a new family.
    for la_family_id in ("F-DUE-A", "f-due-b "):
        with pytest.raises(ValidationError, match="never reused"):
            reference_check_available(
                authority=authority, kind=ReferenceKind.FAMILY, value=la_family_id
            )
    for member in purged_members:
        with pytest.raises(ValidationError, match="never reused"):
            reference_check_available(
                authority=authority, kind=ReferenceKind.INDIVIDUAL, value=member.la_individual_id
            )
    assert PurgedFamily.objects.filter(run=run).count() == 2


def test_a_new_family_cannot_take_a_purged_families_id(
    client_as: Callable[..., Any], authority: LocalAuthority, family: Family
) -> None:
    Family.objects.filter(pk=family.pk).update(retention_on=ago(1))
    run_now(authority)
    assert not Family.objects.filter(la_family_id="F100001").exists()

    from families.services import family_create

    with pytest.raises(ValidationError, match="never reused"):
        family_create(
            actor=None,  # type: ignore[arg-type]
            authority=authority,
            family_fields={"referred_on": D(2026, 1, 5), "address_line_1": "1 New Street"},
            member_fields={
                "forename": "New",
                "surname": "Person",
                "date_of_birth": D(1990, 1, 1),
                "gender": "female",
                "relationship": "main_carer",
            },
            la_family_id="F100001",
        )


def test_every_model_that_points_to_a_purged_row_is_purged_with_it(
    authority: LocalAuthority,
) -> None:
    """The purge deletes kind by kind (purge_rows), not through Django's collector: a model
    added later that points to a family, a member or any of their rows must be one of the
    kinds, or its rows would be left behind (or stop the purge at its commit)."""
    purged = {
        query.model
        for queries in purge_rows(Family.objects.none(), authority).values()
        for query in queries
    }
    pointing = {
        (model._meta.label, field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in purged
    }
    assert pointing
    assert {
        (label, name) for label, name in pointing if apps.get_model(label) not in purged
    } == set()
    assert set(purge_rows(Family.objects.none(), authority)) == set(DELETE_ORDER)


# --- Each family whole or gone ---------------------------------------------------------------


def test_a_family_whose_delete_fails_stays_whole_while_the_others_go(
    authority: LocalAuthority, scene: Scene
) -> None:
    # The database refuses part way through one family's delete, after the purge has already
    # deleted its copies elsewhere and retired its IDs.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION refuse_delete() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'refused for the test'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_delete BEFORE DELETE ON eligibility_intervention
            FOR EACH ROW WHEN (OLD.family_id = {int(scene.due_b.pk)})
            EXECUTE FUNCTION refuse_delete();
            """
        )
    whole = rows_of(scene.due_b.pk)
    kept_history = FamilyHistoryEntry.objects.filter(family=scene.kept).count()

    run = run_now(authority)

    assert run.status == PurgeStatus.FAILED
    assert run.failure_reason.startswith("1 of the families due could not be purged")
    assert run.families_purged == 1
    assert not Family.objects.filter(pk=scene.due_a.pk).exists()
    assert rows_of(scene.due_b.pk) == whole
    # Nothing of its purge is left half done: its members' entries in the family they came
    # from, its IDs (not retired), its audit entry and its certificate row.
    assert FamilyHistoryEntry.objects.filter(family=scene.kept).count() == kept_history
    assert FamilyHistoryEntry.objects.filter(subject_id=scene.moved_in.public_id).exists()
    ids = [("F-DUE-B", ReferenceKind.FAMILY)] + [
        (member.la_individual_id, ReferenceKind.INDIVIDUAL) for member in scene.due_b.members.all()
    ]
    for value, kind in ids:
        digest = reference_digest(authority=authority, kind=kind, value=value)
        assert not RetiredReference.objects.filter(digest=digest).exists()
    assert not AuditEvent.objects.filter(
        action=AuditAction.FAMILY_PURGED, object_id=str(scene.due_b.public_id)
    ).exists()
    assert PurgedFamily.objects.count() == 1

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_delete ON eligibility_intervention")
    again = run_now(authority)
    assert again.status == PurgeStatus.FINISHED
    assert (again.families_due, again.families_purged) == (1, 1)
    assert not Family.objects.filter(pk=scene.due_b.pk).exists()


def test_a_family_that_falls_due_inside_a_batch_is_left_for_the_next_run(
    authority: LocalAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch is deleted by its span of ids: a family of the span that falls due after the
    batch was read (and so was not locked, audited or certified) makes the batch go again
    family by family, which leaves that one whole."""
    first = family_with_everything(authority, "F-SPAN-1", retention_on=ago(1), surname="Spanne")
    between = family_with_everything(authority, "F-SPAN-2", retention_on=ago(-30), surname="Later")
    last = family_with_everything(authority, "F-SPAN-3", retention_on=ago(1), surname="Spanne")
    whole = rows_of(between.pk)
    original = purge_engine._batch_purge
    calls: list[list[int]] = []

    def while_reading(run: PurgeRun, family_pks: list[int], **kwargs: Any) -> dict[str, int]:
        if not calls:  # the batch [first, last] is read; now the family between falls due
            Family.objects.filter(pk=between.pk).update(retention_on=ago(1))
        calls.append(family_pks)
        return original(run, family_pks, **kwargs)

    monkeypatch.setattr(purge_engine, "_batch_purge", while_reading)
    run = run_now(authority)

    assert calls == [[first.pk, last.pk], [first.pk], [last.pk]]
    assert run.status == PurgeStatus.FINISHED
    assert run.families_purged == PurgedFamily.objects.filter(run=run).count() == 2
    assert not Family.objects.filter(pk__in=[first.pk, last.pk]).exists()
    assert rows_of(between.pk) == whole
    assert run_now(authority).families_purged == 1


@override_settings(PURGE_BATCH_FAMILIES=2)
def test_a_stop_ends_the_run_after_the_batch_in_hand_and_the_next_run_resumes(
    authority: LocalAuthority, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    families = [
        family_with_everything(authority, f"F-STOP-{n}", retention_on=ago(1), surname="Stopp")
        for n in range(4)
    ]
    whole = rows_of(families[-1].pk)
    run = purge_create(actor=admin, authority=authority)
    original = purge_engine._batch_purge
    done = []

    def then_stop(*args: Any, **kwargs: Any) -> dict[str, int]:
        totals = original(*args, **kwargs)
        done.append(1)
        if len(done) == 1:  # the stop button, pressed while the first batch is in hand
            purge_stop(actor=admin, run=run)
        return totals

    monkeypatch.setattr(purge_engine, "_batch_purge", then_stop)
    run = purge_execute(run)

    assert run.status == PurgeStatus.STOPPED
    assert run.stop_requested
    assert (run.families_due, run.families_purged) == (4, 2)
    assert Family.objects.filter(la_family_id__startswith="F-STOP").count() == 2
    assert rows_of(families[-1].pk) == whole
    with pytest.raises(ValidationError, match="already ended"):
        purge_stop(actor=admin, run=run)

    monkeypatch.setattr(purge_engine, "_batch_purge", original)
    again = run_now(authority, admin)
    assert again.status == PurgeStatus.FINISHED
    assert again.families_purged == 2
    assert not Family.objects.filter(la_family_id__startswith="F-STOP").exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(run.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["purge_requested", "purge_stop_requested", "purge_finished"]


def test_a_queued_run_stopped_never_starts(
    authority: LocalAuthority, family: Family, admin: User
) -> None:
    Family.objects.filter(pk=family.pk).update(retention_on=ago(1))
    run = purge_create(actor=admin, authority=authority)
    run = purge_stop(actor=admin, run=run)
    assert run.status == PurgeStatus.STOPPED
    assert purge_run(run.pk) is None  # its task, delivered later, claims nothing
    assert Family.objects.filter(pk=family.pk).exists()


# --- One run at a time -----------------------------------------------------------------------


def test_a_second_request_is_refused_while_a_run_is_queued_or_running(
    authority: LocalAuthority,
    family: Family,
    admin: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Family.objects.filter(pk=family.pk).update(retention_on=ago(1))
    queued: list[int] = []
    monkeypatch.setattr(purge_run, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = purge_request(actor=admin, authority=authority)
    assert len(callbacks) == 1
    assert queued == [run.pk]
    for status in (PurgeStatus.QUEUED, PurgeStatus.RUNNING):
        PurgeRun.objects.filter(pk=run.pk).update(status=status, heartbeat_at=timezone.now())
        with pytest.raises(ValidationError) as refused:
            purge_request(actor=admin, authority=authority)
        assert refused.value.code == "purge_in_progress", status
    PurgeRun.objects.filter(pk=run.pk).update(status=PurgeStatus.QUEUED, heartbeat_at=None)

    assert purge_run(run.pk) == PurgeStatus.FINISHED  # the task, as the worker runs it
    assert purge_run(run.pk) is None  # delivered twice: the claim refuses
    assert not Family.objects.filter(pk=family.pk).exists()
    assert PurgeRun.objects.get(pk=run.pk).families_purged == 1
    purge_request(actor=admin, authority=authority)  # the next may start


def test_a_run_whose_worker_died_is_failed_and_no_longer_blocks_the_next(
    authority: LocalAuthority, admin: User
) -> None:
    dead = purge_create(actor=admin, authority=authority)
    stale = timezone.now() - datetime.timedelta(seconds=settings.PURGE_STALE_SECONDS + 5)
    PurgeRun.objects.filter(pk=dead.pk).update(
        status=PurgeStatus.RUNNING, started_at=stale, heartbeat_at=stale
    )
    lost = purge_create(actor=admin, authority=authority)  # reaps the dead one first
    dead.refresh_from_db()
    assert dead.status == PurgeStatus.FAILED
    assert dead.failure_reason.startswith("The purge stopped part way")
    # A queued run whose task was lost is failed after an hour.
    PurgeRun.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert purge_reap_stale() == 1
    assert PurgeRun.objects.get(pk=lost.pk).status == PurgeStatus.FAILED


@pytest.fixture
def other_session() -> Iterator[psycopg.Connection]:
    """A second database session, standing in for another worker."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, autocommit=True,
    ) as session:  # fmt: skip
        yield session


def test_the_advisory_lock_refuses_a_second_executor(
    authority: LocalAuthority, family: Family, other_session: psycopg.Connection
) -> None:
    Family.objects.filter(pk=family.pk).update(retention_on=ago(1))
    key = advisory_lock_key(purge_lock_name(authority))
    other_session.execute("SELECT pg_advisory_lock(%s)", [key])

    run = run_now(authority)

    assert run.status == PurgeStatus.FAILED
    assert run.failure_reason.startswith("Another purge of this authority was running")
    assert Family.objects.filter(pk=family.pk).exists()
    other_session.execute("SELECT pg_advisory_unlock(%s)", [key])
    assert run_now(authority).families_purged == 1


# --- What stays: the lookup, the certificate, the audit trail -------------------------------


def test_purged_lookup_finds_a_purged_family_by_its_id_and_audits_without_it(
    authority: LocalAuthority, other_authority: LocalAuthority, family: Family, admin: User
) -> None:
    Family.objects.filter(pk=family.pk).update(retention_on=ago(1))
    run = run_now(authority, admin)

    found = purged_lookup(actor=admin, authority=authority, la_family_id=" f100001 ")
    assert found is not None
    assert found.run == run
    assert purged_lookup(actor=admin, authority=authority, la_family_id="F999999") is None
    other_admin = User.objects.create(username="other", local_authority=other_authority)
    assert (
        purged_lookup(actor=other_admin, authority=other_authority, la_family_id="F100001") is None
    )
    lookups = AuditEvent.objects.filter(action=AuditAction.PURGE_LOOKUP).order_by("id")
    assert [(event.detail, event.object_id) for event in lookups] == [
        ("found", str(run.public_id)),
        ("not found", ""),
        ("not found", ""),
    ]


def secrets_of(families: list[Family]) -> list[str]:
    """Every name, date of birth and identifier of these families and their members."""
    found: list[str] = []
    for family in families:
        found.append(family.la_family_id)
        for member in family.members.all():
            found += [
                member.la_individual_id, member.forename, member.surname, member.full_name,
                member.date_of_birth.isoformat(), member.nhs_number, member.nino,
            ]  # fmt: skip
    return [secret for secret in found if secret]


def test_the_certificate_holds_digests_and_counts_only(
    authority: LocalAuthority, scene: Scene, admin: User
) -> None:
    secrets = secrets_of([scene.due_a, scene.due_b])
    run = run_now(authority, admin)

    rows = list(certificate_rows(run))

    assert rows[0] == ["hmac_sha256_la_family_id", "purged_at"]
    families = rows[1:3]
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest, _when in families)
    assert {digest for digest, _when in families} == set(
        PurgedFamily.objects.filter(run=run).values_list("digest", flat=True)
    )
    assert all(datetime.datetime.fromisoformat(when) for _digest, when in families)
    assert rows[3] == ["kind", "rows_deleted"]
    assert {kind: int(n) for kind, n in rows[4 : 4 + len(KINDS)]} == run.counts
    facts = dict(rows[4 + len(KINDS) + 1 :])
    assert facts["started_by"] == admin.username
    assert facts["families_purged"] == "2"
    assert facts["local_authority_gss_code"] == authority.gss_code
    text = "\n".join(",".join(row) for row in rows)
    assert not [secret for secret in secrets if secret in text]


def test_audit_entries_name_no_purged_person_or_id(
    authority: LocalAuthority, scene: Scene, admin: User
) -> None:
    secrets = secrets_of([scene.due_a, scene.due_b])
    public_ids = {str(scene.due_a.public_id), str(scene.due_b.public_id)}
    run_now(authority, admin)

    purged = AuditEvent.objects.filter(action=AuditAction.FAMILY_PURGED)
    assert set(purged.values_list("object_id", flat=True)) == public_ids
    assert set(purged.values_list("object_type", flat=True)) == {"families.family"}
    for event in AuditEvent.objects.all():
        text = f"{event.object_type} {event.object_id} {event.detail}"
        assert not [secret for secret in secrets if secret in text], event


# --- The nightly schedule and the command ----------------------------------------------------


def test_the_nightly_schedule_purges_only_where_switched_on_and_leaves_a_certificate(
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    RetentionSettings.objects.create(local_authority=authority, nightly_purge=True)
    RetentionSettings.objects.create(local_authority=other_authority, nightly_purge=False)
    monkeypatch.setattr(purge_run, "delay", lambda run_id: None)

    assert purge_nightly() == 1
    assert purge_nightly() == 0  # one already queued: not another
    run = PurgeRun.objects.get()
    assert (run.local_authority, run.scheduled, run.started_by) == (authority, True, None)

    assert purge_run(run.pk) == PurgeStatus.FINISHED
    run.refresh_from_db()
    rows = list(certificate_rows(run))
    assert rows[:2] == [["hmac_sha256_la_family_id", "purged_at"], ["kind", "rows_deleted"]]
    assert ["families", "0"] in rows
    assert ["started_by", "nightly schedule"] in rows


def test_the_schedule_names_the_purge_tasks() -> None:
    from changing_lives.celery import app

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (
        "changing_lives.retention.tasks.purge_nightly",
        "changing_lives.retention.tasks.purge_reap_stale",
    ):
        assert task in schedule
        assert task in app.tasks


def command(*args: str) -> str:
    out = StringIO()
    call_command("purge_expired", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_previews_then_purges(
    authority: LocalAuthority, other_authority: LocalAuthority, scene: Scene
) -> None:
    preview = command("--dry-run", "--la", authority.gss_code)
    assert "2 families due, 1 held" in preview
    assert "Due: F-DUE-A, F-DUE-B" in preview
    assert "Held: F-HELD (Open subject access request)" in preview
    assert re.search(r"individuals\s+5\n", preview)
    for secret in secrets_of([scene.due_a, scene.due_b]):
        if not secret.startswith("F-DUE"):
            assert secret not in preview
    assert Family.objects.filter(pk=scene.due_a.pk).exists()  # a dry run changes nothing

    everywhere = command("--execute")
    assert "finished: 2 of 2 families purged, started by command line" in everywhere
    assert "finished: 1 of 1 families purged" in everywhere  # the other authority's
    assert not Family.objects.filter(pk__in=[scene.due_a.pk, scene.elsewhere.pk]).exists()
    assert Family.objects.filter(pk=scene.held.pk).exists()


def test_the_command_exits_non_zero_on_an_error(authority: LocalAuthority, admin: User) -> None:
    with pytest.raises(CommandError, match="No local authority has GSS code E09999999"):
        command("--dry-run", "--la", "E09999999")
    with pytest.raises(CommandError):
        command("--la", authority.gss_code)  # neither --dry-run nor --execute
    purge_create(actor=admin, authority=authority)  # queued: a second is refused
    with pytest.raises(CommandError, match="did not finish for E06000023"):
        command("--execute", "--la", authority.gss_code)
