"""A follow-up rendered once per batch reads exactly as render_rejection renders it per person."""

import pytest

from careerrelay.followups.rendering import BatchRenderer
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.services import render_rejection
from careerrelay.sends.services import click_url, unsubscribe_url
from careerrelay.talent.models import Applicant

pytestmark = pytest.mark.django_db

OPENINGS = "http://testserver/openings/abc/"


@pytest.mark.parametrize("preset_key", ["ja_followup_6_months", "en_followup_12_months", "ja_warm"])
@pytest.mark.parametrize(
    ("family_name", "given_name", "job_title"),
    [
        ("山﨑", "花子", "経理"),
        ("<b>髙橋</b>", "\"太郎\" & 'ジロー'", "営業 <script>x</script> & 企画"),
        ("ＯＮＥ", "ｶﾅ", ""),  # no job title: the template's fallback
        ("evil.com", "見て", "https://evil.example/jobs 応募"),  # addresses outside the link policy
    ],
)
def test_batch_rendering_equals_rendering_each_message(employer, preset_key, family_name, given_name, job_title):
    template = RejectionTemplate.objects.get(preset_key=preset_key)
    renderer = BatchRenderer(
        template, organisation=employer, click_url=click_url, unsubscribe_url=unsubscribe_url, openings_url=OPENINGS
    )
    person = Applicant(organisation=employer, family_name=family_name, given_name=given_name, job_title=job_title)
    expected = render_rejection(
        template,
        applicant=person,
        organisation=employer,
        relay_url=click_url("click-token-1"),
        unsubscribe_url=unsubscribe_url("unsub-token-1"),
        openings_url=OPENINGS,
    )
    got = renderer.render(
        name=person.full_name, job_title=job_title, click_token="click-token-1", unsubscribe_token="unsub-token-1"
    )
    assert got == expected


def test_an_openings_link_outside_the_link_policy_is_left_out(employer):
    template = RejectionTemplate.objects.get(preset_key="ja_followup_6_months")
    message = render_rejection(
        template,
        applicant=None,
        organisation=employer,
        relay_url=click_url("t"),
        unsubscribe_url=unsubscribe_url("u"),
        openings_url="https://phish.example/jobs",
    )
    assert "phish.example" not in message.text + message.html
    assert "募集中の求人を見る" not in message.html
    allowed = render_rejection(
        template, applicant=None, organisation=employer, relay_url=click_url("t"), openings_url=OPENINGS
    )
    assert "募集中の求人を見る" in allowed.html  # the openings link alone on its line is a button
