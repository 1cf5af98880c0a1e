"""Keeping the search index in step with the candidates agencies may find.

`index_candidate()` (one person, run by the task in tasks.py that the services queue after a
verification, a consent grant or a profile edit commits), `remove_candidate()` (synchronous, called
by withdraw_consent and delete_candidate inside their transactions) and `index_candidates()` (in
bulk, for load_candidates and rebuild_search_index). No signal calls any of them.

Two layouts of the same postings (issue 14). SQLite: one row of four small integers per posting
(search_posting, clustered by term). PostgreSQL: no posting rows (search_posting stays empty) —
each document row holds its term ids in `term_ids integer[]` (sorted, under a GIN index whose
posting lists are compressed) and, in `term_weights integer[]` at the same positions, each term's
weight × 32 + its field bits (migration 0006; not model fields, as SQLite has no arrays). Both
hold the same weights and bits, so both rank the same."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from careerrelay.candidates.choices import JobCategory
from careerrelay.candidates.models import Candidate
from careerrelay.search.models import Posting, SearchDocument, SearchTerm
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
LOOKUP_CHUNK = 500  # terms per IN (...) list, well under SQLite's limit on parameters
K1 = 1.2
B = 0.75
# BM25 normalises a document's length by a pivot, usually the mean length of the collection. A
# fixed pivot (the field-weighted length of a typical profile: 61 words in 100,000 generated ones)
# gives every posting the same scale whenever it was written, so incremental and bulk indexing
# never drift apart and no reindex is needed as the pool grows.
REFERENCE_LENGTH = 60.0


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


def build_document(candidate: Candidate, skills: list[str], history: list) -> tuple[SearchDocument, dict]:
    """The document row and its terms: {term: (field-weighted count, field bits)}."""
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
    return document, {term: (tf, bits[term]) for term, tf in weighted.items()}


def postings_for(document: SearchDocument, terms: dict, avgdl: float) -> list[tuple]:
    """(document_id, term, weight, fields) rows; weight is BM25's saturated, length-normalised tf
    in units of 1/Posting.WEIGHT_SCALE."""
    norm = K1 * (1 - B + B * document.length / avgdl)
    scale = Posting.WEIGHT_SCALE
    return [
        (document.candidate_id, term, round(tf * (K1 + 1) / (tf + norm) * scale), bits)
        for term, (tf, bits) in terms.items()
    ]


def packed(conn=None) -> bool:
    """Whether this database keeps the postings in the document rows (PostgreSQL)."""
    return (conn or connection).vendor == "postgresql"


# A posting packed into one integer of term_weights: weight * FIELD_SPACE + field bits.
FIELD_SPACE = 32


def term_ids(terms, *, create: bool = False) -> dict[str, int]:
    """The dictionary's id of each term; with create, terms not in it yet are added first (a
    concurrent writer adding the same term is fine: the unique key keeps one)."""
    terms = list(dict.fromkeys(terms))
    ids: dict[str, int] = {}
    for start in range(0, len(terms), LOOKUP_CHUNK):
        chunk = terms[start : start + LOOKUP_CHUNK]
        ids.update(SearchTerm.objects.filter(term__in=chunk).values_list("term", "id"))
    if create:
        missing = [term for term in terms if term not in ids]
        if missing:
            SearchTerm.objects.bulk_create(
                [SearchTerm(term=term) for term in missing], batch_size=LOOKUP_CHUNK, ignore_conflicts=True
            )
            ids.update(term_ids(missing))
    return ids


def insert_postings(rows: list[tuple]) -> None:
    """Write postings given as (document_id, term, weight, fields) without building a model
    instance per row (there are ~67 per profile): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    ids = term_ids((row[1] for row in rows), create=True)
    rows = sorted((ids[term], document_id, weight, bits) for document_id, term, weight, bits in rows)
    table = connection.ops.quote_name(Posting._meta.db_table)
    names = ("term_id", "document_id", "weight", "fields")
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _held_term_ids(terms) -> dict[str, int]:
    """The dictionary's id of each term (added if new), each row locked FOR KEY SHARE until this
    transaction ends. PostgreSQL only.

    term_ids arrays have no foreign key to the dictionary, and a document being written is not
    visible to other transactions until it commits: without the lock, delete_documents in another
    transaction (someone removed or re-indexed) could find no committed document holding a term
    we just looked up and delete it, and our row would then point at an id that no longer exists
    (the person never found by that word; search 0006 -> 0005 failing on the posting FK). KEY SHARE
    conflicts only with a delete (or a key update), so writers sharing terms do not wait for each
    other. A term deleted between the look-up and the lock is not returned by the locking SELECT
    (it waits for the deleter to commit and then finds the row gone): it is added again, with a
    new id, and locked in turn. Locks are taken in id order to keep deadlocks between writers rare."""
    ids = term_ids(terms, create=True)
    dictionary = connection.ops.quote_name(SearchTerm._meta.db_table)
    while ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {dictionary} WHERE id = ANY(CAST(%s AS INTEGER[])) ORDER BY id FOR KEY SHARE",  # noqa: S608
                [sorted(set(ids.values()))],
            )
            alive = {term_id for (term_id,) in cursor.fetchall()}
        gone = [term for term, term_id in ids.items() if term_id not in alive]
        if not gone:
            break
        ids.update(term_ids(gone, create=True))
    return ids


