"""Searching the candidates agencies may find: only those privacy.services lets them see.

    search_candidates(q="Java開発", prefecture="13", min_years=3, page=1) -> SearchPage

Ranking is BM25 over our own inverted index (careerrelay/search/models.py): each posting keeps
its term weight (saturated, length-normalised tf, computed when indexed), so a search multiplies
by the idf and adds up, plus a small bonus for a recently updated profile; the filters and recency
come from each posting's document row. On SQLite the postings are rows of their own; on PostgreSQL
they are arrays in the document row (see search/index.py), read through its GIN index, so a
search reads no other row. Both give the same scores. The total is shown exactly up to
MAX_EXACT_TOTAL (1,000). By default every query word must match, directly or through a synonym
that staff maintain (Synonym, in the operator console): the rarest word's postings drive the
query and the other words are looked up per document. `match="any"`
ranks everyone who matches at least one word.

Only candidates returned by `agency_visible_candidates()` are ever returned: the index holds
nothing else (a withdrawal or deletion removes the entry in its own transaction), a search keeps
only documents indexed under the current privacy notice, and the hits of each page are checked
against `agency_visible_candidates()` once more.
"""

import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from careerrelay.candidates.choices import JobCategory, Prefecture, RemotePreference
from careerrelay.common.replica import read_alias, replica_reads
from careerrelay.search.index import FIELD_SPACE, FIELDS, packed
from careerrelay.search.models import Posting, SearchDocument, SearchTerm, Synonym
from careerrelay.search.text import MAX_TERM_LENGTH, phrase_key, query_words

RECENCY_WEIGHT = 1.0  # at most this much is added for a profile updated today
RECENCY_HALF_LIFE_DAYS = 180
# What a profile wanting the job category a search prefers gains: about one well-placed word.
CATEGORY_WEIGHT = 2.0
MAX_PER_PAGE = 100
# A search counts its matches exactly up to this many; past it, SearchPage.total is this number
# and total_capped is set (shown as 「1,000件以上」), and the pages stop there. Nobody pages
# through more, and a broad word (開発, 営業) would otherwise page through a third of the pool.
MAX_EXACT_TOTAL = 1000
STATS_CACHE_SECONDS = 60
SYNONYM_CACHE_KEY = "search:synonyms:v1"
STATS_CACHE_KEY = "search:stats:v1"
REMOTE_OK = (RemotePreference.REMOTE, RemotePreference.HYBRID, RemotePreference.ANY)
OFFICE_OK = (RemotePreference.OFFICE, RemotePreference.HYBRID, RemotePreference.ANY)

FIELD_LABELS = {
    "skills": _lazy("スキル"),
    "desired_roles": _lazy("希望職種"),
    "work_roles": _lazy("職歴の職種"),
    "work_history": _lazy("職務経歴"),
    "summary": _lazy("自己紹介"),
}


@dataclass(frozen=True)
class MatchedTerm:
    query: str  # the word as the user typed it
    term: str  # what matched in the profile (the word itself, or a synonym of it)
    fields: list[str]  # codes: skills, desired_roles, work_roles, work_history, summary
    synonym: bool = False


@dataclass(frozen=True)
class AppliedFilter:
    name: str  # prefecture, job_category, min_years, max_years, salary, remote, updated_since
    value: object
    label: str  # Japanese, e.g. "勤務地・居住地: 東京都"


@dataclass(frozen=True)
class SearchHit:
    candidate_id: int
    public_id: UUID
    score: float
    explanation: list[str]  # human-readable, Japanese msgids (translated for the active language)
    matched_terms: list[MatchedTerm] = field(default_factory=list)
    filters: list[AppliedFilter] = field(default_factory=list)
    profile_updated_at: datetime | None = None
    recency: float = 0.0  # 1.0 for a profile updated now, 0.5 after RECENCY_HALF_LIFE_DAYS


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchHit]
    total: int  # exact up to MAX_EXACT_TOTAL, then MAX_EXACT_TOTAL with total_capped set
    page: int
    num_pages: int
    per_page: int = 20
    total_capped: bool = False  # more than MAX_EXACT_TOTAL match: "1,000 or more"

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass
class _Group:
    """One query word and the keys that count as a match for it."""

    query: str
    keys: dict[str, str]  # key -> how to show it ("Java", or the synonym as staff typed it)


# --- Synonyms --------------------------------------------------------------------------------


def synonym_map() -> dict[str, list[tuple[str, str]]]:
    """key -> [(key, display)] of every word in the same synonym rows (cached; edits clear it)."""
    cached = cache.get(SYNONYM_CACHE_KEY)
    if cached is not None:
        return cached
    result: dict[str, list[tuple[str, str]]] = {}
    for synonym in Synonym.objects.all():
        members = [(phrase_key(term), term) for term in synonym.term_list()]
        members = [(k, d) for k, d in members if k]
        for key, _display in members:
            result.setdefault(key, []).extend(m for m in members if m[0] != key)
    cache.set(SYNONYM_CACHE_KEY, result, 300)
    return result


