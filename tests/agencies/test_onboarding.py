"""Becoming a partner agency: the licence number, signing up (pending), the operator's approval,
and create_agency for operators."""

import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from careerrelay.agencies.licence import normalize_licence_number, validate_licence_number
from careerrelay.agencies.models import AgencyProfile
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor
from careerrelay.organisations.models import ApiKey, Membership, Organisation
from careerrelay.outbox.models import OutboundEmail
from tests.factories import UserFactory
from tests.helpers.agencies import SIGNUP, bearer

pytestmark = pytest.mark.django_db


# --- Licence number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["13-ユ-123456", "１３－ユ－１２３４５６", "13ーユー123456", "13‐ﾕ‐123456", " 13 - ユ - 123456 ", "13−ユ−123456"],
)
def test_a_licence_number_typed_in_any_width_is_the_same_number(typed):
    assert normalize_licence_number(typed) == "13-ユ-123456"
    validate_licence_number(typed)


@pytest.mark.parametrize("typed", ["", "13-ユ-12345", "48-ユ-123456", "00-ユ-123456", "13-ハ-123456", "ユ-123456"])
def test_a_malformed_licence_number_is_refused_in_japanese(typed):
    with pytest.raises(ValidationError) as error:
        validate_licence_number(typed)
    assert error.value.messages == [
        "許可番号は「13-ユ-123456」の形式で入力してください(都道府県番号2桁・ユ・6桁の数字)。"
    ]


# --- Signing up ------------------------------------------------------------------------------


def test_signup_creates_a_pending_agency_with_a_normalised_licence(client):
    response = client.post(reverse("agency:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("agency:signup_done")
    profile = AgencyProfile.objects.select_related("organisation").get()
    assert profile.licence_number == "13-ユ-310001"
    assert profile.state == "pending"
    assert profile.organisation.kind == Organisation.Kind.AGENCY
    assert profile.organisation.name == "株式会社 ひかり人材"
    membership = Membership.objects.get(organisation=profile.organisation)
    assert (membership.user.email, membership.role) == ("admin@hikari.example", "admin")
    assert EmailAddress.objects.get(user=membership.user).verified is False
    assert OutboundEmail.objects.filter(to_email="admin@hikari.example").count() == 1


def test_signup_errors_are_in_japanese_and_keep_what_was_typed(client):
    response = client.post(reverse("agency:signup"), {**SIGNUP, "licence_number": "13-ユ-1", "password2": "other"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["licence_number"] == [
        "許可番号は「13-ユ-123456」の形式で入力してください(都道府県番号2桁・ユ・6桁の数字)。"
    ]
    assert errors["password2"] == ["パスワードが一致しません。"]
    assert 'value="東京都港区芝公園4-2-8"' in response.content.decode()
    assert AgencyProfile.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_signup_refuses_a_licence_number_already_registered(client, agency):
    response = client.post(reverse("agency:signup"), {**SIGNUP, "licence_number": "１３－ユ－３０００01"})
    assert response.status_code == 200
    assert "licence_number" in response.context["form"].errors
    assert AgencyProfile.objects.count() == 1


def test_a_signed_up_agency_waits_for_approval_after_logging_in(client):
    client.post(reverse("agency:signup"), SIGNUP)
    EmailAddress.objects.update(verified=True)
    client.force_login(Membership.objects.get().user)
    home = client.get(reverse("agency:home"))
    assert 'id="pending-notice"' in home.content.decode()
    assert client.get(reverse("agency:search")).status_code == 403


# --- The operator approves -------------------------------------------------------------------


def test_the_operator_approves_in_the_console_and_it_is_audited(client, pending_agency, pending_owner):
    staff = UserFactory(email="ops@careerrelay.example", is_staff=True, is_superuser=True)
    client.force_login(staff)
    profile = pending_agency.agency_profile
    response = client.post(
        reverse("admin:agencies_agencyprofile_changelist"), {"action": "approve", "_selected_action": [profile.pk]}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.state == "approved"
    assert profile.approved_by == staff
    assert profile.approved_at is not None
    event = AuditEvent.objects.get(action="staff_action", object_type="agency")
    assert (event.actor_user, event.organisation, event.detail["operation"]) == (
        staff,
        pending_agency,
        "approve_agency",
    )
    client.force_login(pending_owner)
    assert client.get(reverse("agency:search")).status_code == 200


def test_approving_twice_records_one_event(client, agency):
    from careerrelay.agencies.services import approve_agency

    assert approve_agency(organisation=agency, actor=Actor.system()) is False
    assert AuditEvent.objects.filter(detail__operation="approve_agency").count() == 1  # from the fixture


# --- create_agency ---------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("create_agency", *args, stdout=out)
    return out.getvalue()


def test_create_agency_json_gives_a_working_agency_key(client, candidate):
    out = run(
        "株式会社みなと人材", "--licence", "１４－ユ－５５５５５５", "--admin-email", "Boss@Minato.example", "--json"
    )
    result = json.loads(out)
    organisation = Organisation.objects.get(pk=result["organisation_id"])
    assert organisation.kind == Organisation.Kind.AGENCY
    assert organisation.agency_profile.state == "approved"
    assert organisation.agency_profile.licence_number == "14-ユ-555555"
    assert result["admin_email"] == "boss@minato.example"
    assert result["set_password_url"].startswith("http://testserver/accounts/password/reset/key/")
    assert ApiKey.objects.get(organisation=organisation).prefix in result["api_key"]
    response = client.get("/api/v1/agency/search", {"q": "Java"}, **bearer(result["api_key"]))
    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_create_agency_prints_the_key_in_text(db):
    out = run("株式会社みなと人材", "--licence", "14-ユ-555556", "--admin-email", "boss2@minato.example")
    assert "API key:    cr_" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--licence", "14-ユ-12", "--admin-email", "a@b.example"], "Not a valid licence number"),
        (["X", "--licence", "13-ユ-300001", "--admin-email", "a@b.example"], "exists already"),
        (["X", "--licence", "14-ユ-555557", "--admin-email", "owner@mirai.example"], "already belongs to"),
        (["", "--licence", "14-ユ-555557", "--admin-email", "a@b.example"], "must not be empty"),
    ],
)
def test_create_agency_refuses_bad_input(agency, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Organisation.objects.count() == 1


def test_signups_from_one_address_are_limited_with_the_japanese_429_page(client):
    for n in range(3):
        client.post(reverse("agency:signup"), {**SIGNUP, "licence_number": f"13-ユ-31000{n}", "password2": "x"})
    response = client.post(reverse("agency:signup"), SIGNUP)
    assert response.status_code == 429
    assert "しばらくお待ちください" in response.content.decode()
    assert AgencyProfile.objects.count() == 0
