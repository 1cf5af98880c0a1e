"""Migration analytics 0002 sums the days already stored into their months, so the first monthly
request after the deploy reads the same figures as before it."""

from datetime import date

import pytest

from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("analytics", "0001_daily_figures")]
AFTER = [("analytics", "0002_monthly_figures")]


def test_the_days_already_stored_are_summed_into_their_months():
    old = migrate(BEFORE)
    Organisation = old.get_model("organisations", "Organisation")
    DailyFigure = old.get_model("analytics", "DailyFigure")
    org = Organisation.objects.create(name="株式会社ひなた", kind="employer", status="approved")

    def day(d, key, label, sent, started=0):
        DailyFigure.objects.create(
            organisation=org,
            day=d,
            week=d,
            month=d.replace(day=1),
            dimension="job" if key else "total",
            key=key,
            label=label,
            sent=sent,
            started=started,
        )

    day(date(2026, 10, 30), "営業", "営業", 3)
    day(date(2026, 11, 2), "営業", "営業", 4)
    day(date(2026, 11, 28), "営業", "営業", 5)
    day(date(2026, 11, 2), "", "", 9, started=2)

    new = migrate(AFTER)
    MonthlyFigure = new.get_model("analytics", "MonthlyFigure")
    rows = sorted(MonthlyFigure.objects.values_list("month", "dimension", "key", "label", "sent", "started"))
    assert rows == [
        (date(2026, 10, 1), "job", "営業", "営業", 3, 0),
        (date(2026, 11, 1), "job", "営業", "営業", 9, 0),
        (date(2026, 11, 1), "total", "", "", 9, 2),
    ]