def forget_synonyms() -> None:
    cache.delete(SYNONYM_CACHE_KEY)


def _groups(q: str) -> list[_Group]:
    synonyms = synonym_map()
    groups, seen = [], set()
    for raw, words in query_words(q):
        joined = "".join(key for _shown, key in words)[:MAX_TERM_LENGTH]
        if len(words) > 1 and joined in synonyms:
            # A word that is a synonym as a whole (介護支援専門員) is looked up as one.
            words = [(raw, joined)]
        for shown, key in words:
            if key in seen:
                continue
            seen.add(key)
            keys = {key: shown}
            for other, display in synonyms.get(key, []):
                keys.setdefault(other, display)
            groups.append(_Group(query=shown, keys=keys))
    return groups


# --- Statistics ------------------------------------------------------------------------------


def _document_count() -> int:
    n = cache.get(STATS_CACHE_KEY)
    if n is None:
        n = SearchDocument.objects.count()
        cache.set(STATS_CACHE_KEY, n, STATS_CACHE_SECONDS)
    return n


def _term_stats(keys: list[str]) -> dict[str, tuple[int, int]]:
    """{term: (its id in the dictionary, how many documents hold it)} for the terms some document
    holds. The ids are read every time (a term is deleted with its last posting and may come back
    under a new id); the counts are cached for a minute (they only weigh terms), and a term found
    nowhere is not cached, so a new profile is found at once."""
    if not keys:
        return {}
    ids = dict(SearchTerm.objects.filter(term__in=keys).values_list("term", "id"))
    cached = cache.get_many([_df_cache_key(k) for k in ids])
    counts = {k: cached[_df_cache_key(k)] for k in ids if _df_cache_key(k) in cached}
    missing = {ids[k]: k for k in ids if k not in counts}
    if missing:
        table = Posting._meta.db_table
        placeholders = ",".join(["%s"] * len(missing))
        sql = f"SELECT term_id, COUNT(*) FROM {table} WHERE term_id IN ({placeholders}) GROUP BY term_id"  # noqa: S608
        if _packed():
            sql = (
                f"SELECT t.id, (SELECT COUNT(*) FROM {SearchDocument._meta.db_table} d "  # noqa: S608
                f"WHERE d.term_ids @> ARRAY[t.id]) FROM unnest(ARRAY[{placeholders}]::integer[]) t(id)"
            )
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(sql, list(missing))
            counted = {missing[term_id]: n for term_id, n in cursor.fetchall() if n}
        cache.set_many({_df_cache_key(k): v for k, v in counted.items()}, STATS_CACHE_SECONDS)
        counts.update(counted)
    return {k: (ids[k], n) for k, n in counts.items() if n}


def _df_cache_key(term: str) -> str:
    return "search:df:v2:" + hashlib.blake2b(term.encode(), digest_size=12).hexdigest()


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# --- Filters ---------------------------------------------------------------------------------


def _as_epoch(value) -> float:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.timestamp()
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, datetime.min.time())).timestamp()
    raise ValueError("updated_since must be a date or a datetime")


def _filters(*, prefecture, job_category, min_years, max_years, salary_min, salary_max, remote, updated_since):
    """SQL conditions on the document's filter columns (table alias t, replaced by the caller's),
    their parameters, and what to show."""
    sql: list[str] = []
    params: list[Any] = []
    applied: list[AppliedFilter] = []
    if prefecture:
        sql.append("t.prefectures LIKE %s")
        params.append(f"%|{prefecture}|%")
        name = dict(Prefecture.choices).get(prefecture, prefecture)
        applied.append(AppliedFilter("prefecture", prefecture, _("勤務地・居住地: %(name)s") % {"name": name}))
    if job_category:
        sql.append("t.job_categories LIKE %s")
        params.append(f"%|{job_category}|%")
        name = dict(JobCategory.choices).get(job_category, job_category)
        applied.append(AppliedFilter("job_category", job_category, _("希望職種: %(name)s") % {"name": name}))
    if min_years is not None:
        sql.append("t.years_experience >= %s")
        params.append(int(min_years))
        applied.append(AppliedFilter("min_years", min_years, _("経験年数: %(n)s年以上") % {"n": min_years}))
    if max_years is not None:
        sql.append("t.years_experience <= %s")
        params.append(int(max_years))
        applied.append(AppliedFilter("max_years", max_years, _("経験年数: %(n)s年以下") % {"n": max_years}))
    if salary_min is not None or salary_max is not None:
        # A stated desired range must overlap the offered one. A profile that states no salary is
        # kept: most people leave it empty, and an agency asks them rather than never seeing them.
        if salary_max is not None:
            sql.append("(t.salary_min IS NULL OR t.salary_min <= %s)")
            params.append(int(salary_max))
        if salary_min is not None:
            sql.append("(t.salary_max IS NULL OR t.salary_max >= %s)")
            params.append(int(salary_min))
        low = "" if salary_min is None else str(salary_min)
        high = "" if salary_max is None else str(salary_max)
        applied.append(
            AppliedFilter(
                "salary", (salary_min, salary_max), _("希望年収: %(low)s〜%(high)s万円") % {"low": low, "high": high}
            )
        )
    if remote is not None and remote != "":
        values: tuple[str, ...]
        if remote is True or remote in ("true", "1", "yes"):
            values, label = REMOTE_OK, _("リモート勤務: 希望・可")
        elif remote is False or remote in ("false", "0", "no"):
            values, label = OFFICE_OK, _("リモート勤務: 出社可")
        elif remote in RemotePreference.values:
            values, label = (remote,), _("リモート勤務: %(name)s") % {"name": RemotePreference(remote).label}
        else:
            raise ValueError(f"unknown remote preference: {remote!r}")
        sql.append("t.remote_preference IN (" + ",".join(["%s"] * len(values)) + ")")
        params.extend(str(v) for v in values)
        applied.append(AppliedFilter("remote", remote, str(label)))
    if updated_since:
        sql.append("t.updated_epoch >= %s")
        params.append(_as_epoch(updated_since))
        shown = updated_since.date() if isinstance(updated_since, datetime) else updated_since
        applied.append(
            AppliedFilter("updated_since", updated_since, _("更新日: %(date)s以降") % {"date": shown.isoformat()})
        )
    return sql, params, applied


