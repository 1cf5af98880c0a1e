"""The operator console's overview page (/operator/console/): aggregates that equal counts of the
raw tables, for operators with a second factor only."""

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from careerrelay.agencies import services as agencies
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, ActorKind
from careerrelay.candidates.models import Candidate
from careerrelay.credits.models import LedgerEntry
from careerrelay.followups.models import FollowupDelivery, FollowupStep
from careerrelay.matching import services as matching
from careerrelay.matching.models import Introduction, IntroductionEvent
from careerrelay.ops import console
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.privacy.models import ProvisionRecord
from careerrelay.sends import services as sends
from careerrelay.sends.models import Send
from tests.factories import (
    CandidateFactory,
    EmployerFactory,
    MembershipFactory,
    OperatorFactory,
    UserFactory,
    registration_data,
)
from tests.helpers.agencies import make_agency
from tests.helpers.mail import make_applicant, make_applicants, make_template
from tests.helpers.matching import make_candidate
from tests.helpers.pool import add_application

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
URL = "/operator/console/"


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(OperatorFactory(email="operator@careerrelay.example"))
    return client


def tokyo(*args):
    return datetime(*args, tzinfo=TOKYO)


def test_the_console_is_reversible_and_linked_from_the_console_home(operator_client):
    assert reverse("admin:console") == URL
    assert f'href="{URL}"' in operator_client.get("/operator/").text


def test_the_console_answers_with_an_empty_database(operator_client):
    response = operator_client.get(URL)
    assert response.status_code == 200
    assert "運営ダッシュボード" in response.text
    assert response.context["funnel"].totals == dict.fromkeys([s.key for s in console.FUNNEL_STEPS], 0)
    assert len(response.context["funnel"].rows) == console.DEFAULT_WEEKS
    assert [q.size for q in response.context["queues"]] == [0, 0, 0, 0]
    assert response.context["credits"].outstanding == 0
    assert "期間内に活動した人材紹介会社はありません。" in response.text


def test_employer_and_agency_staff_and_anonymous_visitors_are_refused(owner):
    agency_admin = make_agency("ひかり人材", "13-ユ-310001", "admin@hikari.example")[1]
    for user in (owner, agency_admin):
        client = Client()
        client.force_login(user)
        response = client.get(URL, follow=True)
        assert response.status_code == 403
        assert "運営ダッシュボード" not in response.text
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_an_operator_without_a_second_factor_is_sent_to_set_one_up():
    client = Client()
    client.force_login(OperatorFactory(email="nomfa@careerrelay.example", second_factor=False))
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_a_relay_journey_shows_in_the_platform_funnel(
    operator_client, employer, smtp_server, django_capture_on_commit_callbacks
):
    """Three rejection emails go out; one recipient clicks the relay link, registers and confirms."""
    capture = django_capture_on_commit_callbacks
    applicants = make_applicants(employer)
    with capture(execute=True):
        sends.create_send(organisation=employer, template=make_template(employer), applicants=applicants)
    smtp_server.sink.wait_for(len(applicants))
    mail = next(m for m in smtp_server.sink.messages if m.rcpt_tos[0] == "hanako.takahashi@example.jp")
    visitor = Client()
    landing = visitor.get(re.search(r"http://testserver(/c/[\w-]+/)", mail.text()).group(1), follow=True)
    assert landing.status_code == 200
    with capture(execute=True):
        visitor.post(landing.request["PATH_INFO"], registration_data(email="hanako.new@example.jp"))
    [verification] = [m for m in smtp_server.messages if "hanako.new@example.jp" in m.rcpt_tos]
    with capture(execute=True):
        visitor.post(re.search(r"http://testserver(/verify/[^\s/]+/)", verification.text()).group(1))
    assert Candidate.objects.get(email_normalized="hanako.new@example.jp").referral_status == "counted"

    response = operator_client.get(URL)
    funnel = response.context["funnel"]
    assert {k: funnel.totals[k] for k in ("sent", "clicked", "started", "confirmed", "counted")} == {
        "sent": 3,
        "clicked": 1,
        "started": 1,
        "confirmed": 1,
        "counted": 1,
    }
    assert funnel.landing_views_to_date == 1
    this_week = funnel.rows[-1].counts
    assert this_week["sent"] == 3 and this_week["counted"] == 1
    footer = re.search(r"<tfoot><tr>(.*?)</tr></tfoot>", response.text, re.S).group(1)
    assert re.findall(r"<td>([\d,]+)</td>", footer)[:5] == ["3", "1", "1", "1", "1"]


