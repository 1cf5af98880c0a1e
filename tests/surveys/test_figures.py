"""NPS and its confidence interval against figures worked out by hand."""

import pytest

from careerrelay.surveys.figures import Nps, category, difference


def nps_of(scores):
    return Nps(
        responses=len(scores),
        promoters=sum(1 for s in scores if s >= 9),
        detractors=sum(1 for s in scores if s <= 6),
    )


def test_the_categories_follow_the_standard_cut_points():
    assert [category(s) for s in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2


def test_ten_answers_with_as_many_promoters_as_detractors():
    n = nps_of([10, 10, 9, 8, 7, 6, 5, 0, 10, 3])
    assert (n.responses, n.promoters, n.passives, n.detractors) == (10, 4, 2, 4)
    assert n.score == 0
    # p = d = 0.4: variance (0.4 + 0.4) − 0² = 0.8; SE = 100·√(0.8/10) = 28.2843; ×1.96 = 55.4372
    assert n.standard_error == pytest.approx(28.2843, abs=1e-4)
    assert n.interval == pytest.approx((-55.4372, 55.4372), abs=1e-4)


def test_five_answers_and_an_interval_cut_at_100():
    n = nps_of([10, 9, 9, 8, 2])
    assert n.score == pytest.approx(40.0)
    # p = 0.6, d = 0.2: variance 0.8 − 0.16 = 0.64; SE = 100·√(0.64/5) = 35.7771; margin 70.1231
    assert n.margin == pytest.approx(70.1231, abs=1e-4)
    assert n.interval == pytest.approx((-30.1231, 100.0), abs=1e-4)


def test_everybody_a_promoter_has_no_spread_and_no_answers_no_score():
    assert nps_of([10] * 7).interval == (100.0, 100.0)
    assert Nps(0, 0, 0).score is None and Nps(0, 0, 0).interval is None


def test_the_difference_of_two_groups_adds_their_variances():
    before = nps_of([10, 10, 9, 8, 7, 6, 5, 0, 10, 3])  # 0, SE 28.2843
    after = nps_of([10, 9, 9, 8, 2])  # 40, SE 35.7771
    change = difference(before, after)
    assert change.change == pytest.approx(40.0)
    # 1.96 · √(28.2843² + 35.7771²) = 1.96 · 45.6070 = 89.3897
    assert change.margin == pytest.approx(89.3897, abs=1e-3)
    assert not change.is_clear
