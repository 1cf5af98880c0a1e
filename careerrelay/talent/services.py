"""An employer's own applicants (employer workspace data, held on the employer's behalf).

Every function takes the organisation explicitly or works on an applicant already fetched for
it; nothing here looks applicants up across organisations.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from careerrelay.audit.actor import Actor
from careerrelay.audit.services import Action, record_event, record_many
from careerrelay.common.bulk import insert_rows, paused_gc
from careerrelay.common.japanese import normalize_email, normalize_kana, normalize_text, skill_key
from careerrelay.organisations.models import Organisation
from careerrelay.talent.cleaning import (
    APPLICANT_FIELDS,
    CleanedRecord,
    ReasonMatcher,
    clean_record,
    one_line_as_typed,
    parse_skill_list,
    parse_tags,
    reason_label_key,
    tag_key,
)
from careerrelay.talent.models import (
    DEFAULT_REASONS,
    Applicant,
    ApplicantNote,
    ApplicantSkill,
    Application,
    RejectionReason,
    Tag,
)
from careerrelay.talent.pool_search import document_text, index_new_documents, reindex_applicants

BULK_BATCH_SIZE = 1000
APPLICANT = "talent.applicant"


class DuplicateApplicant(Exception):
    """The company already has an applicant with this email (or this ATS ID)."""

    def __init__(self, email: str, *, key: str = "email"):
        self.email = email
        self.field = key
        if key == "ats_id":
            message = _("ATS ID %(value)s の応募者はすでに登録されています。") % {"value": email}
        else:
            message = _("メールアドレス %(email)s の応募者はすでに登録されています。") % {"email": email}
        super().__init__(message)


class NotYourNote(Exception):
    """A member changes only their own evaluation notes; admins change any."""


class DuplicateReasonLabel(Exception):
    def __init__(self, label: str):
        self.label = label
        super().__init__(_("「%(label)s」はすでに不採用理由の一覧にあります。") % {"label": label})


# The applicant's columns that mirror its latest application (see the Applicant docstring).
APPLICATION_FIELDS = ("job_title", "stage", "rejected_on", "reason", "rejection_reason")


# Fields a service caller may set besides the record fields of a CSV row.
EXTRA_FIELDS = ("email_normalized", "reason", "years_experience", "ats_id")


def _audit(*, actor: Actor, action: str, applicant: Applicant, **detail) -> None:
    # Field names only: the audit log never holds a name, an address or free text.
    record_event(
        actor=actor,
        action=action,
        organisation=applicant.organisation,
        object_type=APPLICANT,
        object_id=applicant.pk,
        **detail,
    )


# --- The company's reason list ----------------------------------------------------------------


def rejection_reasons_for(organisation: Organisation, *, include_retired: bool = False) -> QuerySet[RejectionReason]:
    """The company's structured rejection reasons, seeded with the defaults the first time."""
    reasons = RejectionReason.objects.filter(organisation=organisation)
    if not reasons.exists():
        # Two first requests at once both seed: the unique label makes the second a no-op.
        RejectionReason.objects.bulk_create(
            [
                RejectionReason(organisation=organisation, label=label, kind=kind, position=position)
                for position, (label, kind) in enumerate(DEFAULT_REASONS)
            ],
            ignore_conflicts=True,
        )
    return reasons if include_retired else reasons.filter(active=True)


def reason_matcher_for(organisation: Organisation) -> ReasonMatcher:
    return ReasonMatcher(rejection_reasons_for(organisation, include_retired=True))


def get_reason(*, organisation: Organisation, pk) -> RejectionReason | None:
    return RejectionReason.objects.filter(organisation=organisation, pk=pk).first()


def _audit_reason(*, actor: Actor, reason: RejectionReason, change: str) -> None:
    record_event(
        actor=actor,
        action=Action.CHANGE,
        organisation=reason.organisation,
        object_type="talent.rejection_reason",
        object_id=reason.pk,
        change=change,
    )


def _check_label_free(organisation: Organisation, label: str, *, exclude_pk=None) -> None:
    key = reason_label_key(label)
    others = rejection_reasons_for(organisation, include_retired=True).exclude(pk=exclude_pk)
    if any(reason_label_key(other.label) == key for other in others):
        raise DuplicateReasonLabel(label)


def add_reason(*, organisation: Organisation, label: str, kind: str, actor: Actor) -> RejectionReason:
    label = normalize_text(label)
    try:
        with transaction.atomic():
            _check_label_free(organisation, label)
            last = RejectionReason.objects.filter(organisation=organisation).aggregate(m=Max("position"))["m"]
            reason = RejectionReason.objects.create(
                organisation=organisation, label=label, kind=kind, position=(last or 0) + 1
            )
            _audit_reason(actor=actor, reason=reason, change="added")
    except IntegrityError:
        raise DuplicateReasonLabel(label) from None
    return reason


