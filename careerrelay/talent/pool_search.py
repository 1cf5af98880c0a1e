"""The talent pool's search: one normalised text document per applicant, and the filters.

Every write that changes what a pool search can match (the applicant's fields, its skills,
tags, evaluation notes or applications) calls `reindex_applicants` in the same transaction.

Why a substring match over one normalised document, and not the search app's Sudachi terms
(careerrelay/search/text.py): the pool is searched for people — names, kana, email addresses,
parts of a note — where what users type is a fragment of a word (「たかは」, 「@example」,
「再アプローチ」 inside 「半年後に再アプローチしたい」). A substring of the document
(NFKC, case folded, katakana as hiragana) finds all of those without a dictionary and without
the segmentation misses a tokenizer makes on names; the marketplace search needs ranking by
terms, the pool needs "find the person".

How it stays fast (50,000 applicants: bench/pool_bench.py, bench/RESULTS.md): an index of the
documents' character bigrams (every two adjacent characters of a word), kept outside the ORM
(migration talent 0007). A word of two characters (髙橋, 営業) is one bigram; a word of one
character has none and is found by the substring test alone (INSTR/STRPOS, a plain,
case-sensitive test on text that is already folded, over the company's documents).
- PostgreSQL: a GIN index over the documents' `bigrams integer[]` column (migration talent
  0012), the codes of `talent_pool_bigrams(text)`, an SQL function that turns a text into integer
  codes; a trigger fills the column from the text, except when a bulk writer
  (`index_new_documents`) sends the same codes itself (`bigram_array`). `@>` narrows to the documents
  holding every bigram of the query, STRPOS decides.
- SQLite: an FTS5 table (rowid = applicant id, no copy of the text) of each word's bigrams in
  order, written by `reindex_applicants`. A query word's bigrams as a phrase find it exactly,
  so no substring test is needed. A deleted document takes its entry with it (a trigger, migration
  talent 0010).
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex

from careerrelay.common.bulk import insert_rows
from careerrelay.common.japanese import kata2hira, normalize_text, skill_key
from careerrelay.talent.models import (
    Applicant,
    ApplicantNote,
    ApplicantSkill,
    Application,
    PoolDocument,
    RejectionReason,
    Tag,
)

REINDEX_BATCH = 500


def search_form(text: str) -> str:
    """NFKC, case folded, katakana as hiragana: how both documents and queries are compared."""
    return kata2hira(normalize_text(text).casefold())


def query_words(q: str) -> list[str]:
    """The words of a query (split at half- and full-width spaces), each in search form."""
    return [word for word in search_form(q).split() if word]


@functools.lru_cache(maxsize=8192)
def _cached_search_form(text: str) -> str:
    return search_form(text)


def _part_form(part: str) -> str:
    if part.isascii():
        # NFKC and katakana -> hiragana change nothing in ASCII (an email address, mostly).
        return " ".join(part.split()).lower()
    return _cached_search_form(part)


def document_text(parts: Iterable[str]) -> str:
    """The search document of these parts (see document_for), each part normalised once per
    distinct value: an import repeats the same names, notes and job titles many times."""
    return "\n".join(_part_form(part) for part in parts if part)


def document_for(applicant: Applicant) -> str:
    parts = [
        applicant.family_name,
        applicant.given_name,
        applicant.family_name_kana,
        applicant.given_name_kana,
        # The name written together, so 「髙橋花子」 typed without a space finds 髙橋 花子.
        applicant.family_name + applicant.given_name,
        applicant.family_name_kana + applicant.given_name_kana,
        applicant.email_normalized,
        applicant.source,
        applicant.notes,
        *(skill.name for skill in applicant.skill_set.all()),
        *(tag.name for tag in applicant.tags.all()),
        *(note.body for note in applicant.evaluation_notes.all()),
    ]
    for application in applicant.applications.all():
        parts += [application.job_title, application.rejection_reason]
        if application.reason is not None:
            parts.append(application.reason.label)
    return document_text(parts)


def bigram_tokens(text: str) -> str:
    """SQLite's FTS5 tokens for a document or a query word: each bigram of each word in order, as
    "<hex code>x<hex code>" so the tokenizer takes it whole whatever the characters are, and "w"
    between words. A word is then in a document exactly when its bigrams are a phrase there:
    consecutive positions, not split by a "w"."""
    return " w ".join(_word_bigrams(word) for word in text.split())


@functools.lru_cache(maxsize=8192)
def _word_bigrams(word: str) -> str:
    return " ".join(f"{ord(a):x}x{ord(b):x}" for a, b in pairwise(word))


# The characters talent_pool_bigrams (migration talent 0007) does not pair.
_NOT_PAIRED = re.compile("[ \n\t\r]+")


@functools.lru_cache(maxsize=8192)
def _line_codes(line: str) -> str:
    return ",".join(
        str((ord(a) * 1114112 + ord(b)) % 2147483647) for word in _NOT_PAIRED.split(line) for a, b in pairwise(word)
    )


def bigram_array(text: str) -> str:
    """PostgreSQL's `talent_pool_bigrams(text)` as an integer[] literal: the same codes (repeats
    and order aside, which the GIN index and `@>` ignore), computed per line of the document
    and cached: a document's lines repeat across an import (names, notes, job titles) and no
    bigram spans a line break."""
    return "{" + ",".join(codes for line in text.split("\n") if (codes := _line_codes(line))) + "}"


def index_new_documents(documents: list[tuple[int, int, str]]) -> None:
    """Search documents of applicants created in this transaction, as (applicant id,
    organisation id, document_text): no old document to replace, so plain inserts. On
    PostgreSQL with their bigram codes, so the database need not compute them row by row."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(PoolDocument._meta.db_table)
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} (applicant_id, organisation_id, text, bigrams) FROM STDIN") as copy,
        ):
            for pk, organisation_id, text in documents:
                copy.write_row((pk, organisation_id, text, bigram_array(text)))
        return
    insert_rows(
        PoolDocument,
        [{"applicant": pk, "organisation": organisation_id, "text": text} for pk, organisation_id, text in documents],
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO talent_pool_bigrams(rowid, bigrams) VALUES (%s, %s)",
                [(pk, bigram_tokens(text)) for pk, _organisation_id, text in documents],
            )


