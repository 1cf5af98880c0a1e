"""The worker's periodic loop aggregates yesterday once, whatever the number of rounds, and
snapshots the relay links' view counters."""

from datetime import timedelta

import pytest

from careerrelay.analytics.aggregation import today
from careerrelay.analytics.models import AggregatedDay, DailyFigure, LandingViewSnapshot
from careerrelay.ops import periodic
from careerrelay.relay.models import RelayCampaign
from tests.analytics import helpers as h

pytestmark = pytest.mark.django_db


def test_yesterday_is_aggregated_once_by_the_periodic_loop(employer):
    campaign = RelayCampaign.objects.get(organisation=employer, is_default=True)
    h.registration(campaign, h.at(today() - timedelta(days=1), 23, 59))
    h.registration(campaign, h.at(today(), 0, 0))  # today's: live until tomorrow's run

    assert periodic.run_once()["analytics_aggregated"] > 0
    assert periodic.run_once()["analytics_aggregated"] is None

    yesterday = today() - timedelta(days=1)
    assert AggregatedDay.objects.get(day=yesterday).finished_at is not None
    total = DailyFigure.objects.get(organisation=employer, dimension="total")
    assert (total.day, total.started) == (yesterday, 1)
    assert LandingViewSnapshot.objects.filter(campaign=campaign, day=yesterday).exists()