def raw_weekly(queryset, field, monday, **filters):
    start = datetime.combine(monday, datetime.min.time(), tzinfo=TOKYO)
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": start + timedelta(days=7)}, **filters).count()


def test_each_week_of_the_funnel_equals_a_count_of_the_raw_tables(operator_client, employer):
    campaign = employer.campaigns.get()
    # Monday 2026-11-02 00:30 in Tokyo is still Sunday in UTC: it belongs to the week of the 2nd.
    moments = [
        tokyo(2026, 11, 1, 23, 30),
        tokyo(2026, 11, 2, 0, 30),
        tokyo(2026, 11, 9, 12, 0),
        tokyo(2026, 11, 20, 18, 0),
        tokyo(2026, 10, 1, 9, 0),  # before the period
    ]
    for n, moment in enumerate(moments):
        CandidateFactory(
            source_campaign=campaign, created_at=moment, verified_at=moment + timedelta(hours=n), status="verified"
        )
        LedgerEntry.objects.create(
            organisation=employer, kind="referral_counted", amount=1, subject_key=uuid.uuid4(), created_at=moment
        )
        LedgerEntry.objects.create(
            organisation=employer, kind="credit_granted", amount=1, sequence=n + 1, created_at=moment
        )
    CandidateFactory(source_campaign=None, created_at=moments[1])  # not through a relay link
    period = console.Period(first=date(2026, 10, 26), last=date(2026, 11, 22))

    response = operator_client.get(URL, {"start": "2026-10-26", "end": "2026-11-22", "interval": "week"})
    funnel = response.context["funnel"]
    assert [row.start for row in funnel.rows] == [date(2026, 10, 26) + timedelta(weeks=n) for n in range(4)]
    relay = Candidate.objects.filter(source_campaign__isnull=False)
    for row in funnel.rows:
        assert row.counts["started"] == raw_weekly(relay, "created_at", row.start)
        assert row.counts["confirmed"] == raw_weekly(relay, "verified_at", row.start)
        assert row.counts["counted"] == raw_weekly(
            LedgerEntry.objects, "created_at", row.start, kind="referral_counted"
        )
        assert row.counts["credits_earned"] == raw_weekly(
            LedgerEntry.objects, "created_at", row.start, kind="credit_granted"
        )
    assert [row.counts["started"] for row in funnel.rows] == [1, 1, 1, 1]
    assert funnel.totals["counted"] == 4 == console.platform_funnel(period).totals["counted"]

    by_month = operator_client.get(URL, {"start": "2026-10-01", "end": "2026-11-30", "interval": "month"})
    assert [(r.start, r.counts["started"]) for r in by_month.context["funnel"].rows] == [
        (date(2026, 10, 1), 1),
        (date(2026, 11, 1), 4),  # 1 November 23:30 in Tokyo is November
    ]