# --- Search ----------------------------------------------------------------------------------


# A search reads the replica when one is configured: a profile saved a moment ago may show a
# moment later (docs/operations.md, "Scaling out").
@replica_reads()
def search_candidates(
    *,
    q: str = "",
    prefecture=None,
    job_category=None,
    min_years=None,
    max_years=None,
    salary_min=None,
    salary_max=None,
    remote=None,
    updated_since=None,
    page=1,
    per_page=20,
    match: str = "all",
    preferred: str = "",
    rank_job_category=None,
) -> SearchPage:
    """Ranked, explained and paginated candidates that agencies may find. The total is exact up to
    MAX_EXACT_TOTAL (1,000); past it the page says so (total_capped) and pages end at the 1,000th.

    `match`: "all" (default: every word must match, directly or through a synonym) or "any"
    (at least one word; more matching words rank higher — for "find candidates" from a job
    order's list of skills).
    `remote`: True (open to remote work), False (will come to the office) or a RemotePreference
    value. `updated_since`: a date or an aware datetime. Salaries in 万円 (the candidate's desired
    range must overlap [salary_min, salary_max]; a profile stating no salary is kept).
    `preferred`: words that need not match but rank a profile higher when they do (a job order's
    title and preferred skills). `rank_job_category`: a job category that ranks the profiles
    wanting it higher without leaving out the others. Raises ValueError on an unknown remote value."""
    from django.conf import settings

    per_page = min(max(int(per_page or 20), 1), MAX_PER_PAGE)
    page = min(max(int(page or 1), 1), math.ceil(MAX_EXACT_TOTAL / per_page))
    notice = settings.PRIVACY_NOTICE_VERSION
    where, params, applied = _filters(
        prefecture=prefecture,
        job_category=job_category,
        min_years=min_years,
        max_years=max_years,
        salary_min=salary_min,
        salary_max=salary_max,
        remote=remote,
        updated_since=updated_since,
    )
    where = ["t.notice_version = %s", *where]
    params = [notice, *params]
    now = time.time()
    if match not in ("all", "any"):
        raise ValueError(f"match must be 'all' or 'any', not {match!r}")
    groups = _groups(q)
    required = {next(iter(g.keys)) for g in groups}
    optional = [g for g in _groups(preferred) if next(iter(g.keys)) not in required]
    if rank_job_category:
        name = dict(JobCategory.choices).get(rank_job_category, rank_job_category)
        applied.append(
            AppliedFilter(
                "rank_job_category", rank_job_category, _("希望職種「%(name)s」の人を上位に表示") % {"name": name}
            )
        )
    if optional or rank_job_category:
        if match == "any":
            groups, optional = [], groups + optional
        rows, total = _ranked_preferring(groups, optional, rank_job_category, where, params, now, page, per_page)
    elif groups and (match == "all" or len(groups) == 1):
        rows, total = _ranked(groups, where, params, now, page, per_page)
    elif groups:
        rows, total = _ranked_any(groups, where, params, now, page, per_page)
    else:
        rows, total = _recent(where, params, now, page, per_page)
    hits = _hits(rows, groups + optional, applied, now)
    capped = total > MAX_EXACT_TOTAL
    total = min(total, MAX_EXACT_TOTAL)
    num_pages = max(math.ceil(total / per_page), 1) if total else 0
    return SearchPage(results=hits, total=total, page=page, num_pages=num_pages, per_page=per_page, total_capped=capped)


# Each posting with its document, where the filters, the privacy notice and recency are read.
_POSTINGS_WITH_DOCUMENTS = (
    f"{Posting._meta.db_table} p JOIN {SearchDocument._meta.db_table} d ON d.candidate_id = p.document_id"
)


