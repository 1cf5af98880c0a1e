import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.organisations.models import Invitation, Membership
from tests.factories import EmployerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kiso-tango-37-hoshi"


def invite(client, capture, email="Sato.Ichiro@Yamasaki.example", role="recruiter"):
    with capture(execute=True):
        return client.post(reverse("employer:team"), {"email": email, "role": role})


def invitation_path(message) -> str:
    return re.search(r"http://testserver(/employer/invitations/[^\s/]+/)", message.body).group(1)


def test_team_page_lists_members_and_roles(owner_client, owner, member):
    html = owner_client.get(reverse("employer:team")).text
    assert owner.email in html
    assert member.email in html
    assert "招待メールを送る" in html


def test_a_recruiter_sees_the_team_but_no_management(member_client, owner):
    html = member_client.get(reverse("employer:team")).text
    assert owner.email in html
    assert "メンバーの招待や権限の変更は、管理者だけが行えます。" in html
    assert "招待メールを送る" not in html
    assert "チームから外す" not in html


def test_invite_a_colleague_who_creates_an_account_end_to_end(
    owner_client, employer, django_capture_on_commit_callbacks
):
    response = invite(owner_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert "sato.ichiro@yamasaki.example に招待メールを送りました。" in owner_client.get(response["Location"]).text
    invitation = Invitation.objects.get(organisation=employer)
    assert invitation.email == "sato.ichiro@yamasaki.example"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sato.ichiro@yamasaki.example"]
    assert "株式会社山﨑製作所" in message.subject
    path = invitation_path(message)

    # The invitee, logged out, opens the email's link.
    owner_client.post(reverse("account_logout"))
    page = owner_client.get(path)
    assert page.status_code == 200
    assert 'value="sato.ichiro@yamasaki.example" readonly' in page.text

    # Mistakes are reported per field and what was typed stays.
    response = owner_client.post(
        path, {"action": "signup", "name": "佐藤 一郎", "password1": PASSWORD, "password2": "something-else"}
    )
    assert response.status_code == 200
    assert "パスワードが一致しません。" in response.text
    assert 'value="佐藤 一郎"' in response.text
    assert not User.objects.filter(email="sato.ichiro@yamasaki.example").exists()

    response = owner_client.post(
        path, {"action": "signup", "name": "佐藤 一郎", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:dashboard")
    user = User.objects.get(email="sato.ichiro@yamasaki.example")
    assert user.name == "佐藤 一郎"
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user).organisation == employer
    assert Membership.objects.get(user=user).role == "recruiter"
    dashboard = owner_client.get(reverse("employer:dashboard"))
    assert "株式会社山﨑製作所 に参加しました。" in dashboard.text

    # The link works once.
    owner_client.post(reverse("account_logout"))
    assert owner_client.get(path).status_code == 404
    # And the new colleague can log in with the password they chose.
    response = owner_client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_an_invitee_with_an_account_logs_in_and_accepts(client, owner, employer, django_capture_on_commit_callbacks):
    colleague = UserFactory(email="tanaka@yamasaki.example")
    client.force_login(owner)
    invite(client, django_capture_on_commit_callbacks, email=colleague.email, role="admin")
    path = invitation_path(mail.outbox[0])
    client.post(reverse("account_logout"))

    page = client.get(path)
    assert "ログインして参加する" in page.text
    login_url = f"{reverse('account_login')}?next={path}"
    assert f'href="{login_url}"' in page.text
    response = client.post(login_url, {"login": colleague.email, "password": "correct horse battery"})
    assert response["Location"] == path

    page = client.get(path)
    assert "招待を受けて参加する" in page.text
    assert Membership.objects.filter(user=colleague).count() == 0  # GET does not accept
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(user=colleague, organisation=employer).role == "admin"


def test_an_invitation_for_someone_else_cannot_be_accepted(client, owner, outsider, django_capture_on_commit_callbacks):
    client.force_login(owner)
    invite(client, django_capture_on_commit_callbacks, email="someone@yamasaki.example")
    path = invitation_path(mail.outbox[0])
    client.force_login(outsider)
    page = client.get(path)
    assert "招待されたアドレスでログインし直してください" in page.text
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 302
    assert "この招待は別のメールアドレス宛てです" in client.get(response["Location"]).text
    assert not Membership.objects.filter(user=outsider, organisation=owner.memberships.get().organisation).exists()

    response = client.post(reverse("employer:switch_account", args=[path.split("/")[-2]]))
    assert response["Location"] == path
    assert "アカウントを作成して参加する" in client.get(path).text


def test_unknown_and_expired_invitations_get_a_friendly_page(client, invitation):
    response = client.get(reverse("employer:accept_invitation", args=["no-such-token"]))
    assert response.status_code == 404
    assert "招待リンクが無効です" in response.text


def test_expired_invitation(client, owner, employer, django_capture_on_commit_callbacks):
    client.force_login(owner)
    invite(client, django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.post(reverse("account_logout"))
    assert client.get(invitation_path(mail.outbox[0])).status_code == 404


def test_revoking_an_invitation_kills_its_link(owner_client, django_capture_on_commit_callbacks):
    invite(owner_client, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    html = owner_client.get(reverse("employer:team")).text
    assert "sato.ichiro@yamasaki.example" in html
    response = owner_client.post(reverse("employer:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    assert Invitation.objects.get().revoked_at is not None
    assert "sato.ichiro@yamasaki.example への招待を取り消しました。" in owner_client.get(response["Location"]).text
    owner_client.post(reverse("account_logout"))
    assert owner_client.get(invitation_path(mail.outbox[0])).status_code == 404


def test_the_invitation_form_defaults_to_the_recruiter_role(owner_client, django_capture_on_commit_callbacks):
    form = owner_client.get(reverse("employer:team")).context["form"]
    assert form["role"].value() == "recruiter"
    assert form.fields["role"].choices[0][0] == "recruiter"
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("employer:team"), {"email": "new.colleague@yamasaki.example"})
    assert response.status_code == 302
    assert Invitation.objects.get().role == "recruiter"


def test_inviting_validates_in_japanese(owner_client, member):
    response = owner_client.post(reverse("employer:team"), {"email": "not-an-address", "role": "admin"})
    assert "メールアドレスの形式が正しくありません。" in response.text
    assert 'value="not-an-address"' in response.text
    response = owner_client.post(reverse("employer:team"), {"email": "", "role": "owner"})
    assert "招待する方のメールアドレスを入力してください。" in response.text
    assert "権限を選び直してください。" in response.text
    response = owner_client.post(reverse("employer:team"), {"email": "ＭＥＭＢＥＲ@yamasaki.example", "role": "admin"})
    assert "この方はすでにメンバーです。" in response.text
    assert Invitation.objects.count() == 0


def test_admin_changes_a_role(owner_client, member, member_membership):
    response = owner_client.post(reverse("employer:member_role", args=[member_membership.pk]), {"role": "admin"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=member_membership.pk).role == "admin"
    assert "権限を「管理者」に変更しました。" in owner_client.get(response["Location"]).text


def test_a_promoted_recruiter_can_manage_keys(member_client, member_membership):
    assert member_client.get(reverse("employer:api_keys")).status_code == 403
    Membership.objects.filter(pk=member_membership.pk).update(role="admin")
    assert member_client.get(reverse("employer:api_keys")).status_code == 200


def test_an_invalid_role_changes_nothing(owner_client, member_membership):
    owner_client.post(reverse("employer:member_role", args=[member_membership.pk]), {"role": "superuser"})
    assert Membership.objects.get(pk=member_membership.pk).role == "recruiter"


def test_admins_cannot_demote_or_remove_themselves(owner_client, owner, employer):
    mine = Membership.objects.get(user=owner)
    response = owner_client.post(reverse("employer:member_role", args=[mine.pk]), {"role": "recruiter"})
    assert "自分自身の権限は変更できません。" in owner_client.get(response["Location"]).text
    response = owner_client.post(reverse("employer:member_remove", args=[mine.pk]))
    assert "自分自身はチームから外せません。" in owner_client.get(response["Location"]).text
    assert Membership.objects.get(pk=mine.pk).role == "admin"


def test_admin_removes_a_member_who_then_loses_access(owner_client, client, member, member_membership):
    response = owner_client.post(reverse("employer:member_remove", args=[member_membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member_membership.pk).exists()
    client.force_login(member)
    assert "まだどの企業にも所属していません" in client.get(reverse("employer:dashboard")).text


def test_the_first_membership_is_the_workspace(client):
    user = UserFactory()
    first = MembershipFactory(user=user, organisation=EmployerFactory(name="株式会社いち"))
    MembershipFactory(user=user, organisation=EmployerFactory(name="株式会社に"))
    client.force_login(user)
    assert first.organisation.name in client.get(reverse("employer:dashboard")).text


def test_an_invitee_who_already_has_a_company_is_told_which_workspace_they_will_see(
    client, outsider, employer, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    invite(client, django_capture_on_commit_callbacks, email=outsider.email)
    client.force_login(outsider)
    page = client.get(invitation_path(mail.outbox[0]))
    assert "このアカウントはすでに株式会社よそに所属しています。" in page.text
    client.post(invitation_path(mail.outbox[0]), {"action": "accept"})
    assert Membership.objects.filter(user=outsider, organisation=employer).exists()
    assert "株式会社よそ" in client.get(reverse("employer:dashboard")).text