def update_reason(*, reason: RejectionReason, label: str, kind: str, actor: Actor) -> RejectionReason:
    """Rename (or reclassify) a reason: every application that has it shows the new label."""
    label = normalize_text(label)
    try:
        with transaction.atomic():
            _check_label_free(reason.organisation, label, exclude_pk=reason.pk)
            reason.label, reason.kind = label, kind
            reason.save(update_fields=["label", "kind"])
            # The label is part of the search document of everyone who has it.
            reindex_applicants(
                Application.objects.filter(reason=reason).values_list("applicant_id", flat=True).distinct()
            )
            _audit_reason(actor=actor, reason=reason, change="renamed")
    except IntegrityError:
        raise DuplicateReasonLabel(label) from None
    return reason


def set_reason_active(*, reason: RejectionReason, active: bool, actor: Actor) -> RejectionReason:
    """Retire a reason (no longer offered; applications keep it) or bring it back."""
    with transaction.atomic():
        reason.active = active
        reason.save(update_fields=["active"])
        _audit_reason(actor=actor, reason=reason, change="restored" if active else "retired")
    return reason


def move_reason(*, reason: RejectionReason, offset: int, actor: Actor) -> None:
    """Move a reason up (-1) or down (+1) in the company's list."""
    with transaction.atomic():
        reasons = list(
            RejectionReason.objects.select_for_update()
            .filter(organisation=reason.organisation)
            .order_by("position", "id")
        )
        index = next(i for i, r in enumerate(reasons) if r.pk == reason.pk)
        target = index + offset
        if not 0 <= target < len(reasons):
            return
        reasons[index], reasons[target] = reasons[target], reasons[index]
        for position, item in enumerate(reasons):
            item.position = position
        RejectionReason.objects.bulk_update(reasons, ["position"])
        _audit_reason(actor=actor, reason=reason, change="moved")


def latest_application(applicant: Applicant) -> Application | None:
    return applicant.applications.order_by("-created_at", "-id").first()


def _application_from(applicant: Applicant) -> Application:
    return Application(
        applicant=applicant,
        created_at=applicant.created_at,
        outcome=Application.Outcome.REJECTED,
        **{name: getattr(applicant, name) for name in APPLICATION_FIELDS},
    )


def applicants_for(organisation: Organisation) -> QuerySet[Applicant]:
    return Applicant.objects.filter(organisation=organisation)


def get_applicant(*, organisation: Organisation, pk) -> Applicant | None:
    return applicants_for(organisation).filter(pk=pk).first()


def job_titles_for(organisation: Organisation) -> list[str]:
    return list(
        applicants_for(organisation)
        .exclude(job_title="")
        .order_by("job_title")
        .values_list("job_title", flat=True)
        .distinct()
    )


def _normalise(data: dict) -> dict:
    data = dict(data)
    for name in ("family_name", "given_name", "phone", "ats_id"):
        if name in data:
            data[name] = normalize_text(data[name] or "")
    for name in ("job_title", "source"):
        if name in data:
            data[name] = one_line_as_typed(data[name])
    for name in ("family_name_kana", "given_name_kana"):
        if name in data:
            data[name] = normalize_kana(data[name] or "")
    if "email" in data:
        data["email"] = data["email_normalized"] = normalize_email(data["email"])
    return {k: v for k, v in data.items() if k in APPLICANT_FIELDS or k in EXTRA_FIELDS}


def _without_locked_consent(applicant: Applicant, data: dict) -> dict:
    """For a person linked to their own 「再応募歓迎」 consent, only that consent decides whether
    the company may contact them (privacy.recontact sets and clears it): a form, an import or an
    ATS sync cannot switch it back on after they withdrew."""
    if applicant.candidate_public_id is not None:
        data.pop("recontact_ok", None)
    return data


def _skills_and_tags(data: dict) -> tuple[list[str] | None, list[str] | None]:
    """Skills and tags as a service caller gives them (lists of names, or typed text); None
    where `data` does not name them, so they stay as they are."""
    skills = parse_skill_list(data["skills"]) if data.get("skills") is not None else None
    tags = parse_tags(data["tags"]) if data.get("tags") is not None else None
    return skills, tags


def email_taken(*, organisation: Organisation, email: str, exclude_pk=None) -> bool:
    queryset = applicants_for(organisation).filter(email_normalized=normalize_email(email))
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def ats_id_taken(*, organisation: Organisation, ats_id: str, exclude_pk=None) -> bool:
    ats_id = normalize_text(ats_id)
    if not ats_id:
        return False
    return applicants_for(organisation).filter(ats_id=ats_id).exclude(pk=exclude_pk).exists()


def _duplicate(organisation: Organisation, data: dict, *, exclude_pk=None) -> DuplicateApplicant:
    if data.get("ats_id") and ats_id_taken(organisation=organisation, ats_id=data["ats_id"], exclude_pk=exclude_pk):
        return DuplicateApplicant(data["ats_id"], key="ats_id")
    return DuplicateApplicant(data.get("email", ""))