def _recency_sql(now: float, alias: str = "t") -> tuple[str, list]:
    return f"(1.0 / (1.0 + (%s - {alias}.updated_epoch) / %s))", [now, RECENCY_HALF_LIFE_DAYS * 86400.0]


def _on(alias: str, where: list[str]) -> str:
    return " AND ".join(condition.replace("t.", f"{alias}.") for condition in where)


_DOUBLE = "CAST(%s AS DOUBLE PRECISION)"


def _packed() -> bool:
    """Whether the database searched keeps the postings in the document rows (PostgreSQL)."""
    return packed(connections[read_alias()])


# PostgreSQL: a term's weight in document d (NULL when d lacks the term), from its arrays.
_ARRAY_WEIGHT = f"(d.term_weights[array_position(d.term_ids, CAST(%s AS INTEGER))] / {FIELD_SPACE})"


def _has_any(terms) -> tuple[str, list]:
    """PostgreSQL: d holds at least one of the terms (answered by the GIN index)."""
    return f"d.term_ids && CAST(ARRAY[{','.join(['%s'] * len(terms))}] AS INTEGER[])", list(terms)


def _all_groups_score(groups):
    """How _ranked scores "every group must match": (driver terms, SELECT terms, their parameters),
    or None when some group matches no document. The rarest group drives the query: its postings
    are read in one index range, and each other group adds its weight through a lookup by (term,
    document), which is NULL for a document that lacks the group."""
    stats = _term_stats(list(dict.fromkeys(k for g in groups for k in g.keys)))
    terms = [[stats[k] for k in g.keys if k in stats] for g in groups]
    if not all(terms):
        return None
    n = max(_document_count(), *(df for _id, df in stats.values()))
    weighted = sorted(
        (
            (min(sum(df for _id, df in found), n), _idf(min(sum(df for _id, df in found), n), n), found)
            for found in terms
        ),
        key=lambda item: item[0],
    )
    postings = Posting._meta.db_table
    in_rows = _packed()
    # The postings hold weights in units of 1/WEIGHT_SCALE: the idf scales them back.
    driver_df, driver_idf, driver = weighted[0]
    # The idf as a double on PostgreSQL too (a bare parameter would be numeric there, and
    # numeric arithmetic and sorting over 10,000 documents cost more than the rest of the search).
    select_params: list[Any] = []
    if in_rows:
        # The same integer sum as SUM(p.weight) over the document's postings of the group.
        driver_sum = " + ".join(f"COALESCE({_ARRAY_WEIGHT}, 0)" for _term in driver)
        select = [f"({driver_sum}) * {_DOUBLE}"]
        select_params.extend(t for t, _df in driver)
    else:
        select = [f"SUM(p.weight) * {_DOUBLE}"]
    select_params.append(driver_idf / Posting.WEIGHT_SCALE)
    for _df, idf, found in weighted[1:]:
        # One primary-key lookup per term (an IN list would let PostgreSQL's planner read all of
        # the document's postings through the document_id index instead); a posting's weight is
        # never 0, so the sum is NULL exactly when the document has none of the group's terms.
        lookup = (
            _ARRAY_WEIGHT
            if in_rows
            else f"(SELECT q.weight FROM {postings} q WHERE q.term_id = %s AND q.document_id = p.document_id)"  # noqa: S608
        )
        lookups = [f"COALESCE({lookup}, 0)" for _term in found]
        select.append(f"NULLIF({' + '.join(lookups)}, 0) * {_DOUBLE}")
        select_params.extend([*(term_id for term_id, _df in found), idf / Posting.WEIGHT_SCALE])
    others = [[term_id for term_id, _df in found] for _df, _idf, found in weighted[1:]]
    return [term_id for term_id, _df in driver], select, select_params, driver_df, others


def _ranked(groups, where, params, now, page, per_page):
    """Every group must match (see _all_groups_score).

    Each document's text score is added up from the postings alone first; only then are the
    documents read, for the filters and recency. For a broad word (営業: 12,000 of 100,000
    profiles) reading every matching document was most of the search on PostgreSQL (a hash join
    over the whole document table), so a first page is ranked from the best text scores only
    (_pruned_page) whenever that provably gives the same page."""
    scoring = _all_groups_score(groups)
    if scoring is None:
        return [], 0
    if _packed():
        return _ranked_in_rows(scoring, where, params, now, page, per_page)
    pruned = _pruned_page(scoring, where, params, now, page, per_page)
    if pruned is not None:
        return pruned
    # Every match: each posting joined to its document first, so only the postings of the
    # documents the filters keep are added up (with filters, a fifth less of SQLite's CPU than
    # adding up every match first). The same arithmetic as the pruned page: text + recency.
    driver_terms, select, select_params, _driver_df, _others = scoring
    recency, recency_params = _recency_sql(now, "d")
    inner = (
        f"SELECT p.document_id AS document_id, {' + '.join(select)} + %s * MAX({recency}) AS score "  # noqa: S608
        f"FROM {_POSTINGS_WITH_DOCUMENTS} "
        f"WHERE p.term_id IN ({','.join(['%s'] * len(driver_terms))}) AND {_on('d', where)} "
        f"GROUP BY p.document_id{_fence()}"
    )
    inner_params = [*select_params, RECENCY_WEIGHT, *recency_params, *driver_terms, *params]
    return _page_and_total(f"SELECT * FROM ({inner}) m WHERE m.score IS NOT NULL", inner_params, page, per_page)  # noqa: S608


