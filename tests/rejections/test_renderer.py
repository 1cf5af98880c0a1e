"""A send's messages come from its template compiled once (RejectionRenderer): each message must be
exactly what render_rejection makes for it, and its MIME exactly what Django builds."""

from copy import copy

import pytest
from django.conf import settings

from careerrelay.common.tokens import new_token
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.outbox.services import MimeTemplate, from_address, new_message_id, prebuild_mime, same_mime
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.presets import PRESETS
from careerrelay.rejections.services import RejectionRenderer, render_rejection
from careerrelay.talent.models import Applicant

pytestmark = pytest.mark.django_db


def relay(token):
    return f"{settings.SITE_URL}/c/{token}/"


def unsubscribe(token):
    return f"{settings.SITE_URL}/u/{token}/"


def survey(token):
    return f"{settings.SITE_URL}/s/{token}/"


LINKS = {"relay_link": relay, "unsubscribe_link": unsubscribe, "survey_link": survey}
PLAIN = [
    ("髙橋", "一郎", "法人営業"),
    ("山﨑", "花子", ""),
    ("Smith", "Anne", "Sales Engineer"),
    ("", "凛", "経理・財務"),
]
NOT_PLAIN = [
    ("O'Brien", "Anne", "R&D"),
    ("<b>山田</b>", "太郎", "営業"),
    ("山田\u3000太郎", "", "営業  部"),
    ("佐藤", "花子", "evil.example.com の担当"),
    ("佐藤", "花子\xa0", "{{relay_link}}"),
    (" 佐藤", "花子", "営業\n部長"),
]

TEMPLATES = [(p.subject, p.body, p.language) for p in PRESETS] + [
    ("{{applicant_name}} 様 {{job_title}} ({{company_name}})", "{{applicant_name}} 様\n\n{{relay_link}}\n", "ja"),
    (
        "Your application & us",
        "Dear {{applicant_name}},\n\n- {{job_title}}\n- second\n\nSee {{relay_link}} <now>\n\n"
        "{{survey_link}}\n\nUnsubscribe: {{unsubscribe_link}}\n{{signature}}",
        "en",
    ),
]


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="株式会社山﨑&製作所", status="approved", approved_name="株式会社山﨑&製作所"
    )


@pytest.mark.parametrize("with_survey", [False, True])
@pytest.mark.parametrize(("subject", "body", "language"), TEMPLATES)
def test_every_message_is_what_render_rejection_makes(organisation, subject, body, language, with_survey):
    template = RejectionTemplate(organisation=organisation, subject=subject, body=body, language=language)
    renderer = RejectionRenderer(
        template,
        organisation=organisation,
        sender_name="人事部 鈴木",
        signature="",
        link_makers=LINKS,
        with_survey=with_survey,
    )
    for family, given, job in PLAIN + NOT_PLAIN:
        applicant = Applicant(family_name=family, given_name=given, job_title=job)
        links = {
            "relay_url": relay(new_token(16)),
            "unsubscribe_url": unsubscribe(new_token(16)),
            "survey_url": survey(new_token(18)) if with_survey else "",
        }
        values = renderer.values(applicant=applicant, **links)
        # The shortcut is taken for ordinary names and refused for the others.
        assert (values is not None) == ((family, given, job) in PLAIN)
        expected = render_rejection(
            template,
            applicant=applicant,
            organisation=organisation,
            relay_url=links["relay_url"],
            sender_name="人事部 鈴木",
            unsubscribe_url=links["unsubscribe_url"],
            survey_url=links["survey_url"],
        )
        assert renderer.render(applicant=applicant, **links) == expected
        if values is not None:
            assert renderer.render_values(values) == expected
            assert links["relay_url"] in expected.html  # the marker never survives
            assert not renderer.markers_re.search(expected.html + expected.text + expected.subject)


@pytest.mark.parametrize(("subject", "body", "language"), TEMPLATES)
def test_the_compiled_mime_is_what_django_builds(organisation, subject, body, language):
    template = RejectionTemplate(organisation=organisation, subject=subject, body=body, language=language)
    renderer = RejectionRenderer(template, organisation=organisation, link_makers=LINKS)
    sample = OutboundEmail(
        to_email="x@example.jp",
        from_email=from_address("株式会社山﨑製作所"),
        subject=renderer.compiled.subject,
        body_text=renderer.compiled.text,
        body_html=renderer.compiled.html,
        message_id=new_message_id(),
        headers={
            "Reply-To": "jinji@example.jp",
            "List-Unsubscribe": "<x>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    mime = MimeTemplate(sample, list(renderer.marker.values()))
    for i, (family, given, job) in enumerate(PLAIN):
        applicant = Applicant(family_name=family, given_name=given, job_title=job)
        token = new_token(16)
        values = renderer.values(applicant=applicant, relay_url=relay(token), unsubscribe_url=unsubscribe(token))
        rendered = renderer.render_values(values)
        row = OutboundEmail(
            to_email=f"p{i}@example.jp",
            from_email=sample.from_email,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            message_id=new_message_id(),
            headers={
                **sample.headers,
                "List-Unsubscribe": f"<{unsubscribe(token)}>, <mailto:u@example.jp?subject=unsubscribe-{token}>",
            },
        )
        built = mime.build(row, values)
        assert built is not None
        assert same_mime(built, prebuild_mime(row))
        other = copy(row)
        other.subject = rendered.subject + "!"
        assert not same_mime(built, prebuild_mime(other))  # the comparison can fail