def create_applicant(*, organisation: Organisation, data: dict, actor: Actor) -> Applicant:
    """One applicant with its first application; `data` may carry "skills" and "tags" (names)."""
    skills, tags = _skills_and_tags(data)
    data = _normalise(data)
    try:
        with transaction.atomic():
            applicant = Applicant.objects.create(organisation=organisation, **data)
            _application_from(applicant).save()
            if skills:
                _replace_skills([applicant], {applicant.pk: skills})
            if tags:
                _replace_tags(organisation, {applicant.pk: tags})
            reindex_applicants([applicant.pk])
            _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="created")
            return applicant
    except IntegrityError:
        # The unique constraints, not the form's check, are what keep two requests at once from
        # doubling an applicant.
        raise _duplicate(organisation, data) from None


def update_applicant(*, applicant: Applicant, data: dict, actor: Actor) -> Applicant:
    """Change the applicant and its latest application; "skills"/"tags" in `data` replace them."""
    skills, tags = _skills_and_tags(data)
    data = _without_locked_consent(applicant, _normalise(data))
    for name, value in data.items():
        setattr(applicant, name, value)
    mirrored = {name: getattr(applicant, name) for name in APPLICATION_FIELDS if name in data or f"{name}_id" in data}
    try:
        with transaction.atomic():
            applicant.save(update_fields=[*data.keys(), "updated_at"])
            application = latest_application(applicant)
            if application is None:
                _application_from(applicant).save()
            elif mirrored:
                for name, value in mirrored.items():
                    setattr(application, name, value)
                application.save(update_fields=[*mirrored.keys(), "updated_at"])
            if skills is not None:
                _replace_skills([applicant], {applicant.pk: skills})
            if tags is not None:
                _replace_tags(applicant.organisation, {applicant.pk: tags})
            reindex_applicants([applicant.pk])
            changed = sorted(
                {*data.keys(), *(["skills"] if skills is not None else []), *(["tags"] if tags is not None else [])}
            )
            _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="updated", fields=changed)
    except IntegrityError:
        raise _duplicate(applicant.organisation, data, exclude_pk=applicant.pk) from None
    return applicant


def delete_applicant(*, applicant: Applicant, actor: Actor) -> None:
    with transaction.atomic():
        _audit(actor=actor, action=Action.DELETE, applicant=applicant)
        applicant.delete()


# --- Skills, tags, the structured reason, applications ----------------------------------------


def _replace_skills(applicants: list[Applicant], names_by_applicant: dict[int, list[str]]) -> None:
    ids = list(names_by_applicant)
    for chunk in _chunks(ids):
        ApplicantSkill.objects.filter(applicant_id__in=chunk).delete()
    rows, _kept = _skill_rows(names_by_applicant)
    insert_rows(ApplicantSkill, rows)


def _replace_tags(
    organisation: Organisation, names_by_applicant: dict[int, list[str]], *, new: bool = False
) -> dict[int, list[str]]:
    """Each applicant's tags become exactly these; a tag new to the company is created once.
    Returns each applicant's tag names as the company's tags spell them, in the order the pool
    lists them (by name). `new`: the applicants were created in this transaction (no old links)."""
    wanted = {tag_key(name): name for names in names_by_applicant.values() for name in names if tag_key(name)}
    # Two imports at once may create the same tag: the unique key makes the second a no-op.
    Tag.objects.bulk_create(
        [Tag(organisation=organisation, name=name, key=key) for key, name in wanted.items()],
        ignore_conflicts=True,
        batch_size=BULK_BATCH_SIZE,
    )
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(wanted):
        found.update(
            (key, (pk, name))
            for key, pk, name in Tag.objects.filter(organisation=organisation, key__in=chunk).values_list(
                "key", "pk", "name"
            )
        )
    through = Applicant.tags.through
    if not new:
        for chunk in _chunks(names_by_applicant):
            through.objects.filter(applicant_id__in=chunk).delete()
    links = {
        (applicant_id, found[tag_key(name)][0])
        for applicant_id, names in names_by_applicant.items()
        for name in names
        if tag_key(name) in found
    }
    insert_rows(through, [{"applicant": applicant_id, "tag": tag_id} for applicant_id, tag_id in sorted(links)])
    name_of = {pk: name for pk, name in found.values()}
    # The database's order of the tags (by name, in its collation), as applicant.tags.all() has it.
    rank = {pk: index for index, pk in enumerate(tags_for(organisation).values_list("pk", flat=True))}
    listed: dict[int, list[str]] = {}
    for applicant_id, tag_id in sorted(links, key=lambda link: (link[0], rank[link[1]])):
        listed.setdefault(applicant_id, []).append(name_of[tag_id])
    return listed