def _ranked_in_rows(scoring, where, params, now, page, per_page):
    """PostgreSQL: every group must match. The GIN index finds the documents holding some term of
    every group; each one's weights, filters and recency are in its own row, so nothing is joined
    and no pruning is needed (every match is one row read, with the same arithmetic as SQLite's)."""
    driver_terms, select, select_params, _driver_df, others = scoring
    recency, recency_params = _recency_sql(now, "d")
    has, has_params = [], []
    for terms in (driver_terms, *others):
        condition, condition_params = _has_any(terms)
        has.append(condition)
        has_params.extend(condition_params)
    inner = (
        f"SELECT d.candidate_id AS document_id, {' + '.join(select)} + %s * {recency} AS score "  # noqa: S608
        f"FROM {SearchDocument._meta.db_table} d WHERE {' AND '.join(has)} AND {_on('d', where)}{_fence()}"
    )
    return _page_and_total(
        inner, [*select_params, RECENCY_WEIGHT, *recency_params, *has_params, *params], page, per_page
    )


def _fence() -> str:
    """OFFSET 0 keeps both databases from copying a caller's "score IS NOT NULL" into a HAVING,
    which ran every lookup of the other words twice (SQLite wants a LIMIT before an OFFSET). On
    PostgreSQL's document rows it also makes the scan compute the score: pulled up, the rows with
    their term arrays were handed to the COUNT(*) OVER () window, which spilled them to disk
    (営業 at 100,000 profiles: 114 ms, 85 of them in the window)."""
    return " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"


def _text_scores(scoring, document_ids=()) -> tuple[str, list]:
    """(document_id, text) rows: each matching document's score from its postings alone (NULL
    when it lacks a group), optionally for the given documents only."""
    driver_terms, select, select_params, _driver_df, _others = scoring
    only = f"AND p.document_id IN ({','.join(['%s'] * len(document_ids))}) " if document_ids else ""
    sql = (
        f"SELECT p.document_id AS document_id, {' + '.join(select)} AS text "  # noqa: S608
        f"FROM {Posting._meta.db_table} p WHERE p.term_id IN ({','.join(['%s'] * len(driver_terms))}) "
        f"{only}GROUP BY p.document_id{_fence()}"
    )
    return sql, [*select_params, *driver_terms, *document_ids]


def _with_documents(text: str, text_params: list, where, params, now) -> tuple[str, list]:
    """(document_id, score) of the documents in `text` (document_id, text score rows) that the
    filters keep, the score being the text score plus the recency bonus."""
    recency, recency_params = _recency_sql(now, "d")
    sql = (
        f"SELECT r.document_id AS document_id, r.text + %s * {recency} AS score "  # noqa: S608
        f"FROM ({text}) r JOIN {SearchDocument._meta.db_table} d ON d.candidate_id = r.document_id "
        f"WHERE r.text IS NOT NULL AND {_on('d', where)}"
    )
    return sql, [RECENCY_WEIGHT, *recency_params, *text_params, *params]


# A first page is ranked from the documents with the best text scores when the rarest word is in
# at least PRUNED_FROM documents (below that, reading every match's document is as cheap), from
# PRUNED_CANDIDATES per result asked for (page × per_page), at least PRUNED_MINIMUM.
PRUNED_FROM = 2000
PRUNED_CANDIDATES = 10
PRUNED_MINIMUM = 500
PRUNED_MAX_RANK = 200  # deeper pages rank every match


