from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from careerrelay.outbox.models import OutboundEmail
from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from tests.helpers.mail import make_applicant

JST = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("rejected_on", "days", "expected"),
    [
        (date(2026, 10, 30), 2, date(2026, 11, 4)),  # Fri → Mon 11/2, (Tue 11/3 文化の日), Wed 11/4
        (date(2026, 11, 2), 1, date(2026, 11, 4)),  # Mon → skips 文化の日
        (date(2026, 11, 20), 1, date(2026, 11, 24)),  # Fri → Mon 11/23 勤労感謝の日 → Tue
        (date(2026, 12, 28), 1, date(2027, 1, 4)),  # year-end closure 12/29–1/3
        (date(2027, 1, 8), 1, date(2027, 1, 12)),  # Fri → Mon 1/11 成人の日 → Tue
        (date(2026, 11, 4), 0, date(2026, 11, 4)),
    ],
)
def test_business_days_skip_weekends_japanese_holidays_and_the_year_end(rejected_on, days, expected):
    assert sends.add_business_days(rejected_on, days) == expected


@pytest.mark.django_db
def test_each_message_is_due_n_business_days_after_its_own_rejection_date(employer, template, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    before_holiday = make_applicant(employer, email="a@example.jp", rejected_on=date(2099, 11, 2))
    later = make_applicant(employer, email="b@example.jp", rejected_on=date(2099, 11, 9))
    send = sends.create_send(
        organisation=employer,
        template=template,
        applicants=[before_holiday, later],
        business_days=1,
        send_time=time(9, 30),
    )
    due = dict(OutboundEmail.objects.filter(send=send).values_list("to_email", "due_at"))
    # 2099-11-03 is 文化の日 (a Tuesday): one business day after Monday 11/2 is Wednesday 11/4.
    assert due["a@example.jp"] == datetime(2099, 11, 4, 9, 30, tzinfo=JST)
    assert due["b@example.jp"] == datetime(2099, 11, 10, 9, 30, tzinfo=JST)
    assert (send.state, send.scheduled_at, send.next_batch_at) == (
        Send.State.SCHEDULED,
        datetime(2099, 11, 4, 9, 30, tzinfo=JST),
        datetime(2099, 11, 4, 9, 30, tzinfo=JST),
    )
    # Not due yet: the periodic loop leaves it alone; on the day it claims it once.
    assert sends.dispatch_due_sends() == 0
    on_the_day = datetime(2099, 11, 4, 9, 31, tzinfo=JST)
    assert sends.dispatch_due_sends(now=on_the_day) == 1
    assert sends.dispatch_due_sends(now=on_the_day) == 0  # the due date moved on by the lease


@pytest.mark.django_db
def test_a_scheduled_send_goes_out_when_the_worker_finds_it_due(
    employer, template, applicants, smtp_server, django_capture_on_commit_callbacks
):
    at = datetime(2099, 1, 5, 10, 0, tzinfo=JST)
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(organisation=employer, template=template, applicants=applicants[:2], send_at=at)
    assert smtp_server.sink.wait_for(1, timeout=0.5) == []
    assert sends.run_periodic(now=at) == {"requeued": 0, "retried": 0, "dispatched": 1}
    # The batch runs with the real clock, before the scheduled time: nothing goes out early.
    assert smtp_server.sink.messages == []
    assert sends.run_send_batch(send.pk, now=at) == {"sent": 2}
    assert len(smtp_server.sink.wait_for(2)) == 2