def reindex_applicants(applicant_ids: Iterable[int]) -> None:
    ids = list(applicant_ids)
    for start in range(0, len(ids), REINDEX_BATCH):
        batch = ids[start : start + REINDEX_BATCH]
        applicants = Applicant.objects.filter(pk__in=batch).prefetch_related(
            "skill_set", "tags", "evaluation_notes", "applications__reason"
        )
        documents = [
            PoolDocument(applicant=applicant, organisation_id=applicant.organisation_id, text=document_for(applicant))
            for applicant in applicants
        ]
        if connection.vendor == "sqlite":
            _reindex_sqlite_bigrams(batch, documents)
        PoolDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["applicant"],
            update_fields=["text"],
        )


def _reindex_sqlite_bigrams(applicant_ids: list[int], documents: list[PoolDocument]) -> None:
    """The FTS5 table keeps no copy of the tokens (content=''): removing a document's entry takes
    the tokens it was given, which come from the document's text as stored until now."""
    old = PoolDocument.objects.filter(pk__in=applicant_ids).values_list("pk", "text")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO talent_pool_bigrams(talent_pool_bigrams, rowid, bigrams) VALUES ('delete', %s, %s)",
            [(pk, bigram_tokens(text)) for pk, text in old],
        )
        cursor.executemany(
            "INSERT INTO talent_pool_bigrams(rowid, bigrams) VALUES (%s, %s)",
            [(document.applicant_id, bigram_tokens(document.text)) for document in documents],
        )


def filter_choices(organisation_id: int) -> tuple[QuerySet[RejectionReason], QuerySet[Tag]]:
    """The company's reasons (retired ones too: old applications carry them) and tags to filter
    by. Read only: a company that never opened its reason list has no applicant with one."""
    return (
        RejectionReason.objects.filter(organisation_id=organisation_id),
        Tag.objects.filter(organisation_id=organisation_id),
    )


# --- Searching --------------------------------------------------------------------------------


# Rows without the sorted value (no rejection date, years unknown) go last either way.
SORTS = {
    "new": (F("created_at").desc(), F("id").desc()),
    "rejected_desc": (F("rejected_on").desc(nulls_last=True), F("id").desc()),
    "rejected_asc": (F("rejected_on").asc(nulls_last=True), F("id").asc()),
    "kana": (F("family_name_kana").asc(), F("given_name_kana").asc(), F("id").asc()),
    "years_desc": (F("years_experience").desc(nulls_last=True), F("id").desc()),
}


@dataclass
class PoolQuery:
    """What the list page (or a saved search) asks of the pool. Empty fields narrow nothing."""

    q: str = ""
    job: str = ""  # a job title as applied for (the applicant's latest application)
    stage: str = ""
    reasons: list[int] = field(default_factory=list)  # the company's RejectionReason ids, any of
    rejected_from: date | None = None
    rejected_to: date | None = None
    skills: list[str] = field(default_factory=list)  # as typed; compared by skill_key
    skills_mode: str = "any"  # "any" or "all"
    tags: list[int] = field(default_factory=list)  # any of
    years_min: int | None = None
    years_max: int | None = None
    recontact_ok: bool | None = None
    outcome: str = ""  # an Application.Outcome any of the person's applications had
    has_notes: bool | None = None
    sort: str = "new"


