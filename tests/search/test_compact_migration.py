"""Migration search 0005 converts an index that is already there (a deployed site needs no
rebuild_search_index after it), and back."""

import pytest
from django.db import connection

from tests.factories import CandidateFactory
from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("search", "0004_posting_filter_columns")]
AFTER = [("search", "0005_compact_postings")]
FILTERS = {
    "prefectures": "|13|14|",
    "job_categories": "|engineer_software|",
    "years_experience": 5,
    "salary_min": 500,
    "salary_max": None,
    "remote_preference": "remote",
    "updated_epoch": 1_700_000_000.0,
    "notice_version": "2026-01",
}


def test_an_existing_index_is_converted_to_the_term_dictionary_and_back():
    old = migrate(BEFORE)
    SearchDocument = old.get_model("search", "SearchDocument")
    Posting = old.get_model("search", "Posting")
    people = [CandidateFactory(), CandidateFactory()]
    for person in people:
        SearchDocument.objects.create(
            candidate_id=person.pk,
            public_id=person.public_id,
            prefecture="13",
            profile_updated_at=person.profile_updated_at,
            length=60.0,
            **{k: v for k, v in FILTERS.items()},
        )
    Posting.objects.create(term="java", document_id=people[0].pk, weight=1.23456, fields=1, **FILTERS)
    Posting.objects.create(term="java", document_id=people[1].pk, weight=0.5, fields=17, **FILTERS)
    Posting.objects.create(term="開発", document_id=people[1].pk, weight=2.19999, fields=16, **FILTERS)

    new = migrate(AFTER)
    terms = dict(new.get_model("search", "SearchTerm").objects.values_list("term", "id"))
    assert set(terms) == {"java", "開発"}
    postings = set(new.get_model("search", "Posting").objects.values_list("term_id", "document_id", "weight", "fields"))
    assert postings == {
        (terms["java"], people[0].pk, 12346, 1),
        (terms["java"], people[1].pk, 5000, 17),
        (terms["開発"], people[1].pk, 22000, 16),
    }
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "search_posting_v4" not in tables

    old = migrate(BEFORE)
    rows = {
        (p.term, p.document_id): (round(p.weight, 4), p.fields, p.prefectures, p.notice_version)
        for p in old.get_model("search", "Posting").objects.all()
    }
    assert rows == {
        ("java", people[0].pk): (1.2346, 1, "|13|14|", "2026-01"),
        ("java", people[1].pk): (0.5, 17, "|13|14|", "2026-01"),
        ("開発", people[1].pk): (2.2, 16, "|13|14|", "2026-01"),
    }


def test_postgresql_moves_the_postings_into_the_document_rows_and_back(django_capture_on_commit_callbacks):
    """Migration 0006: on PostgreSQL the postings move into the document rows' arrays (SQLite keeps
    its rows); an index that was there is found the same afterwards, and going back restores it."""
    from django.core.cache import cache

    from careerrelay.search.index import postings
    from careerrelay.search.services import search_candidates
    from tests.helpers.search import make_candidate

    people = [
        make_candidate(django_capture_on_commit_callbacks, skills="Java, SQL", summary="Javaで開発" * n)
        for n in range(1, 4)
    ] + [make_candidate(django_capture_on_commit_callbacks, skills="Go", summary="SQLの運用")]

    def searched():
        cache.clear()
        return [
            [(h.candidate_id, h.score, [t.term for t in h.matched_terms]) for h in search_candidates(q=q).results]
            for q in ("Java", "SQL", "Java SQL", "開発")
        ]

    found, indexed = searched(), set(postings())
    assert [len(hits) for hits in found] == [3, 4, 3, 3]

    old = migrate([("search", "0005_compact_postings")])
    rows = old.get_model("search", "Posting").objects.values_list("document_id", "term__term", "weight", "fields")
    assert set(rows) == indexed

    migrate([("search", "0006_postgresql_term_arrays")])
    assert set(postings()) == indexed
    assert searched() == found
    if connection.vendor == "postgresql":
        assert old.get_model("search", "Posting").objects.count() == 0
    assert {p[0] for p in indexed} == {p.pk for p in people}