def write_documents(built: list[tuple[SearchDocument, dict]]) -> None:
    """Write new documents with their postings: the rows and then their postings on SQLite; on
    PostgreSQL each document row with its term arrays, in one COPY."""
    if not built:
        return
    if not packed():
        SearchDocument.objects.bulk_create([document for document, _terms in built], batch_size=BATCH)
        insert_postings([row for document, terms in built for row in postings_for(document, terms, REFERENCE_LENGTH)])
        return
    rows = [postings_for(document, terms, REFERENCE_LENGTH) for document, terms in built]
    ids = _held_term_ids(row[1] for postings in rows for row in postings)
    fields = SearchDocument._meta.concrete_fields
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}, term_ids, term_weights) FROM STDIN") as copy:
            for (document, _terms), postings in zip(built, rows, strict=True):
                pairs = sorted((ids[term], weight * FIELD_SPACE + bits) for _doc, term, weight, bits in postings)
                values = [f.get_db_prep_save(f.pre_save(document, True), connection) for f in fields]
                copy.write_row([*values, [t for t, _w in pairs], [w for _t, w in pairs]])


def _delete_unused_terms(cursor, candidates: list[int]) -> int:
    """Delete the terms among these ids that no document holds (PostgreSQL). Returns how many."""
    if not candidates:
        return 0
    documents = connection.ops.quote_name(SearchDocument._meta.db_table)
    terms = connection.ops.quote_name(SearchTerm._meta.db_table)
    # Is each term in any document left? A GIN scan reads a word's whole posting list before it
    # answers (160-320 ms for a profile's ~67 words at 100,000 profiles), so first with
    # gin_fuzzy_search_limit, which stops early: a document it finds is a real one, so a term
    # found is in use. Only the terms it found nowhere (few, mostly rare) are checked exactly, and
    # deleted (11-19 ms in all).
    exists = f"EXISTS (SELECT 1 FROM {documents} d WHERE d.term_ids @> ARRAY[t.id])"  # noqa: S608
    cursor.execute("SELECT set_config('gin_fuzzy_search_limit', '50', true)")
    try:
        cursor.execute(
            f"SELECT t.id FROM unnest(CAST(%s AS INTEGER[])) t(id) WHERE NOT {exists}",  # noqa: S608
            [candidates],
        )
        unfound = [term_id for (term_id,) in cursor.fetchall()]
    finally:
        cursor.execute("SELECT set_config('gin_fuzzy_search_limit', '0', true)")
    if not unfound:
        return 0
    # A writer that has looked up one of these terms holds it FOR KEY SHARE until its document
    # commits (_held_term_ids), and its document is not visible to the check above: skip such
    # terms rather than delete them from under it (or wait for it). The rows are locked in id
    # order, in a statement of their own, so that the DELETE, with a new snapshot, deletes only
    # rows this transaction holds and sees any document committed before it got them. A skipped
    # term whose writer rolls back stays unused: remove_unused_terms() clears those.
    cursor.execute(
        f"SELECT id FROM {terms} WHERE id = ANY(CAST(%s AS INTEGER[])) ORDER BY id FOR UPDATE SKIP LOCKED",  # noqa: S608
        [unfound],
    )
    held = [term_id for (term_id,) in cursor.fetchall()]
    if not held:
        return 0
    cursor.execute(
        f"DELETE FROM {terms} t WHERE t.id = ANY(CAST(%s AS INTEGER[])) AND NOT {exists}",  # noqa: S608
        [held],
    )
    return cursor.rowcount


def remove_unused_terms(*, chunk: int = 10_000) -> int:
    """Delete the dictionary's terms that no document holds. Returns how many were deleted.

    delete_documents removes a person's terms no one else has, but on PostgreSQL it skips a term a
    concurrent writer holds (_delete_unused_terms); if that writer then rolls back, the term stays
    in the dictionary, used by no one (harmless for searching: it matches nothing). This clears
    them; `manage.py rebuild_search_index --unused-terms` runs it without rebuilding. On SQLite
    the posting FK and the serialised writers leave none, but the same check runs there too."""
    terms = connection.ops.quote_name(SearchTerm._meta.db_table)
    deleted = 0
    last = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            ids = list(SearchTerm.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:chunk])
            if not ids:
                return deleted
            last = ids[-1]
            if packed():
                deleted += _delete_unused_terms(cursor, ids)
            else:
                posting = connection.ops.quote_name(Posting._meta.db_table)
                cursor.execute(
                    f"DELETE FROM {terms} WHERE id BETWEEN %s AND %s AND NOT EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {posting} p WHERE p.term_id = {terms}.id)",
                    [ids[0], last],
                )
                deleted += cursor.rowcount