def set_skills(*, applicant: Applicant, skills, actor: Actor) -> list[ApplicantSkill]:
    """The applicant's skills become these (a list, or text separated by commas or 、)."""
    names = parse_skill_list(skills)
    with transaction.atomic():
        _replace_skills([applicant], {applicant.pk: names})
        reindex_applicants([applicant.pk])
        _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="updated", fields=["skills"])
    return list(applicant.skill_set.all())


def set_tags(*, applicant: Applicant, tags, actor: Actor) -> list[Tag]:
    names = parse_tags(tags)
    with transaction.atomic():
        _replace_tags(applicant.organisation, {applicant.pk: names})
        reindex_applicants([applicant.pk])
        _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="updated", fields=["tags"])
    return list(applicant.tags.all())


def tags_for(organisation: Organisation) -> QuerySet[Tag]:
    return Tag.objects.filter(organisation=organisation)


def set_reason(*, applicant: Applicant, reason: RejectionReason | None, actor: Actor) -> Applicant:
    """The structured reason of the applicant's latest application."""
    if reason is not None and reason.organisation_id != applicant.organisation_id:
        raise ValueError("A reason of another company.")
    return update_applicant(applicant=applicant, data={"reason": reason}, actor=actor)


def record_application(*, applicant: Applicant, data: dict, actor: Actor) -> Application:
    """The person applied again: a new application, which the applicant's columns now mirror.

    `data` holds the application's fields (job_title, stage, rejected_on, reason,
    rejection_reason, outcome, applied_on, job); what it leaves out starts empty rather than
    being copied from the earlier application.
    """
    reason = data.get("reason")
    if reason is not None and reason.organisation_id != applicant.organisation_id:
        raise ValueError("A reason of another company.")
    job = data.get("job")
    if job is not None and job.organisation_id != applicant.organisation_id:
        raise ValueError("A job of another company.")
    fields = {
        "job": job,
        "job_title": one_line_as_typed(data.get("job_title") or (job.title if job is not None else "")),
        "stage": data.get("stage") or Applicant._meta.get_field("stage").default,
        "outcome": data.get("outcome") or Application.Outcome.REJECTED,
        "applied_on": data.get("applied_on"),
        "rejected_on": data.get("rejected_on"),
        "reason": reason,
        "rejection_reason": data.get("rejection_reason") or "",
    }
    with transaction.atomic():
        application = Application.objects.create(applicant=applicant, **fields)
        for name in APPLICATION_FIELDS:
            setattr(applicant, name, getattr(application, name))
        applicant.save(update_fields=[*APPLICATION_FIELDS, "updated_at"])
        reindex_applicants([applicant.pk])
        _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="applied_again")
    return application


def applications_of(applicant: Applicant) -> QuerySet[Application]:
    """The person's history, latest first."""
    return applicant.applications.select_related("reason", "job").order_by("-created_at", "-id")


# --- Evaluation notes -------------------------------------------------------------------------


def notes_of(applicant: Applicant) -> QuerySet[ApplicantNote]:
    return applicant.evaluation_notes.select_related("author").order_by("-created_at", "-id")


def get_note(*, applicant: Applicant, pk) -> ApplicantNote | None:
    return applicant.evaluation_notes.filter(pk=pk).first()


def may_change_note(*, note: ApplicantNote, user, is_admin: bool) -> bool:
    """Admins tidy up any note; a member changes their own only (an interviewer's words stay theirs)."""
    return is_admin or (note.author_id is not None and note.author_id == getattr(user, "pk", None))


def _author_name(user) -> str:
    if user is None:
        return ""
    return (getattr(user, "name", "") or getattr(user, "email", ""))[:150]


def add_note(*, applicant: Applicant, body: str, actor: Actor) -> ApplicantNote:
    with transaction.atomic():
        note = ApplicantNote.objects.create(
            applicant=applicant, author=actor.user, author_name=_author_name(actor.user), body=body.strip()
        )
        reindex_applicants([applicant.pk])
        _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="note_added", note=note.pk)
    return note


def edit_note(*, note: ApplicantNote, body: str, actor: Actor, is_admin: bool) -> ApplicantNote:
    if not may_change_note(note=note, user=actor.user, is_admin=is_admin):
        raise NotYourNote
    with transaction.atomic():
        note.body = body.strip()
        note.save(update_fields=["body", "updated_at"])
        reindex_applicants([note.applicant_id])
        _audit(actor=actor, action=Action.CHANGE, applicant=note.applicant, change="note_edited", note=note.pk)
    return note


def delete_note(*, note: ApplicantNote, actor: Actor, is_admin: bool) -> None:
    if not may_change_note(note=note, user=actor.user, is_admin=is_admin):
        raise NotYourNote
    with transaction.atomic():
        applicant = note.applicant
        _audit(actor=actor, action=Action.CHANGE, applicant=applicant, change="note_deleted", note=note.pk)
        note.delete()
        reindex_applicants([applicant.pk])