def _pruned_page(scoring, where, params, now, page, per_page):
    """The page and its total, ranked from the top text scores only; None when that cannot be
    shown to give the page the full ranking gives.

    score = text + RECENCY_WEIGHT × recency, and no document's recency is above that of the most
    recently updated document. So a document outside the best `limit` text scores scores at most
    `lowest text read + RECENCY_WEIGHT × highest recency`: if the page's last hit among the best
    `limit` scores more than that, no other document can be on the page (the same comparison
    breaks ties by document id). Otherwise the caller ranks every match.

    Only without filters (the privacy notice aside): with them, too few of the best text scores
    often passed (営業 among engineers wanting remote work), and ranking every match after the
    pruned attempt doubled the search (SQLite's CPU per filtered search at 100,000 profiles went
    from 13 to 26 ms p50), so a filtered search ranks every match, as it did before."""
    wanted = page * per_page
    _terms, _select, _params, driver_df, _others = scoring
    if wanted > PRUNED_MAX_RANK or driver_df < PRUNED_FROM or len(where) > 1:
        return None
    limit = max(wanted * PRUNED_CANDIDATES, PRUNED_MINIMUM)
    documents = SearchDocument._meta.db_table
    text, text_params = _text_scores(scoring)
    with connections[read_alias()].cursor() as cursor:
        # One statement: the text scores once (a WITH query read twice is computed once), the
        # best `limit` of them, the capped total (the filters read on the documents of the
        # matches until MAX_EXACT_TOTAL + 1 pass), and the most recent update under the current
        # notice, which bounds the recency bonus of every document not read here.
        cursor.execute(
            f"WITH r AS ({text}) "  # noqa: S608
            f"SELECT r.document_id, r.text, "
            f"(SELECT MAX(d.updated_epoch) FROM {documents} d WHERE d.notice_version = %s), "
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM r JOIN {documents} d ON d.candidate_id = r.document_id "
            f"WHERE r.text IS NOT NULL AND {_on('d', where)} LIMIT %s) c) "
            f"FROM r WHERE r.text IS NOT NULL ORDER BY r.text DESC, r.document_id LIMIT %s",
            [*text_params, params[0], *params, MAX_EXACT_TOTAL + 1, limit],
        )
        best = cursor.fetchall()
        if not best or best[0][2] is None:
            return None
        newest, total = best[0][2], best[0][3]
        if not total:
            return [], 0
        highest_recency = 1.0 / (1.0 + (now - newest) / (RECENCY_HALF_LIFE_DAYS * 86400.0))
        # A margin for the rounding of the same arithmetic in SQL.
        outside_at_most = float(best[-1][1]) + RECENCY_WEIGHT * highest_recency + 1e-9
        every_match_read = len(best) < limit
        ids = [row[0] for row in best]
        among, among_params = _with_documents(*_text_scores(scoring, ids), where, params, now)
        cursor.execute(
            f"SELECT r.document_id, r.score FROM ({among}) r ORDER BY r.score DESC, r.document_id LIMIT %s OFFSET %s",  # noqa: S608
            [*among_params, per_page, (page - 1) * per_page],
        )
        rows = cursor.fetchall()
        if every_match_read or (len(rows) == per_page and float(rows[-1][1]) > outside_at_most):
            return rows, total
        return None


