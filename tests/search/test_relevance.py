import pytest

from careerrelay.search.services import search_candidates
from tests.search.relevance import QUERIES, mean_ndcg


def _ranked_labels(pool, q, filters):
    labels = {c.pk: label for label, c in pool.items()}
    page = search_candidates(q=q, per_page=10, **filters)
    return [labels[hit.candidate_id] for hit in page.results]


@pytest.mark.parametrize(("q", "filters", "judged", "must_not", "top"), QUERIES, ids=[f"{q[0]}{q[1]}" for q in QUERIES])
def test_relevant_candidates_come_first(relevance_pool, q, filters, judged, must_not, top):
    ranked = _ranked_labels(relevance_pool, q, filters)
    assert {label for label in judged if label not in ranked[:top] and judged[label] == 2} == set()
    assert {label for label in judged if label not in ranked[:10]} == set()
    assert [label for label in ranked[:10] if label in must_not] == []


def test_mean_ndcg_at_10_of_the_relevance_set(relevance_pool):
    score = mean_ndcg(lambda q, filters: _ranked_labels(relevance_pool, q, filters))
    assert score >= 0.9, score