# --- Many at once (CSV import, API) -----------------------------------------------------------

# What importing a record does: a new person, an update of the person and their latest
# application, or a new application of a person who applied again.
CREATE, UPDATE, APPLY_AGAIN = "create", "update", "apply_again"

# An imported record's fields that describe the person rather than one application.
PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "email",
    "phone",
    "source",
    "notes",
    "recontact_ok",
    "years_experience",
    "ats_id",
)
IMPORT_ATTEMPTS = 3
_IN_CHUNK = 900  # below SQLite's old limit of 999 query parameters


@dataclass
class Problem:
    line: int  # the CSV line number, or the list index for the API
    reasons: list[str]
    # The API's per-field detail: {"field", "message", "allowed"}.
    fields: list[dict] = field(default_factory=list)


@dataclass
class Validation:
    valid: list[tuple[int, dict]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Lines that import, but with something the user should read (an unknown reason kept as text).
    warnings: list[Problem] = field(default_factory=list)
    # line -> the keys its record gave (see CleanedRecord.present)
    present: dict[int, set[str]] = field(default_factory=dict)
    # line -> the existing applicant it updates
    matches: dict[int, int] = field(default_factory=dict)
    # line -> CREATE, UPDATE or APPLY_AGAIN
    plans: dict[int, str] = field(default_factory=dict)

    @property
    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems}

    def count(self, plan: str) -> int:
        return sum(1 for value in self.plans.values() if value == plan)

    @property
    def to_create(self) -> int:
        return self.count(CREATE)

    @property
    def to_update(self) -> int:
        """People who exist already, whether their latest application is updated or they get a new one."""
        return self.count(UPDATE) + self.count(APPLY_AGAIN)

    @property
    def applying_again(self) -> int:
        return self.count(APPLY_AGAIN)


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _existing_keys(organisation: Organisation, emails: set[str], ats_ids: set[str], *, lock: bool):
    """(pk, email_normalized, ats_id) of the company's applicants a batch may update, locked
    for the rest of the transaction when `lock` (two imports then update one person in turn)."""
    rows: set[tuple[int, str, str]] = set()
    connection = connections[router.db_for_write(Applicant)]
    table = connection.ops.quote_name(Applicant._meta.db_table)
    # Plain SQL: for 10,000 keys, Django compiling IN lists of 900 parameters (and psycopg
    # binding them client-side) took longer than the rest of the import (bench/RESULTS.md).
    with connection.cursor() as cursor:
        for column, values in (("email_normalized", emails), ("ats_id", ats_ids)):
            if not values:
                continue
            if connection.vendor == "postgresql":
                # One query, one array parameter, whatever the number of keys.
                chunks = [sorted(values)]
                match = f"{column} = ANY(%s)"
            else:
                chunks = list(_chunks(sorted(values)))
                match = ""
            for chunk in chunks:
                where = match or f"{column} IN ({', '.join(['%s'] * len(chunk))})"
                select = f"SELECT id, email_normalized, ats_id FROM {table}"  # noqa: S608
                sql = f"{select} WHERE organisation_id = %s AND {where} ORDER BY id"
                if lock and connection.features.has_select_for_update:
                    sql += " FOR UPDATE"
                cursor.execute(sql, [organisation.pk, chunk] if match else [organisation.pk, *chunk])
                rows.update((pk, email, ats_id) for pk, email, ats_id in cursor.fetchall())
    return rows


def _latest_applications(applicant_ids) -> dict[int, Application]:
    latest: dict[int, Application] = {}
    for chunk in _chunks(applicant_ids):
        for application in Application.objects.filter(applicant_id__in=chunk).order_by("created_at", "id"):
            latest[application.applicant_id] = application
    return latest


def _same_text(a: str, b: str) -> bool:
    return normalize_text(a).casefold() == normalize_text(b).casefold()


def _is_another_application(data: dict, present: set[str], latest: Application | None) -> bool:
    """Does the record describe another application than the person's latest one?

    A different job title or a different rejection date says so; a value missing on either
    side does not (a record that fills in a date describes the same application).
    """
    if latest is None:
        return False
    if "job_title" in present and latest.job_title and not _same_text(data["job_title"], latest.job_title):
        return True
    return bool("rejected_on" in present and latest.rejected_on and data["rejected_on"] != latest.rejected_on)


def validate_records(
    *,
    organisation: Organisation,
    records,
    line_word: str | None = None,
    strict_reasons: bool = False,
    lock: bool = False,
    cleaned: list[tuple[int, CleanedRecord]] | None = None,
) -> Validation:
    """Clean every record, report each bad one with all its reasons, and say what each good one
    will do (create, update, apply again), before saving anything.

    `records` yields (line, raw dict). A record is the existing applicant with its ATS ID, else
    with its email. The same person twice in one batch is refused (the first occurrence wins).
    """
    if cleaned is None:
        cleaned = clean_records(organisation=organisation, records=records, strict_reasons=strict_reasons)
    return plan_records(organisation=organisation, cleaned=cleaned, line_word=line_word, lock=lock)


