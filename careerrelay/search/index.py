"""Keeping the search index in step with the candidates agencies may find.

`index_candidate()` (one person, after a save or a consent change, run by the task in tasks.py),
`remove_candidate()` (synchronous, inside deletion and withdrawal transactions) and
`index_candidates()` (in bulk, for load_candidates and rebuild_search_index)."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from careerrelay.candidates.choices import JobCategory
from careerrelay.candidates.models import Candidate
from careerrelay.search.models import Posting, SearchDocument
from careerrelay.search.text import document_terms


@dataclass(frozen=True)
class Field:
    bit: int
    code: str
    weight: float


# What a recruiter searches, and how much a match in each place says about the person.
SKILLS = Field(1, "skills", 3.0)
DESIRED = Field(2, "desired_roles", 2.0)
ROLES = Field(4, "work_roles", 2.0)
HISTORY = Field(8, "work_history", 1.0)
SUMMARY = Field(16, "summary", 1.0)
FIELDS = (SKILLS, DESIRED, ROLES, HISTORY, SUMMARY)

BATCH = 500


def _category_labels(codes) -> str:
    labels = dict(JobCategory.choices)
    with translation.override("ja"):
        return " ".join(str(labels[c]) for c in codes if c in labels)


def field_texts(candidate: Candidate, skills: list[str], history: list) -> dict[Field, str]:
    categories = list(candidate.desired_job_categories or []) or [candidate.job_category]
    return {
        SKILLS: " , ".join(skills) if skills else candidate.skills,
        DESIRED: _category_labels(categories),
        ROLES: " , ".join(w.role for w in history if w.role),
        HISTORY: "\n".join(f"{w.company} {w.description}" for w in history),
        SUMMARY: candidate.summary,
    }


def build_document(candidate: Candidate, skills: list[str], history: list) -> tuple[SearchDocument, list[Posting]]:
    weighted, bits, length = Counter(), Counter(), 0.0
    for field, text in field_texts(candidate, skills, history).items():
        terms, words = document_terms(text)
        length += field.weight * words
        for term, count in terms.items():
            weighted[term] += field.weight * count
            bits[term] |= field.bit
    categories = list(candidate.desired_job_categories or []) or [candidate.job_category]
    prefectures = [candidate.prefecture, *(candidate.desired_prefectures or [])]
    document = SearchDocument(
        candidate_id=candidate.pk,
        public_id=candidate.public_id,
        prefecture=candidate.prefecture,
        prefectures="|" + "|".join(dict.fromkeys(p for p in prefectures if p)) + "|",
        job_categories="|" + "|".join(dict.fromkeys(c for c in categories if c)) + "|",
        years_experience=candidate.years_experience,
        salary_min=candidate.desired_salary_min,
        salary_max=candidate.desired_salary_max,
        remote_preference=candidate.remote_preference or "",
        profile_updated_at=candidate.profile_updated_at,
        updated_epoch=candidate.profile_updated_at.timestamp(),
        notice_version=settings.PRIVACY_NOTICE_VERSION,
        length=max(length, 1.0),
    )
    postings = [Posting(term=term, document_id=candidate.pk, tf=tf, fields=bits[term]) for term, tf in weighted.items()]
    return document, postings


def _skills(candidate: Candidate) -> list[str]:
    return [s.name for s in candidate.skill_set.all()]


def remove_candidate(candidate_id: int) -> int:
    """Delete everything the index holds about one person. Returns the number of postings removed.

    On SQLite, secure_delete makes the freed pages zeroed rather than left with the old bytes in
    the database file (PostgreSQL's dead tuples go at the next VACUUM, which autovacuum runs)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    removed, _ = Posting.objects.filter(document_id=candidate_id).delete()
    SearchDocument.objects.filter(candidate_id=candidate_id).delete()
    return removed


def _visible(ids):
    from careerrelay.privacy.services import agency_visible_candidates

    return agency_visible_candidates().filter(pk__in=list(ids))


def index_candidate(candidate_id: int) -> bool:
    """Bring one person's entry up to date: written when agencies may find them, removed otherwise."""
    with transaction.atomic():
        candidate = _visible([candidate_id]).select_for_update().first()
        remove_candidate(candidate_id)
        if candidate is None:
            return False
        history = list(candidate.work_history.all())
        document, postings = build_document(candidate, _skills(candidate), history)
        document.save(force_insert=True)
        Posting.objects.bulk_create(postings, batch_size=BATCH)
        return True


def index_candidates(candidate_ids=None, *, batch: int = BATCH, progress=None) -> int:
    """Index many people at once (all visible candidates when no ids are given). Returns how many
    documents were written. Each batch is one transaction."""
    if candidate_ids is None:
        candidate_ids = _visible_ids()
    candidate_ids = list(candidate_ids)
    written = 0
    for start in range(0, len(candidate_ids), batch):
        chunk = candidate_ids[start : start + batch]
        with transaction.atomic():
            candidates = list(_visible(chunk).prefetch_related("skill_set", "work_history").order_by("pk"))
            Posting.objects.filter(document_id__in=chunk).delete()
            SearchDocument.objects.filter(candidate_id__in=chunk).delete()
            documents, postings = [], []
            for candidate in candidates:
                document, rows = build_document(candidate, _skills(candidate), list(candidate.work_history.all()))
                documents.append(document)
                postings.extend(rows)
            SearchDocument.objects.bulk_create(documents, batch_size=batch)
            Posting.objects.bulk_create(postings, batch_size=2000)
        written += len(documents)
        if progress:
            progress(written, len(candidate_ids))
    return written


def _visible_ids():
    from careerrelay.privacy.services import agency_visible_candidates

    return agency_visible_candidates().order_by("pk").values_list("pk", flat=True)


def rebuild_index(*, progress=None) -> int:
    """Drop the whole index and write it again from the candidates agencies may find."""
    with transaction.atomic():
        Posting.objects.all().delete()
        SearchDocument.objects.all().delete()
    return index_candidates(progress=progress)
