"""A flush of the landing-page views and a registration moving from one link to another, at once on
PostgreSQL: the registration's transaction updates its "from" link then its "to" link (a higher id
first, then a lower one), the flush adds views to both links in ascending id order. Neither may fail
(a deadlock made the visitor's registration a 500) and the counts stay exact."""

import threading

import pytest
from django.db import connection, transaction

from careerrelay.relay import counting
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import create_campaign, flush_views, move_registration
from tests.factories import EmployerFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_a_registration_moving_between_links_while_views_are_flushed_does_not_deadlock():
    employer = EmployerFactory(name="株式会社さくら")
    low = employer.campaigns.get()
    high = create_campaign(organisation=employer, name="もう一つ")
    RelayCampaign.objects.filter(pk=high.pk).update(registrations=1)
    assert low.pk < high.pk
    counting.discard()
    counting.buffer_view(low.pk)
    counting.buffer_view(high.pk)
    holding_high = threading.Event()
    first_view_update_done = threading.Event()
    errors: list[BaseException] = []

    def registration():  # as register_candidate: in one transaction, "from" (high) then "to" (low)
        try:
            with transaction.atomic():
                RelayCampaign.objects.filter(pk=high.pk).update(is_default=False)  # holds high's row
                holding_high.set()
                first_view_update_done.wait()
                move_registration(high.pk, low.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            holding_high.set()
            connection.close()

    updates = []

    def signal_after_first_view_update(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("UPDATE") and "landing_views" in sql:
            updates.append(sql)
            if len(updates) == 1:  # low's row updated; next the flush waits for high's row
                first_view_update_done.set()
        return result

    mover = threading.Thread(target=registration)
    mover.start()
    holding_high.wait()
    try:
        with connection.execute_wrapper(signal_after_first_view_update):
            flushed = flush_views()
    finally:
        first_view_update_done.set()
        mover.join()
    assert errors == []
    assert flushed == 2
    low.refresh_from_db()
    high.refresh_from_db()
    assert (low.landing_views, high.landing_views) == (1, 1)
    assert (low.registrations, high.registrations) == (1, 0)