def clean_records(
    *, organisation: Organisation, records, strict_reasons: bool = False
) -> list[tuple[int, CleanedRecord]]:
    """Every record cleaned (clean_record), with the company's reason list: what depends on the
    record alone. Done once for a CSV upload and kept with it (importing.py)."""
    matcher = reason_matcher_for(organisation)
    with paused_gc():
        return [(line, clean_record(raw, reasons=matcher, strict_reasons=strict_reasons)) for line, raw in records]


def plan_records(
    *,
    organisation: Organisation,
    cleaned: list[tuple[int, CleanedRecord]],
    line_word: str | None = None,
    lock: bool = False,
) -> Validation:
    """What depends on the database and on the other records: who exists already (by ATS ID,
    else email), duplicates within the batch, and each good record's plan. Set-based queries;
    run again at the import, inside its transaction, whatever the report said."""
    line_word = line_word or _("%(line)d行目")
    emails = {c.data["email_normalized"] for _line, c in cleaned if c.data["email_normalized"]}
    ats_ids = {c.data["ats_id"] for _line, c in cleaned if c.data["ats_id"]}
    by_email, by_ats, ats_of = {}, {}, {}
    for pk, email, ats_id in _existing_keys(organisation, emails, ats_ids, lock=lock):
        by_email[email] = pk
        ats_of[pk] = ats_id
        if ats_id:
            by_ats[ats_id] = pk

    first_email: dict[str, int] = {}
    first_ats: dict[str, int] = {}
    first_target: dict[int, int] = {}
    result = Validation()
    for line, record in cleaned:
        data, reasons = record.data, list(record.errors)
        email, ats_id = data["email_normalized"], data["ats_id"]
        target = None
        if ats_id and ats_id in by_ats:
            target = by_ats[ats_id]
            if email and by_email.get(email, target) != target:
                reasons.append(
                    _(
                        "ATS ID %(ats_id)s の応募者と、メールアドレス %(email)s の応募者は"
                        "別の人として登録されています。どちらの人の記録か確かめてください。"
                    )
                    % {"ats_id": ats_id, "email": email}
                )
        elif email and email in by_email:
            target = by_email[email]
            if ats_id and ats_of[target] and ats_of[target] != ats_id:
                reasons.append(
                    _("メールアドレス %(email)s の応募者は別のATS ID（%(other)s）で登録されています。")
                    % {"email": email, "other": ats_of[target]}
                )
        if email and email in first_email:
            reasons.append(
                _("同じメールアドレスが%(where)sにもあります（%(email)s）。")
                % {"where": line_word % {"line": first_email[email]}, "email": email}
            )
        elif ats_id and ats_id in first_ats:
            reasons.append(
                _("同じATS IDが%(where)sにもあります（%(ats_id)s）。")
                % {"where": line_word % {"line": first_ats[ats_id]}, "ats_id": ats_id}
            )
        elif target is not None and target in first_target:
            reasons.append(
                _("同じ応募者が%(where)sにもあります（%(email)s）。")
                % {"where": line_word % {"line": first_target[target]}, "email": email}
            )
        if email:
            first_email.setdefault(email, line)
        if ats_id:
            first_ats.setdefault(ats_id, line)
        if target is not None:
            first_target.setdefault(target, line)
        if reasons:
            result.problems.append(Problem(line=line, reasons=reasons, fields=record.field_errors))
            continue
        result.valid.append((line, data))
        result.present[line] = record.present
        if record.warnings:
            result.warnings.append(Problem(line=line, reasons=record.warnings))
        if target is not None:
            result.matches[line] = target
        else:
            result.plans[line] = CREATE
    latest = _latest_applications(set(result.matches.values()))
    for line, data in result.valid:
        if line in result.matches:
            another = _is_another_application(data, result.present[line], latest.get(result.matches[line]))
            result.plans[line] = APPLY_AGAIN if another else UPDATE
    return result


class ImportRefused(Exception):
    """Bad records that the user did not choose to skip; nothing was saved."""

    def __init__(self, validation: Validation, unskipped: set[int]):
        self.validation = validation
        self.unskipped = unskipped
        super().__init__(_("エラーのある行が%(count)d件あります。何も保存していません。") % {"count": len(unskipped)})


class ImportCollided(Exception):
    """Other imports kept adding the same people at the same moment; nothing was saved."""

    def __init__(self):
        super().__init__(
            _("同じ応募者を登録する別の取り込みと重なりました。何も保存していません。もう一度お試しください。")
        )


