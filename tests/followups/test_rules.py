"""Each rule of who gets a follow-up step, through the periodic job's own entry point."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from careerrelay.followups import services as followups
from careerrelay.followups.models import FollowupDelivery, FollowupStep
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail, Suppression
from careerrelay.outbox.services import from_address
from careerrelay.sends.models import Send
from careerrelay.talent.models import Application, RejectionReason
from tests.factories import EmployerFactory
from tests.followups.helpers import NOW, TODAY, application_of, rejected

pytestmark = pytest.mark.django_db
Skip = FollowupDelivery.SkipReason

DUE = TODAY - timedelta(days=182)  # the 6-month step falls due today


def deliveries(step):
    rows = step.deliveries.select_related("application__applicant")
    return {d.application.applicant.email: (d.state, d.skip_reason) for d in rows}


def mailed(employer):
    return sorted(OutboundEmail.objects.filter(send__organisation=employer).values_list("to_email", flat=True))


def test_every_company_has_the_two_default_steps_off_with_their_presets(employer):
    steps = list(followups.steps_for(employer))
    assert [(s.name, s.delay_days, s.active) for s in steps] == [
        ("6ヶ月後の再チャレンジ案内", 182, False),
        ("1年後の再チャレンジ案内", 365, False),
    ]
    assert [s.template.preset_key for s in steps] == ["ja_followup_6_months", "ja_followup_12_months"]
    followups.steps_for(employer)  # a second first read adds nothing
    assert FollowupStep.objects.filter(organisation=employer).count() == 2


def test_nothing_goes_out_while_the_steps_are_off(employer):
    followups.steps_for(employer)
    rejected(employer, "hanako@example.jp", rejected_on=DUE)
    assert followups.queue_due_followups(NOW) == {"queued": 0, "skipped": 0}
    assert mailed(employer) == []


def test_only_people_who_agreed_to_be_contacted_again_get_it(employer, six_months):
    rejected(employer, "yes@example.jp", rejected_on=DUE)
    rejected(employer, "no@example.jp", rejected_on=DUE, recontact_ok=False)
    assert followups.queue_due_followups(NOW) == {"queued": 1, "skipped": 1}
    assert mailed(employer) == ["yes@example.jp"]
    assert deliveries(six_months)["no@example.jp"] == ("skipped", Skip.NO_CONSENT)


def test_an_unsubscribed_or_bounced_address_is_skipped_whatever_its_spelling(employer, six_months):
    rejected(employer, "Hanako.Takahashi@Example.jp", rejected_on=DUE)
    rejected(employer, "taro@example.jp", rejected_on=DUE)
    Suppression.objects.create(organisation=employer, email_normalized="hanako.takahashi@example.jp")
    followups.queue_due_followups(NOW)
    assert mailed(employer) == ["taro@example.jp"]
    assert deliveries(six_months)["Hanako.Takahashi@Example.jp"] == ("skipped", Skip.SUPPRESSED)


def test_another_companys_suppression_does_not_count(employer, six_months):
    rejected(employer, "hanako@example.jp", rejected_on=DUE)
    Suppression.objects.create(organisation=EmployerFactory(), email_normalized="hanako@example.jp")
    followups.queue_due_followups(NOW)
    assert mailed(employer) == ["hanako@example.jp"]


def test_a_person_hired_meanwhile_is_skipped(employer, six_months):
    person = rejected(employer, "hired@example.jp", rejected_on=DUE)
    Application.objects.create(applicant=person, job_title="営業職", outcome=Application.Outcome.HIRED)
    followups.queue_due_followups(NOW)
    assert mailed(employer) == []
    assert deliveries(six_months)["hired@example.jp"] == ("skipped", Skip.HIRED)


def test_a_person_who_applied_again_meanwhile_is_skipped(employer, six_months):
    person = rejected(employer, "again@example.jp", rejected_on=DUE)
    Application.objects.create(applicant=person, job_title="経理", outcome=Application.Outcome.IN_PROGRESS)
    followups.queue_due_followups(NOW)
    assert mailed(employer) == []
    assert deliveries(six_months)["again@example.jp"] == ("skipped", Skip.REAPPLIED)


def test_the_later_application_is_followed_up_on_its_own_dates(employer, six_months):
    person = rejected(employer, "twice@example.jp", rejected_on=DUE - timedelta(days=200))
    later = Application.objects.create(
        applicant=person, job_title="経理", outcome=Application.Outcome.REJECTED, rejected_on=DUE
    )
    followups.queue_due_followups(NOW)
    assert mailed(employer) == ["twice@example.jp"]
    assert six_months.deliveries.get(state="queued").application == later


def test_each_step_goes_out_at_most_once_per_application(employer, six_months):
    rejected(employer, "hanako@example.jp", rejected_on=DUE)
    assert followups.queue_due_followups(NOW)["queued"] == 1
    assert followups.queue_due_followups(NOW + timedelta(minutes=1)) == {"queued": 0, "skipped": 0}
    assert followups.queue_due_followups(NOW + timedelta(days=30)) == {"queued": 0, "skipped": 0}
    assert mailed(employer) == ["hanako@example.jp"]


def test_not_due_yet_is_left_for_later(employer, six_months):
    rejected(employer, "soon@example.jp", rejected_on=DUE + timedelta(days=1))
    assert followups.queue_due_followups(NOW) == {"queued": 0, "skipped": 0}
    assert followups.queue_due_followups(NOW + timedelta(days=1))["queued"] == 1


def test_turning_a_step_on_late_sends_only_what_fell_due_in_the_last_60_days(employer, six_months):
    rejected(employer, "recent@example.jp", rejected_on=DUE - timedelta(days=59))
    rejected(employer, "old@example.jp", rejected_on=DUE - timedelta(days=61))
    rejected(employer, "ancient@example.jp", rejected_on=DUE - timedelta(days=900))
    assert followups.queue_due_followups(NOW) == {"queued": 1, "skipped": 2}
    assert mailed(employer) == ["recent@example.jp"]
    assert deliveries(six_months)["old@example.jp"] == ("skipped", Skip.TOO_OLD)
    assert deliveries(six_months)["ancient@example.jp"] == ("skipped", Skip.TOO_OLD)


def test_an_old_import_gets_only_the_step_that_fell_due_recently(employer):
    for step in followups.steps_for(employer):
        followups.update_step(step=step, actor=followups.Actor.system(), active=True)
    rejected(employer, "imported@example.jp", rejected_on=TODAY - timedelta(days=375))
    assert followups.queue_due_followups(NOW) == {"queued": 1, "skipped": 1}
    by_step = {d.step.default_key: (d.state, d.skip_reason) for d in FollowupDelivery.objects.all()}
    assert by_step == {"6_months": ("skipped", Skip.TOO_OLD), "12_months": ("queued", "")}
    assert mailed(employer) == ["imported@example.jp"]


def test_a_step_goes_only_to_the_rejection_reasons_it_includes(employer, six_months):
    six_months.reason_kinds = [RejectionReason.Kind.CONDITIONS, "none"]
    six_months.save()
    rejected(employer, "conditions@example.jp", rejected_on=DUE, kind=RejectionReason.Kind.CONDITIONS)
    rejected(employer, "skills@example.jp", rejected_on=DUE, kind=RejectionReason.Kind.SKILLS_GAP)
    rejected(employer, "noreason@example.jp", rejected_on=DUE, kind=None)
    followups.queue_due_followups(NOW)
    assert mailed(employer) == ["conditions@example.jp", "noreason@example.jp"]
    assert "skills@example.jp" not in deliveries(six_months)  # not skipped either: not this step's


def test_withdrawn_and_hired_applications_are_not_followed_up(employer, six_months):
    person = rejected(employer, "withdrew@example.jp", rejected_on=DUE)
    Application.objects.filter(applicant=person).update(outcome=Application.Outcome.WITHDRAWN)
    assert followups.queue_due_followups(NOW) == {"queued": 0, "skipped": 0}


def test_a_company_that_may_not_send_queues_nothing(six_months, employer):
    rejected(employer, "hanako@example.jp", rejected_on=DUE)
    Organisation.objects.filter(pk=employer.pk).update(is_active=False)
    assert followups.queue_due_followups(NOW) == {"queued": 0, "skipped": 0}
    Organisation.objects.filter(pk=employer.pk).update(is_active=True, status=Organisation.Status.PENDING)
    assert followups.queue_due_followups(NOW) == {"queued": 0, "skipped": 0}
    assert mailed(employer) == []


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("now", "due_at"),
    [
        (at(2026, 6, 16, 11, 0), at(2026, 6, 16, 11, 0)),  # Tuesday, office hours: now
        (at(2026, 6, 16, 7, 30), at(2026, 6, 16, 10, 0)),  # early morning: at 10:00
        (at(2026, 6, 16, 22, 0), at(2026, 6, 17, 10, 0)),  # at night: the next morning
        (at(2026, 6, 20, 11, 0), at(2026, 6, 22, 10, 0)),  # Saturday: Monday
        (at(2026, 7, 20, 11, 0), at(2026, 7, 21, 10, 0)),  # 海の日: the day after
        (at(2026, 12, 29, 11, 0), at(2027, 1, 4, 10, 0)),  # 年末年始: after 1/3
    ],
)
def test_mail_waits_for_office_hours_of_a_business_day_in_japan(employer, six_months, now, due_at):
    rejected(employer, "hanako@example.jp", rejected_on=timezone.localdate(now) - timedelta(days=182))
    followups.queue_due_followups(now)
    message = OutboundEmail.objects.get(send__organisation=employer)
    assert message.due_at == due_at
    assert message.send.next_batch_at == due_at


def test_the_message_is_a_send_of_the_company_with_one_click_unsubscribe(employer, six_months):
    employer.reply_to_email = "saiyo@yamasaki.example"
    employer.save()
    rejected(employer, "hanako@example.jp", rejected_on=DUE, family_name="山﨑", given_name="花子", job_title="経理")
    followups.queue_due_followups(NOW)
    message = OutboundEmail.objects.get(send__organisation=employer)
    assert message.send.template_name == "6ヶ月後の再チャレンジ案内"
    assert message.send.state == Send.State.SCHEDULED
    assert message.from_email == from_address("株式会社山﨑製作所")  # as the sends' messages
    assert message.headers["Reply-To"] == "saiyo@yamasaki.example"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.headers["List-Unsubscribe"].split(",")[0].strip(" <>")
    assert unsubscribe.startswith("http://testserver/u/")
    assert unsubscribe in message.body_text
    assert message.body_text.startswith("山﨑 花子 様")
    assert "経理の選考" in message.body_text
    code = employer.followup_settings.public_code
    assert f"http://testserver/openings/{code}/" in message.body_text
    assert f'href="http://testserver/openings/{code}/"' in message.body_html
    assert message.subject == "その後いかがお過ごしですか（株式会社山﨑製作所より、再チャレンジのご案内）"
    assert application_of(message.applicant).followup_deliveries.get().outbound_email == message


def test_the_companys_own_careers_page_is_the_openings_link_when_its_domain_is_verified(employer, six_months):
    employer.link_domains.create(domain="yamasaki.example")
    followups.save_settings(
        organisation=employer, actor=followups.Actor.system(), openings_url="https://careers.yamasaki.example/jobs"
    )
    rejected(employer, "hanako@example.jp", rejected_on=DUE)
    followups.queue_due_followups(NOW)
    message = OutboundEmail.objects.get(send__organisation=employer)
    assert "https://careers.yamasaki.example/jobs" in message.body_text
    assert 'href="https://careers.yamasaki.example/jobs"' in message.body_html


def test_counts_per_step(employer, six_months):
    rejected(employer, "sent@example.jp", rejected_on=DUE)
    rejected(employer, "skipped@example.jp", rejected_on=DUE, recontact_ok=False)
    rejected(employer, "later@example.jp", rejected_on=TODAY - timedelta(days=10))
    rejected(employer, "not-consenting-later@example.jp", rejected_on=TODAY - timedelta(days=10), recontact_ok=False)
    followups.queue_due_followups(NOW)
    OutboundEmail.objects.filter(to_email="sent@example.jp").update(state=OutboundEmail.State.SENT)
    counts = followups.counts_for([six_months], NOW)[six_months.pk]
    assert (counts.upcoming, counts.sent, counts.skipped) == (1, 1, 1)
    OutboundEmail.objects.filter(to_email="sent@example.jp").update(state=OutboundEmail.State.QUEUED)
    counts = followups.counts_for([six_months], NOW)[six_months.pk]
    assert (counts.upcoming, counts.sent, counts.skipped) == (2, 0, 1)