def test_a_period_that_ends_before_it_starts_is_refused_with_the_default_period_shown(operator_client):
    response = operator_client.get(URL, {"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 200
    assert "終了日は開始日より後の日付にしてください。" in response.text
    assert response.context["period"] == console.default_period()
    assert 'value="2026-11-30"' in response.text


def test_agencies_activity_searches_openings_introductions_acceptance_and_time_to_first_contact(operator_client):
    agency, admin = make_agency("ひかり人材", "13-ユ-310001", "admin@hikari.example")
    make_agency("あおば人材", "13-ユ-310002", "admin@aoba.example")  # approved, idle
    actor = Actor.for_user(admin, ActorKind.AGENCY)
    first, second, third = (make_candidate(email=f"c{n}@example.jp") for n in range(3))
    start = tokyo(2026, 11, 10, 9, 0)
    with freeze_time(start):
        agencies.search_for_agency(organisation=agency, actor=actor, q="営業")
        agencies.search_for_agency(organisation=agency, actor=actor, q="経理")
        for candidate in (first, second):
            agencies.open_candidate_profile(
                organisation=agency, actor=actor, public_id=candidate.public_id, channel="page"
            )
    with freeze_time(start + timedelta(hours=1)):  # the same person again: still one person opened
        agencies.open_candidate_profile(organisation=agency, actor=actor, public_id=first.public_id, channel="page")
    introductions = []
    for candidate, hours in ((first, 2), (second, 6), (third, 8)):
        with freeze_time(start + timedelta(hours=hours)):
            introductions.append(
                matching.propose_introduction(
                    agency=agency,
                    actor=actor,
                    candidate_public_id=candidate.public_id,
                    company_name="株式会社みらい",
                    role="営業",
                )
            )
    matching.respond_to_introduction(
        candidate=first, introduction=introductions[0], accept=True, actor=Actor.for_candidate(first)
    )
    matching.respond_to_introduction(
        candidate=second, introduction=introductions[1], accept=False, actor=Actor.for_candidate(second)
    )

    response = operator_client.get(URL, {"start": "2026-11-09", "end": "2026-11-15"})
    [row] = response.context["agencies"]
    assert row.name == "ひかり人材"
    assert row.searches == AuditEvent.objects.filter(action="search", organisation=agency).count() == 2
    assert row.profiles_opened == 2
    assert row.introductions == Introduction.objects.filter(agency=agency).count() == 3
    assert (row.answered, row.accepted, row.acceptance_percent) == (2, 1, 50.0)
    # Opened at 9:00, introduced at 11:00 and 15:00; the third person was never opened.
    assert row.median_hours_to_first_contact == 4.0
    assert response.context["idle_agencies"] == 1
    assert "50.0%" in response.text and "4.0時間" in response.text
    assert ProvisionRecord.objects.filter(channel="introduction").count() == 1  # not an opening

    later = operator_client.get(URL, {"start": "2026-11-16", "end": "2026-11-22"})
    assert later.context["agencies"] == []


def test_interviews_count_the_introductions_that_reached_interviewed(operator_client):
    agency = make_agency("ひかり人材", "13-ユ-310001", "admin@hikari.example")[0]
    candidate = CandidateFactory()
    introduction = Introduction.objects.create(
        agency=agency, candidate=candidate, company_name="株式会社みらい", role="営業", stage="interviewed"
    )
    moment = timezone.now()
    IntroductionEvent.objects.create(introduction=introduction, stage="interviewed", party="agency", created_at=moment)
    IntroductionEvent.objects.create(introduction=introduction, stage="accepted", party="candidate", created_at=moment)
    assert operator_client.get(URL).context["funnel"].totals["interviews"] == 1


def test_credits_outstanding_and_their_value_follow_the_ledger(operator_client, employer):
    other = EmployerFactory()
    for n in range(3):
        LedgerEntry.objects.create(organisation=employer, kind="credit_granted", amount=1, sequence=n + 1)
    LedgerEntry.objects.create(organisation=other, kind="credit_granted", amount=1, sequence=1)
    requests = [uuid.uuid4() for _ in range(3)]
    for key in requests:
        LedgerEntry.objects.create(organisation=employer, kind="credit_reserved", amount=-1, request_key=key)
    LedgerEntry.objects.create(organisation=employer, kind="credit_consumed", amount=0, request_key=requests[0])
    LedgerEntry.objects.create(organisation=employer, kind="credit_returned", amount=1, request_key=requests[1])
    LedgerEntry.objects.create(organisation=other, kind="adjustment", amount=-1, reason="重複付与の訂正")

    response = operator_client.get(URL)
    credits = response.context["credits"]
    # employer: granted 3, one consumed -> 2 outstanding (1 available, 1 held); other: 1 - 1 = 0.
    assert (credits.available, credits.held, credits.outstanding, credits.employers) == (1, 1, 2, 1)
    assert response.context["credits_value"] == 2 * 1_750_000 == 2 * console.credit_value_yen()
    assert "3,500,000円" in response.text


def test_review_queues_count_what_their_admin_lists_show(operator_client):
    EmployerFactory(status=Organisation.Status.PENDING)
    EmployerFactory(status=Organisation.Status.PENDING)
    EmployerFactory()
    make_agency("審査中人材", "13-ユ-310003", "admin@pending.example", approve=False)
    CandidateFactory(held_for_review=True, referral_status="held")
    OutboundEmail.objects.create(
        to_email="x@example.jp",
        from_email="f@example.jp",
        subject="s",
        body_text="b",
        message_id="<1@x>",
        state="failed",
    )
    response = operator_client.get(URL)
    sizes = [q.size for q in response.context["queues"]]
    assert sizes == [2, 1, 1, 1]
    for queue in response.context["queues"]:
        listing = operator_client.get(queue.url)
        assert listing.status_code == 200, queue.url
        assert listing.context["cl"].result_count == queue.size, queue.url
        assert f'href="{queue.url.replace("&", "&amp;")}"' in response.text


def test_the_page_shows_no_personal_data_and_writes_no_audit_event(operator_client, employer):
    CandidateFactory(
        source_campaign=employer.campaigns.get(), family_name="髙橋", given_name="花子", email="hanako@example.jp"
    )
    member = MembershipFactory(organisation=employer, user=UserFactory(email="hr@yamasaki.example")).user
    before = AuditEvent.objects.count()
    page = operator_client.get(URL).text
    for personal in ("髙橋", "花子", "hanako@example.jp", member.email):
        assert personal not in page
    assert AuditEvent.objects.count() == before


def busy_agency(number):
    agency, admin = make_agency(f"人材{number}", f"13-ユ-32{number:04d}", f"admin{number}@agency{number}.example")
    actor = Actor.for_user(admin, ActorKind.AGENCY)
    candidate = make_candidate(email=f"n{number}@example.jp")
    agencies.search_for_agency(organisation=agency, actor=actor, q="営業")
    agencies.open_candidate_profile(organisation=agency, actor=actor, public_id=candidate.public_id, channel="page")
    matching.propose_introduction(
        agency=agency, actor=actor, candidate_public_id=candidate.public_id, company_name="株式会社みらい", role="営業"
    )
    EmployerFactory(status=Organisation.Status.PENDING)


def test_the_page_runs_no_query_per_agency_or_company(operator_client):
    busy_agency(1)
    with CaptureQueriesContext(connection) as one:
        assert len(operator_client.get(URL).context["agencies"]) == 1
    busy_agency(2)
    busy_agency(3)
    with CaptureQueriesContext(connection) as three:
        assert len(operator_client.get(URL).context["agencies"]) == 3
    assert len(three) == len(one)


def test_sent_and_clicked_count_rejection_mails_of_bulk_sends_not_follow_ups_or_single_mails(operator_client, employer):
    send = Send.objects.create(organisation=employer, template_name="中途・丁寧", scheduled_at=timezone.now())
    now = timezone.now()

    def message(n, **fields):
        return OutboundEmail.objects.create(
            to_email=f"p{n}@example.jp",
            from_email="f@example.jp",
            subject="選考結果",
            body_text="b",
            message_id=f"<{n}@x>",
            state="sent",
            sent_at=now,
            **fields,
        )

    message(1, send=send, first_clicked_at=now)
    message(2, send=send)
    message(3)  # a sign-in link, a notification: not a rejection mail
    follow_up = message(4, send=send, first_clicked_at=now)
    step = FollowupStep.objects.create(organisation=employer, name="6か月後", delay_days=180)
    FollowupDelivery.objects.create(
        step=step,
        application=add_application(make_applicant(employer)),
        state="queued",
        outbound_email=follow_up,
        due_on=now.date(),
    )
    totals = operator_client.get(URL).context["funnel"].totals
    assert (totals["sent"], totals["clicked"]) == (2, 1)