@dataclass
class ImportOutcome:
    validation: Validation
    ids: dict[int, int] = field(default_factory=dict)  # line -> applicant id
    created: list[int] = field(default_factory=list)  # lines
    updated: list[int] = field(default_factory=list)  # lines that changed an existing person
    applied_again: list[int] = field(default_factory=list)  # of the updated, those with a new application
    unchanged: list[int] = field(default_factory=list)  # lines that matched and changed nothing


def import_applicants(
    *,
    organisation: Organisation,
    records,
    actor: Actor,
    skip: set[int] | frozenset[int] = frozenset(),
    line_word: str | None = None,
    strict_reasons: bool = False,
    cleaned: list[tuple[int, CleanedRecord]] | None = None,
) -> ImportOutcome:
    """Create the new people and update the existing ones, all in one transaction, or nothing.

    Bad records are skipped only when their line is in `skip` (the user chose to skip them);
    any other bad record refuses the whole batch. When another import adds one of the same
    people between our look-up and our insert, the unique constraints refuse our insert; the
    batch is then planned again, those people now being updates.
    """
    if cleaned is None:
        cleaned = clean_records(organisation=organisation, records=records, strict_reasons=strict_reasons)
    for _attempt in range(IMPORT_ATTEMPTS):
        try:
            with transaction.atomic():
                validation = plan_records(organisation=organisation, cleaned=cleaned, line_word=line_word, lock=True)
                unskipped = validation.bad_lines - set(skip)
                if unskipped:
                    raise ImportRefused(validation, unskipped)
                with paused_gc():
                    return _write_import(organisation, validation, actor)
        except IntegrityError:
            continue
    raise ImportCollided


def _model_data(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("skills", "tags")}


def _value(obj, name: str):
    # The reason is compared by id, without loading it.
    return obj.reason_id if name == "reason" else getattr(obj, name)


def _data_value(data: dict, name: str):
    if name == "reason":
        return data["reason"].pk if data["reason"] is not None else None
    return data[name]


def _write_import(organisation: Organisation, validation: Validation, actor: Actor) -> ImportOutcome:
    outcome = ImportOutcome(validation=validation)
    now = timezone.now()
    skills: dict[int, list[str]] = {}
    tags: dict[int, list[str]] = {}

    creates = [(line, data) for line, data in validation.valid if validation.plans[line] == CREATE]
    created_ids = _insert_new_applicants(organisation, [data for _line, data in creates], now)
    for (line, _data), pk in zip(creates, created_ids, strict=True):
        outcome.ids[line] = pk
        outcome.created.append(line)

    targets = set(validation.matches.values())
    applicants: dict[int, Applicant] = {}
    for chunk in _chunks(targets):
        for applicant in Applicant.objects.filter(pk__in=chunk).prefetch_related("skill_set", "tags"):
            applicants[applicant.pk] = applicant
    latest = _latest_applications(targets)
    changed_applicants: dict[int, set[str]] = {}
    changed_applications: list[tuple[Application, set[str]]] = []
    new_applications: list[Application] = []
    for line, data in validation.valid:
        if line not in validation.matches:
            continue
        applicant = applicants[validation.matches[line]]
        present, plan = validation.present[line], validation.plans[line]
        outcome.ids[line] = applicant.pk
        changes = {name for name in PERSON_FIELDS if name in present and _value(applicant, name) != data[name]}
        if applicant.candidate_public_id is not None:
            changes.discard("recontact_ok")  # see _without_locked_consent
        application = latest.get(applicant.pk)
        application_changed = False
        if plan == APPLY_AGAIN or application is None:
            application = Application(applicant=applicant, created_at=now, outcome=Application.Outcome.REJECTED)
            for name in APPLICATION_FIELDS:
                setattr(application, name, data[name])
            new_applications.append(application)
            application_changed = True
            mirrored = set(APPLICATION_FIELDS)
        else:
            mirrored = {name for name in APPLICATION_FIELDS if name in present}
            app_changes = {name for name in mirrored if _value(application, name) != _data_value(data, name)}
            if app_changes:
                for name in app_changes:
                    setattr(application, name, data[name])
                application.updated_at = now
                changed_applications.append((application, app_changes | {"updated_at"}))
                application_changed = True
        changes |= {name for name in mirrored if _value(applicant, name) != _data_value(data, name)}
        for name in changes:
            setattr(applicant, name, data[name])
        if "email" in changes:
            applicant.email_normalized = data["email_normalized"]
            changes.add("email_normalized")
        if "skills" in present and [s.name for s in applicant.skill_set.all()] != data["skills"]:
            skills[applicant.pk] = data["skills"]
        if "tags" in present and {t.key for t in applicant.tags.all()} != {tag_key(n) for n in data["tags"]}:
            tags[applicant.pk] = data["tags"]
        if changes or application_changed or applicant.pk in skills or applicant.pk in tags:
            outcome.updated.append(line)
            if plan == APPLY_AGAIN:
                outcome.applied_again.append(line)
            changed_applicants.setdefault(applicant.pk, set()).update(changes)
        else:
            outcome.unchanged.append(line)

    for names, pks in _grouped(changed_applicants):
        group = [applicants[pk] for pk in pks]
        for applicant in group:
            applicant.updated_at = now
        Applicant.objects.bulk_update(group, [*names, "updated_at"], batch_size=BULK_BATCH_SIZE)
    for application, app_fields in changed_applications:
        application.save(update_fields=sorted(app_fields))
    Application.objects.bulk_create(new_applications, batch_size=BULK_BATCH_SIZE)
    if skills:
        _replace_skills([], skills)
    if tags:
        _replace_tags(organisation, tags)

    reindex_applicants(outcome.ids[line] for line in outcome.updated)
    change_of = {line: "created" for line in outcome.created}
    change_of.update({line: "updated" for line in outcome.updated})
    change_of.update({line: "applied_again" for line in outcome.applied_again})
    record_many(
        [
            {
                "actor": actor,
                "action": Action.CHANGE,
                "organisation": organisation,
                "object_type": APPLICANT,
                "object_id": outcome.ids[line],
                "change": change,
                "via": "import",
            }
            for line, change in sorted(change_of.items())
        ]
    )
    return outcome