def _page_and_total(ranked: str, params: list, page: int, per_page: int) -> tuple[list, int]:
    """One page of `ranked` (document_id, score rows) by score, and how many rows it has.

    The count is a window over the ranked rows, which ranking reads anyway. A separate count
    stopping at MAX_EXACT_TOTAL + 1 rows saved a fifth of SQLite's time on broad words, but made
    PostgreSQL's planner walk the document_id index through every posting to stop early (0.3 s
    for 介護 at 100,000 profiles), so the cap is applied to the exact count instead."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(
            f"SELECT r.document_id, r.score, COUNT(*) OVER () FROM ({ranked}) r "  # noqa: S608
            f"ORDER BY r.score DESC, r.document_id LIMIT %s OFFSET %s",
            [*params, per_page, (page - 1) * per_page],
        )
        rows = cursor.fetchall()
        if rows:
            return [(doc_id, score) for doc_id, score, _total in rows], rows[0][2]
        if page == 1:
            return [], 0
        # Past the last page: count once so the caller can still show the pager.
        cursor.execute(f"SELECT COUNT(*) FROM ({ranked}) r", params)  # noqa: S608
        return [], cursor.fetchone()[0]


def _any_group_score(groups):
    """How _ranked_any scores "any group may match": (CASE branches giving each term its idf,
    their parameters, the terms found in some document)."""
    stats = _term_stats(list(dict.fromkeys(k for g in groups for k in g.keys)))
    n = max(_document_count(), *(df for _id, df in stats.values()), 1)
    cases, case_params, terms = [], [], []
    for group in groups:
        found = [stats[k] for k in group.keys if k in stats and stats[k][0] not in terms]
        idf = _idf(min(sum(df for _id, df in found), n), n) if found else 0.0
        for term_id, _df in found:
            terms.append(term_id)
            cases.append("WHEN %s THEN %s")
            case_params.extend([term_id, idf / Posting.WEIGHT_SCALE])
    return cases, case_params, terms


def _any_in_rows(case_params) -> tuple[str, list]:
    """PostgreSQL: SUM(p.weight * idf) of _any_group_score's terms from document d's arrays, the
    terms in the order SQLite adds up their postings (by term id)."""
    pairs = sorted(zip(case_params[0::2], case_params[1::2], strict=True))
    parts = [f"COALESCE({_ARRAY_WEIGHT}, 0) * {_DOUBLE}" for _pair in pairs]
    return "(" + " + ".join(parts) + ")", [value for pair in pairs for value in pair]


def _ranked_any(groups, where, params, now, page, per_page):
    """At least one group matches: one pass over the postings of every query term."""
    cases, case_params, terms = _any_group_score(groups)
    if not terms:
        return [], 0
    recency, recency_params = _recency_sql(now, "d")
    if _packed():
        text, text_params = _any_in_rows(case_params)
        has, has_params = _has_any(terms)
        inner = (
            f"SELECT d.candidate_id AS document_id, {text} + %s * {recency} AS score "  # noqa: S608
            f"FROM {SearchDocument._meta.db_table} d WHERE {has} AND {_on('d', where)}{_fence()}"
        )
        inner_params = [*text_params, RECENCY_WEIGHT, *recency_params, *has_params, *params]
        return _page_and_total(inner, inner_params, page, per_page)
    inner = (
        f"SELECT p.document_id AS document_id, "  # noqa: S608
        f"SUM(p.weight * (CASE p.term_id {' '.join(cases)} ELSE 0 END)) + %s * MAX({recency}) AS score "
        f"FROM {_POSTINGS_WITH_DOCUMENTS} "
        f"WHERE p.term_id IN ({','.join(['%s'] * len(terms))}) AND {_on('d', where)} "
        f"GROUP BY p.document_id"
    )
    inner_params = [*case_params, RECENCY_WEIGHT, *recency_params, *terms, *params]
    return _page_and_total(inner, inner_params, page, per_page)


def _ranked_preferring(required, optional, rank_job_category, where, params, now, page, per_page):
    """Every required group must match (none required: everyone the filters keep); optional words
    and the preferred job category only add to the score."""
    postings = Posting._meta.db_table
    documents = SearchDocument._meta.db_table
    score: list[str] = []
    score_params: list[Any] = []
    joins: list[str] = []
    join_params: list[Any] = []
    conditions: list[str] = []
    condition_params: list[Any] = []
    if required:
        scoring = _all_groups_score(required)
        if scoring is None:
            return [], 0
        driver_terms, select, select_params, _driver_df, others = scoring
        if _packed():
            score.append(f"({' + '.join(select)})")
            score_params.extend(select_params)
            for terms in (driver_terms, *others):
                condition, has_params = _has_any(terms)
                conditions.append(condition)
                condition_params.extend(has_params)
    if required and not _packed():
        joins.append(
            f"JOIN (SELECT p.document_id AS document_id, {' + '.join(select)} AS score "  # noqa: S608
            f"FROM {postings} p WHERE p.term_id IN ({','.join(['%s'] * len(driver_terms))}) "
            f"GROUP BY p.document_id) r ON r.document_id = d.candidate_id"
        )
        join_params.extend([*select_params, *driver_terms])
        score.append("r.score")
        conditions.append("r.score IS NOT NULL")
    cases, case_params, terms = _any_group_score(optional)
    if terms and _packed():
        text, text_params = _any_in_rows(case_params)
        score.append(text)
        score_params.extend(text_params)
    elif terms:
        joins.append(
            f"LEFT JOIN (SELECT p.document_id AS document_id, "  # noqa: S608
            f"SUM(p.weight * (CASE p.term_id {' '.join(cases)} ELSE 0 END)) AS score "
            f"FROM {postings} p WHERE p.term_id IN ({','.join(['%s'] * len(terms))}) "
            f"GROUP BY p.document_id) o ON o.document_id = d.candidate_id"
        )
        join_params.extend([*case_params, *terms])
        score.append("COALESCE(o.score, 0)")
    if rank_job_category:
        score.append("(CASE WHEN d.job_categories LIKE %s THEN %s ELSE 0 END)")
        score_params.extend([f"%|{rank_job_category}|%", CATEGORY_WEIGHT])
    recency, recency_params = _recency_sql(now, "d")
    score.append(f"%s * {recency}")
    score_params.extend([RECENCY_WEIGHT, *recency_params])
    where_sql = " AND ".join([_on("d", where), *conditions])
    from_sql = f"FROM {documents} d {' '.join(joins)} WHERE {where_sql}"
    sql = (
        f"SELECT d.candidate_id, {' + '.join(score)} AS rank_score, COUNT(*) OVER () {from_sql} "
        f"ORDER BY rank_score DESC, d.candidate_id LIMIT %s OFFSET %s"
    )
    if _packed():
        # The score computed by the scan, not by the window above it (see _fence).
        sql = (
            f"SELECT r.candidate_id, r.rank_score, COUNT(*) OVER () FROM (SELECT d.candidate_id, "  # noqa: S608
            f"{' + '.join(score)} AS rank_score {from_sql}{_fence()}) r "
            f"ORDER BY r.rank_score DESC, r.candidate_id LIMIT %s OFFSET %s"
        )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [*score_params, *join_params, *params, *condition_params, per_page, (page - 1) * per_page])
        rows = cursor.fetchall()
        if rows:
            return [(doc_id, score) for doc_id, score, _total in rows], rows[0][2]
        if page == 1:
            return [], 0
        cursor.execute(f"SELECT COUNT(*) {from_sql}", [*join_params, *params, *condition_params])
        return [], cursor.fetchone()[0]


def _recent(where, params, now, page, per_page):
    """No words: the filtered candidates, most recently updated first."""
    documents = SearchDocument._meta.db_table
    recency, recency_params = _recency_sql(now, "d")
    sql = (
        f"SELECT d.candidate_id, %s * {recency} AS score, COUNT(*) OVER () AS total FROM {documents} d "  # noqa: S608
        f"WHERE {_on('d', where)} ORDER BY d.updated_epoch DESC, d.candidate_id LIMIT %s OFFSET %s"
    )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [RECENCY_WEIGHT, *recency_params, *params, per_page, (page - 1) * per_page])
        rows = cursor.fetchall()
        if rows:
            return [(doc_id, score) for doc_id, score, _total in rows], rows[0][2]
        if page == 1:
            return [], 0
        count_sql = f"SELECT COUNT(*) FROM {documents} d WHERE {_on('d', where)}"  # noqa: S608
        cursor.execute(count_sql, params)
        return [], cursor.fetchone()[0]


def _hits(rows, groups, applied, now) -> list[SearchHit]:
    if not rows:
        return []
    # upward, and circular: privacy sits above search and imports the index at import time
    from careerrelay.privacy.services import agency_visible_candidates

    ids = [doc_id for doc_id, _score in rows]
    # The index follows consent changes within seconds; this makes a page exact at once.
    visible = set(agency_visible_candidates().filter(pk__in=ids).values_list("pk", flat=True))
    documents = {
        d.candidate_id: d
        for d in SearchDocument.objects.filter(candidate_id__in=ids).only(
            "candidate_id", "public_id", "profile_updated_at", "updated_epoch"
        )
    }
    matched: dict[int, dict[str, int]] = {}
    keys = list(dict.fromkeys(k for g in groups for k in g.keys))
    if keys:
        sql = (
            f"SELECT p.document_id, t.term, p.fields FROM {Posting._meta.db_table} p "  # noqa: S608
            f"JOIN {SearchTerm._meta.db_table} t ON t.id = p.term_id "
            f"WHERE t.term IN ({','.join(['%s'] * len(keys))}) "
            f"AND p.document_id IN ({','.join(['%s'] * len(ids))})"
        )
        if _packed():
            sql = (
                f"SELECT d.candidate_id, t.term, "  # noqa: S608
                f"mod(d.term_weights[array_position(d.term_ids, t.id)], {FIELD_SPACE}) "
                f"FROM {SearchDocument._meta.db_table} d JOIN {SearchTerm._meta.db_table} t "
                f"ON array_position(d.term_ids, t.id) IS NOT NULL "
                f"WHERE t.term IN ({','.join(['%s'] * len(keys))}) "
                f"AND d.candidate_id IN ({','.join(['%s'] * len(ids))})"
            )
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(sql, [*keys, *ids])
            for doc_id, key, bits in cursor.fetchall():
                matched.setdefault(doc_id, {})[key] = bits
    hits = []
    for doc_id, score in rows:
        document = documents.get(doc_id)
        if document is None or doc_id not in visible:
            continue
        terms = _matched_terms(groups, matched.get(doc_id, {}))
        recency = 1.0 / (1.0 + (now - document.updated_epoch) / (RECENCY_HALF_LIFE_DAYS * 86400.0))
        hits.append(
            SearchHit(
                candidate_id=doc_id,
                public_id=document.public_id,
                score=round(float(score), 4),
                explanation=_explain(terms, applied, document, now),
                matched_terms=terms,
                filters=list(applied),
                profile_updated_at=document.profile_updated_at,
                recency=round(recency, 4),
            )
        )
    return hits


def _matched_terms(groups, found: dict[str, int]) -> list[MatchedTerm]:
    terms = []
    for group in groups:
        for position, (key, display) in enumerate(group.keys.items()):
            bits = found.get(key)
            if bits:
                fields = [f.code for f in FIELDS if bits & f.bit]
                terms.append(MatchedTerm(query=group.query, term=display, fields=fields, synonym=position > 0))
    return terms


def _explain(terms, applied, document, now) -> list[str]:
    lines = []
    for term in terms:
        places = "・".join(str(FIELD_LABELS[code]) for code in term.fields)
        if term.synonym:
            lines.append(
                _("「%(query)s」の同義語「%(term)s」が%(places)sに一致")
                % {"query": term.query, "term": term.term, "places": places}
            )
        else:
            lines.append(_("「%(term)s」が%(places)sに一致") % {"term": term.term, "places": places})
    lines.extend(f.label for f in applied)
    days = max(int((now - document.updated_epoch) // 86400), 0)
    updated = timezone.localtime(document.profile_updated_at).date().isoformat()
    if days == 0:
        lines.append(_("プロフィール更新: 今日(%(date)s)") % {"date": updated})
    else:
        lines.append(_("プロフィール更新: %(days)s日前(%(date)s)") % {"days": days, "date": updated})
    return lines


__all__ = ["AppliedFilter", "MatchedTerm", "SearchHit", "SearchPage", "forget_synonyms", "search_candidates"]