def delete_documents(document_ids) -> int:
    """Delete these documents with their postings, and the dictionary's terms no other document
    uses. Returns the number of postings removed."""
    document_ids = list(document_ids)
    if not document_ids:
        return 0
    documents = connection.ops.quote_name(SearchDocument._meta.db_table)
    terms = connection.ops.quote_name(SearchTerm._meta.db_table)
    if packed():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {documents} WHERE candidate_id = ANY(CAST(%s AS BIGINT[])) RETURNING term_ids",  # noqa: S608
                [document_ids],
            )
            deleted = [ids for (ids,) in cursor.fetchall()]
            _delete_unused_terms(cursor, sorted({term_id for ids in deleted for term_id in ids}))
        return sum(len(ids) for ids in deleted)
    postings = Posting.objects.filter(document_id__in=document_ids)
    used = list(postings.values_list("term_id", flat=True).distinct())
    removed, _ = postings.delete()
    with connection.cursor() as cursor:
        for start in range(0, len(used), LOOKUP_CHUNK):
            chunk = used[start : start + LOOKUP_CHUNK]
            cursor.execute(
                f"DELETE FROM {terms} WHERE id IN ({', '.join(['%s'] * len(chunk))}) "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {connection.ops.quote_name(Posting._meta.db_table)} p "
                f"WHERE p.term_id = {terms}.id)",
                chunk,
            )
    SearchDocument.objects.filter(candidate_id__in=document_ids).delete()
    return removed


def postings(document_ids=None, terms=None) -> list[tuple[int, str, int, int]]:
    """(document_id, term, weight, field bits) of the index's postings, in either layout,
    optionally only of some documents and/or terms (for tests and checks, not for searching)."""
    documents = connection.ops.quote_name(SearchDocument._meta.db_table)
    dictionary = connection.ops.quote_name(SearchTerm._meta.db_table)
    if packed():
        sql = (
            f"SELECT d.candidate_id, t.term, u.w / {FIELD_SPACE}, mod(u.w, {FIELD_SPACE}) "  # noqa: S608
            f"FROM {documents} d, unnest(d.term_ids, d.term_weights) u(term_id, w) "
            f"JOIN {dictionary} t ON t.id = u.term_id WHERE TRUE"
        )
        doc_column = "d.candidate_id"
    else:
        sql = (
            f"SELECT p.document_id, t.term, p.weight, p.fields FROM {Posting._meta.db_table} p "  # noqa: S608
            f"JOIN {dictionary} t ON t.id = p.term_id WHERE 1 = 1"
        )
        doc_column = "p.document_id"
    params: list = []
    if document_ids is not None:
        document_ids = list(document_ids) or [-1]
        sql += f" AND {doc_column} IN ({', '.join(['%s'] * len(document_ids))})"
        params.extend(document_ids)
    if terms is not None:
        terms = list(terms) or [""]
        sql += f" AND t.term IN ({', '.join(['%s'] * len(terms))})"
        params.extend(terms)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _skills(candidate: Candidate) -> list[str]:
    return [s.name for s in candidate.skill_set.all()]


def remove_candidate(candidate_id: int) -> int:
    """Delete everything the index holds about one person. Returns the number of postings removed.

    On SQLite, secure_delete makes the freed pages zeroed rather than left with the old bytes in
    the database file (PostgreSQL's dead tuples go at the next VACUUM, which autovacuum runs)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    return delete_documents([candidate_id])


def _visible(ids):
    # upward, and circular: privacy sits above search and imports this module at import time
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
        write_documents([build_document(candidate, _skills(candidate), history)])
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
            delete_documents(chunk)
            built = [
                build_document(candidate, _skills(candidate), list(candidate.work_history.all()))
                for candidate in candidates
            ]
            write_documents(built)
        written += len(built)
        if progress:
            progress(written, len(candidate_ids))
    return written


def _visible_ids():
    # upward, and circular: privacy sits above search and imports this module at import time
    from careerrelay.privacy.services import agency_visible_candidates

    return agency_visible_candidates().order_by("pk").values_list("pk", flat=True)


def analyze_index() -> None:
    """Refresh the query planner's statistics of the index tables after a bulk load."""
    with connection.cursor() as cursor:
        for model in (Posting, SearchDocument, SearchTerm):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def rebuild_index(*, progress=None) -> int:
    """Drop the whole index and write it again from the candidates agencies may find."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in (Posting, SearchTerm):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        SearchDocument.objects.all().delete()
    written = index_candidates(progress=progress)
    analyze_index()
    return written
