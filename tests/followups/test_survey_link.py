"""A follow-up letter can carry {{survey_link}}: each message gets its own survey, with the snapshot
the employer's figures need, exactly as a bulk send's messages do."""

import re
from datetime import timedelta

import pytest

from careerrelay.followups import services as followups
from careerrelay.outbox.models import OutboundEmail
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.surveys.models import SurveyInvitation
from careerrelay.talent.models import RejectionReason
from tests.followups.helpers import NOW, TODAY, rejected

pytestmark = pytest.mark.django_db

SURVEY = re.compile(r"https?://[^\s\"<>]+/s/([A-Za-z0-9_-]+)/")


def test_each_follow_up_message_has_its_own_survey_that_opens(client, employer, six_months):
    template = RejectionTemplate.objects.create(
        organisation=employer,
        name="半年後のご案内",
        subject="{{company_name}}からのご案内",
        body="{{applicant_name}} 様\n\n{{job_title}}の募集を再開しました。\n\n"
        "選考のご感想をお聞かせください: {{survey_link}}\n\n{{unsubscribe_link}}",
    )
    six_months.template = template
    six_months.save()
    due = TODAY - timedelta(days=182)
    rejected(employer, "a@example.jp", rejected_on=due, job_title="経理", kind=RejectionReason.Kind.CONDITIONS)
    rejected(employer, "b@example.jp", rejected_on=due, family_name="山﨑", job_title="営業職")

    assert followups.queue_due_followups(NOW)["queued"] == 2

    tokens = {}
    for message in OutboundEmail.objects.filter(send__organisation=employer):
        (token,) = set(SURVEY.findall(message.body_text))
        assert token in message.body_html
        tokens[message.to_email] = token
        invitation = SurveyInvitation.objects.get(message=message)
        assert (invitation.organisation, invitation.template, invitation.template_name) == (
            employer,
            template,
            "半年後のご案内",
        )
    assert len(set(tokens.values())) == 2
    invitation = SurveyInvitation.objects.get(message__to_email="a@example.jp")
    assert (invitation.job_title, invitation.reason_kind) == ("経理", "conditions")

    assert client.get(f"/s/{tokens['a@example.jp']}/").status_code == 200


def test_a_follow_up_letter_without_the_variable_makes_no_survey(employer, six_months):
    rejected(employer, "a@example.jp", rejected_on=TODAY - timedelta(days=182))
    assert followups.queue_due_followups(NOW)["queued"] == 1
    assert not SurveyInvitation.objects.exists()
