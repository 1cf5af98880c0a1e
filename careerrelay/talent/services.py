"""An employer's own applicants (employer workspace data, held on the employer's behalf).

Every function takes the organisation explicitly or works on an applicant already fetched for
it; nothing here looks applicants up across organisations.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careerrelay.common.japanese import normalize_email, normalize_kana, normalize_text
from careerrelay.organisations.models import Organisation
from careerrelay.talent.cleaning import APPLICANT_FIELDS, clean_record, one_line_as_typed
from careerrelay.talent.models import DEFAULT_REASONS, Applicant, Application, RejectionReason
from careerrelay.talent.pool_search import reindex_applicants

BULK_BATCH_SIZE = 1000


class DuplicateApplicant(Exception):
    def __init__(self, email: str):
        self.email = email
        super().__init__(_("メールアドレス %(email)s の応募者はすでに登録されています。") % {"email": email})


# The applicant's columns that mirror its latest application (see the Applicant docstring).
APPLICATION_FIELDS = ("job_title", "stage", "rejected_on", "reason", "rejection_reason")


# Fields a service caller may set besides the record fields of a CSV row.
EXTRA_FIELDS = ("email_normalized", "reason", "years_experience", "ats_id")


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


def filter_applicants(
    queryset: QuerySet[Applicant],
    *,
    job: str = "",
    stage: str = "",
    rejected_from: date | None = None,
    rejected_to: date | None = None,
    q: str = "",
) -> QuerySet[Applicant]:
    if job:
        queryset = queryset.filter(job_title=job)
    if stage:
        queryset = queryset.filter(stage=stage)
    if rejected_from:
        queryset = queryset.filter(rejected_on__gte=rejected_from)
    if rejected_to:
        queryset = queryset.filter(rejected_on__lte=rejected_to)
    for word in normalize_text(q).split():
        kana = normalize_kana(word)
        queryset = queryset.filter(
            Q(family_name__icontains=word)
            | Q(given_name__icontains=word)
            | Q(family_name_kana__icontains=kana)
            | Q(given_name_kana__icontains=kana)
            | Q(email_normalized__icontains=normalize_email(word))
        )
    return queryset


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
    for name in ("family_name", "given_name", "phone"):
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


def email_taken(*, organisation: Organisation, email: str, exclude_pk=None) -> bool:
    queryset = applicants_for(organisation).filter(email_normalized=normalize_email(email))
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def create_applicant(*, organisation: Organisation, data: dict) -> Applicant:
    data = _normalise(data)
    try:
        with transaction.atomic():
            applicant = Applicant.objects.create(organisation=organisation, **data)
            _application_from(applicant).save()
            reindex_applicants([applicant.pk])
            return applicant
    except IntegrityError:
        # The unique constraint, not the form's check, is what keeps two requests at once from
        # doubling an applicant.
        raise DuplicateApplicant(data.get("email", "")) from None


def update_applicant(*, applicant: Applicant, data: dict) -> Applicant:
    data = _normalise(data)
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
            reindex_applicants([applicant.pk])
    except IntegrityError:
        raise DuplicateApplicant(data.get("email", "")) from None
    return applicant


def delete_applicant(*, applicant: Applicant) -> None:
    applicant.delete()


# --- Many at once (CSV import, API) -----------------------------------------------------------


@dataclass
class Problem:
    line: int  # the CSV line number, or the list index for the API
    reasons: list[str]


@dataclass
class Validation:
    valid: list[tuple[int, dict]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems}


def validate_records(*, organisation: Organisation, records, line_word: str | None = None) -> Validation:
    """Clean every record and report each bad one, with all its reasons, before saving anything.

    `records` yields (line, raw dict). Duplicates are checked within the batch (the first
    occurrence wins) and against the organisation's existing applicants, in one query.
    """
    line_word = line_word or _("%(line)d行目")
    existing = set(applicants_for(organisation).values_list("email_normalized", flat=True))
    first_seen: dict[str, int] = {}
    result = Validation()
    for line, raw in records:
        data, reasons = clean_record(raw)
        email = data["email_normalized"]
        if email:
            if email in existing:
                reasons.append(
                    _("このメールアドレスの応募者はすでに登録されています（%(email)s）。") % {"email": email}
                )
            elif email in first_seen:
                reasons.append(
                    _("同じメールアドレスが%(where)sにもあります（%(email)s）。")
                    % {"where": line_word % {"line": first_seen[email]}, "email": email}
                )
        if email and email not in first_seen:
            first_seen[email] = line
        if reasons:
            result.problems.append(Problem(line=line, reasons=reasons))
        else:
            result.valid.append((line, data))
    return result


class ImportRefused(Exception):
    """Bad records that the user did not choose to skip; nothing was saved."""

    def __init__(self, validation: Validation, unskipped: set[int]):
        self.validation = validation
        self.unskipped = unskipped
        super().__init__(_("エラーのある行が%(count)d件あります。何も保存していません。") % {"count": len(unskipped)})


def bulk_create_applicants(
    *, organisation: Organisation, records, skip: set[int] | frozenset[int] = frozenset(), line_word: str | None = None
) -> tuple[list[Applicant], Validation]:
    """Create all valid records in one transaction, or none.

    Bad records are skipped only when their line is in `skip` (the user chose to skip them);
    any other bad record refuses the whole batch.
    """
    validation = validate_records(organisation=organisation, records=records, line_word=line_word)
    unskipped = validation.bad_lines - set(skip)
    if unskipped:
        raise ImportRefused(validation, unskipped)
    objs = [Applicant(organisation=organisation, **data) for _line, data in validation.valid]
    try:
        with transaction.atomic():
            created = Applicant.objects.bulk_create(objs, batch_size=BULK_BATCH_SIZE)
            Application.objects.bulk_create([_application_from(a) for a in created], batch_size=BULK_BATCH_SIZE)
            reindex_applicants(a.pk for a in created)
    except IntegrityError:
        # Someone added one of these addresses between the check and the insert: validate
        # again so the user sees which.
        validation = validate_records(
            organisation=organisation, records=[(line, data) for line, data in validation.valid], line_word=line_word
        )
        raise ImportRefused(validation, validation.bad_lines) from None
    return created, validation