def matching_text(queryset: QuerySet[Applicant], q: str, *, organisation_id: int) -> QuerySet[Applicant]:
    """Every word of `q` somewhere in the applicant's document (words AND-ed)."""
    words = query_words(q)
    if not words:
        return queryset
    indexed = " ".join(word for word in words if len(word) > 1)
    # Only this company's documents are read, however many other companies share the table.
    documents = PoolDocument.objects.filter(organisation_id=organisation_id)
    to_check = words
    if indexed and connection.vendor == "postgresql":
        documents = documents.filter(
            RawSQL("bigrams @> talent_pool_bigrams(%s)", [indexed], output_field=BooleanField())
        )
    elif indexed and connection.vendor == "sqlite":
        match = " AND ".join(f'"{bigram_tokens(word)}"' for word in words if len(word) > 1)
        bigrams = RawSQL("SELECT rowid FROM talent_pool_bigrams WHERE talent_pool_bigrams MATCH %s", [match])
        # A phrase of a word's bigrams finds the word exactly: only one-character words need the
        # substring test.
        to_check = [word for word in words if len(word) == 1]
        if not to_check:
            return queryset.filter(pk__in=bigrams)
        documents = documents.filter(applicant_id__in=bigrams)
    # PostgreSQL's bigrams narrow (a set: the bigrams of 「たかは」 are also in 「かはた」, and
    # codes may collide); the substring test decides.
    for index, word in enumerate(to_check):
        alias = f"text_match_{index}"
        documents = documents.alias(**{alias: StrIndex("text", Value(word))}).filter(**{f"{alias}__gt": 0})
    return queryset.filter(pk__in=documents.values("applicant_id"))


def search_pool(*, organisation_id: int, query: PoolQuery) -> QuerySet[Applicant]:
    """One company's applicants narrowed by `query` and sorted."""
    pool = Applicant.objects.filter(organisation_id=organisation_id)
    queryset = matching_text(pool, query.q, organisation_id=organisation_id)
    if query.job:
        queryset = queryset.filter(job_title=query.job)
    if query.stage:
        queryset = queryset.filter(stage=query.stage)
    if query.reasons:
        queryset = queryset.filter(reason_id__in=query.reasons)
    if query.rejected_from:
        queryset = queryset.filter(rejected_on__gte=query.rejected_from)
    if query.rejected_to:
        queryset = queryset.filter(rejected_on__lte=query.rejected_to)
    keys = sorted({skill_key(name) for name in query.skills} - {""})
    if keys and query.skills_mode == "all":
        for key in keys:
            queryset = queryset.filter(pk__in=ApplicantSkill.objects.filter(key=key).values("applicant_id"))
    elif keys:
        queryset = queryset.filter(pk__in=ApplicantSkill.objects.filter(key__in=keys).values("applicant_id"))
    if query.tags:
        queryset = queryset.filter(
            pk__in=Applicant.tags.through.objects.filter(tag_id__in=query.tags).values("applicant_id")
        )
    if query.years_min is not None:
        queryset = queryset.filter(years_experience__gte=query.years_min)
    if query.years_max is not None:
        queryset = queryset.filter(years_experience__lte=query.years_max)
    if query.recontact_ok is not None:
        queryset = queryset.filter(recontact_ok=query.recontact_ok)
    if query.outcome:
        queryset = queryset.filter(pk__in=Application.objects.filter(outcome=query.outcome).values("applicant_id"))
    if query.has_notes is not None:
        # EXISTS per row, not IN over every note of every company: the other filters narrow first.
        noted = Q(Exists(ApplicantNote.objects.filter(applicant_id=OuterRef("pk")))) | ~Q(notes="")
        queryset = queryset.filter(noted if query.has_notes else ~noted)
    return queryset.order_by(*SORTS.get(query.sort, SORTS["new"]))


class PoolPage:
    """One page of a search, found in one pass: the matching ids in order (an index-only read
    once the document scan is done), then the page's rows by primary key. A count query and a
    page query would each scan the documents; this scans them once."""

    def __init__(self, queryset: QuerySet[Applicant], *, page: int | str | None, per_page: int):
        self.ids = list(queryset.values_list("pk", flat=True))
        self.count = len(self.ids)
        self.num_pages = max(1, -(-self.count // per_page))
        try:
            number = int(page or 1)
        except (TypeError, ValueError):
            number = 1
        self.number = min(max(number, 1), self.num_pages)
        start = (self.number - 1) * per_page
        page_ids = self.ids[start : start + per_page]
        # The rows shown with what the list shows of them, in three queries whatever the page size.
        # Prefetched into plain lists (listed_skills, listed_tags): filling each row's related
        # managers instead cost as much as the search itself (a queryset built per row).
        rows = {
            row.pk: row
            for row in Applicant.objects.filter(pk__in=page_ids)
            .select_related("reason")
            .prefetch_related(Prefetch("skill_set", to_attr="listed_skills"), Prefetch("tags", to_attr="listed_tags"))
        }
        self.object_list = [rows[pk] for pk in page_ids if pk in rows]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1