def _insert_new_applicants(organisation: Organisation, records: list[dict], now) -> list[int]:
    """New people with their first application, skills, tags and search documents: one COPY or
    multi-row INSERT a table, without a model instance per row (common.bulk). Returns the ids in
    the order of `records`."""
    if not records:
        return []
    ids = insert_rows(
        Applicant,
        [
            {
                **{name: data[name] for name in _NEW_APPLICANT_FIELDS},
                "reason": data["reason"].pk if data["reason"] is not None else None,
                "organisation": organisation.pk,
                "created_at": now,
                "updated_at": now,
            }
            for data in records
        ],
        with_ids=True,
    )
    insert_rows(
        Application,
        [
            {
                "applicant": pk,
                "job_title": data["job_title"],
                "stage": data["stage"],
                "rejected_on": data["rejected_on"],
                "reason": data["reason"].pk if data["reason"] is not None else None,
                "rejection_reason": data["rejection_reason"],
                "outcome": Application.Outcome.REJECTED,
                "created_at": now,
                "updated_at": now,
            }
            for pk, data in zip(ids, records, strict=True)
        ],
    )
    skills = {pk: data["skills"] for pk, data in zip(ids, records, strict=True) if data["skills"]}
    tags = {pk: data["tags"] for pk, data in zip(ids, records, strict=True) if data["tags"]}
    skill_names = _insert_skills(skills)
    tag_names = _replace_tags(organisation, tags, new=True) if tags else {}
    documents = []
    for pk, data in zip(ids, records, strict=True):
        parts = [
            data["family_name"],
            data["given_name"],
            data["family_name_kana"],
            data["given_name_kana"],
            data["family_name"] + data["given_name"],
            data["family_name_kana"] + data["given_name_kana"],
            data["email_normalized"],
            data["source"],
            data["notes"],
            *skill_names.get(pk, ()),
            *tag_names.get(pk, ()),
            data["job_title"],
            data["rejection_reason"],
        ]
        if data["reason"] is not None:
            parts.append(data["reason"].label)
        documents.append((pk, organisation.pk, document_text(parts)))
    index_new_documents(documents)
    return ids


# The Applicant fields a new person's row takes from the cleaned record as they are.
_NEW_APPLICANT_FIELDS = tuple(name for name in (*APPLICANT_FIELDS, "email_normalized") if name != "reason")


def _skill_rows(names_by_applicant: dict[int, list[str]]) -> tuple[list[dict], dict[int, list[str]]]:
    rows: list[dict] = []
    kept: dict[int, list[str]] = {}
    for applicant_id, names in names_by_applicant.items():
        seen: set[str] = set()
        for name in names:
            key = skill_key(name)
            if key and key not in seen:
                seen.add(key)
                rows.append({"applicant": applicant_id, "name": name[:50], "key": key, "position": len(seen)})
                kept.setdefault(applicant_id, []).append(name[:50])
    return rows, kept


def _insert_skills(names_by_applicant: dict[int, list[str]]) -> dict[int, list[str]]:
    """Skills of new applicants; returns each one's names as stored, in order."""
    rows, kept = _skill_rows(names_by_applicant)
    insert_rows(ApplicantSkill, rows)
    return kept


def _grouped(changed: dict[int, set[str]]) -> list[tuple[tuple[str, ...], list[int]]]:
    """Applicants grouped by the fields that changed: one bulk UPDATE per group."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for pk, names in changed.items():
        groups.setdefault(tuple(sorted(names)), []).append(pk)
    return list(groups.items())
