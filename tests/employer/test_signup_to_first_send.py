"""The journey of a self-service employer, who sends nothing until an operator approves it: sign up on
the web, confirm the address, set up while the operator reviews (and be refused when trying to
send), the operator sees the company in the review queue with its work domain, signup address and
what it set up, approves it, and the first send goes out under the approved name."""

import io
import re
from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from careerrelay.accounts.models import User
from careerrelay.audit.models import AuditEvent
from careerrelay.notifications.models import Notification
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kiso-tango-37-hoshi"


@pytest.fixture
def operator(db):
    return OperatorFactory(email="operator@careerrelay.example")


def signup(client, django_capture_on_commit_callbacks, *, email, company="株式会社髙橋商事"):
    data = {"company_name": company, "name": "髙橋 花子", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), data, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    confirm = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm)
    return Organisation.objects.get(memberships__user__email=email)


def send_form(organisation, template, applicant, step):
    return {
        "template": template.pk,
        "applicants": [applicant.pk],
        "campaign": organisation.campaigns.get(is_default=True).pk,
        "sender_name": "人事部 髙橋",
        "signature": "株式会社髙橋商事",
        "when": "now",
        "business_days": "",
        "send_time": "10:00",
        "step": step,
    }


def test_from_web_signup_through_the_operators_approval_to_the_first_send(
    client, operator, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "キャリアリレー <no-reply@careerrelay.example>"
    settings.MAIL_DAILY_LIMIT_START = 200
    organisation = signup(client, django_capture_on_commit_callbacks, email="hanako@takahashi-shoji.example")
    assert (organisation.status, organisation.work_domain, organisation.signup_ip) == (
        "pending",
        "takahashi-shoji.example",
        "203.0.113.7",
    )
    # The operators hear of it.
    assert Notification.objects.get(user=operator).kind == "employer_applied"
    assert OutboundEmail.objects.filter(to_email=operator.email, template="notify_employer_applied").exists()

    # The workspace works and says what waits.
    dashboard = client.get(reverse("employer:dashboard"))
    assert 'id="pending-approval"' in dashboard.text
    response = client.post(
        reverse("employer:template_create"),
        {"name": "中途", "language": "ja", "subject": "選考結果", "body": "{{applicant_name}} 様\n{{relay_link}}"},
    )
    assert response.status_code == 302
    template = RejectionTemplate.objects.get(organisation=organisation)
    applicant = Applicant.objects.create(
        organisation=organisation,
        family_name="山﨑",
        given_name="太郎",
        email="taro@example.jp",
        email_normalized="taro@example.jp",
    )
    refused = client.post(reverse("employer:send_create"), send_form(organisation, template, applicant, "send"))
    assert "承認されるまでメールは送信されません" in refused.text
    assert not Send.objects.exists()

    # The operator's queue shows the work domain, the signup address and what was set up.
    client.force_login(operator)
    queue = client.get(reverse("admin:organisations_organisation_changelist"), {"status__exact": "pending"})
    assert "株式会社髙橋商事" in queue.text
    assert "takahashi-shoji.example" in queue.text
    assert "203.0.113.7" in queue.text
    assert "テンプレート 1 / 応募者 1 / 送信 0" in queue.text
    change = client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk]))
    assert "本日 0 / 上限 200 件" in change.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "approve", "_selected_action": [organisation.pk]},
        )
    organisation.refresh_from_db()
    assert (organisation.status, organisation.approved_name) == ("approved", "株式会社髙橋商事")
    assert organisation.reply_to_email == "hanako@takahashi-shoji.example"
    assert AuditEvent.objects.filter(organisation=organisation, actor_user=operator).exists()
    approved_mail = [m for m in mail.outbox if m.to == ["hanako@takahashi-shoji.example"]][-1]
    assert "承認されました" in approved_mail.subject

    # Back as the employer: the first send goes out.
    client.force_login(User.objects.get(email="hanako@takahashi-shoji.example"))
    assert 'id="pending-approval"' not in client.get(reverse("employer:dashboard")).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employer:send_create"), send_form(organisation, template, applicant, "send"))
    assert response.status_code == 302
    sent = [m for m in mail.outbox if m.to == ["taro@example.jp"]]
    assert len(sent) == 1
    message = sent[0].message()
    assert parseaddr(str(message["From"]))[1] == "no-reply@careerrelay.example"
    assert message["Reply-To"] == "hanako@takahashi-shoji.example"


def test_a_public_mailbox_is_no_work_domain(client, django_capture_on_commit_callbacks):
    organisation = signup(client, django_capture_on_commit_callbacks, email="hanako.t@gmail.com")
    assert (organisation.status, organisation.work_domain) == ("pending", "")


def test_the_operator_rejects_and_the_admins_are_told(client, operator, django_capture_on_commit_callbacks):
    organisation = signup(
        client, django_capture_on_commit_callbacks, email="ceo@google-japan.example", company="Google Japan"
    )
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "reject", "_selected_action": [organisation.pk]},
        )
    organisation.refresh_from_db()
    assert organisation.status == "rejected"
    assert AuditEvent.objects.filter(organisation=organisation, detail__operation="reject_employer").exists()
    assert "登録について" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["ceo@google-japan.example"]


def test_create_company_approves_unless_pending(db):
    call_command("create_company", "株式会社山﨑", "--admin-email", "a@yamasaki.example", stdout=io.StringIO())
    call_command(
        "create_company",
        "株式会社髙橋",
        "--admin-email",
        "b@takahashi.example",
        "--pending",
        stdout=io.StringIO(),
    )
    assert dict(Organisation.objects.values_list("name", "status")) == {
        "株式会社山﨑": "approved",
        "株式会社髙橋": "pending",
    }
    approved = Organisation.objects.get(name="株式会社山﨑")
    assert (approved.approved_name, approved.reply_to_email) == ("株式会社山﨑", "a@yamasaki.example")
    assert list(approved.link_domains.values_list("domain", flat=True)) == ["yamasaki.example"]
