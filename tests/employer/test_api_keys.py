import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from careerrelay.common.tokens import hash_token
from careerrelay.organisations.models import ApiKey
from careerrelay.organisations.services import authenticate_api_key

pytestmark = pytest.mark.django_db


SECRET_RE = r'id="new-secret" class="secret" type="text" readonly value="([^"]+)"'


def create_key(client, name):
    """POST, then the redirect: the page that shows the new key once."""
    response = client.post(reverse("employer:api_keys"), {"name": name})
    assert response.status_code == 302
    assert response["Location"] == reverse("employer:api_keys")
    return client.get(response["Location"])


def test_a_new_key_is_shown_once_and_stored_hashed(owner_client, employer, owner):
    response = create_key(owner_client, "自社ATS連携")
    assert response.status_code == 200
    secret = re.search(r'<input id="new-secret" class="secret" type="text" readonly value="([^"]+)">', response.text)
    secret = secret.group(1)
    assert secret.startswith("cr_")
    assert "このキーが表示されるのは今だけです。" in response.text
    assert response["Cache-Control"].startswith("max-age=0")

    key = ApiKey.objects.get(organisation=employer)
    assert key.name == "自社ATS連携"
    assert key.created_by == owner
    assert key.key_hash == hash_token(secret)
    assert secret not in str(list(ApiKey.objects.values_list()))
    assert authenticate_api_key(secret) == key

    again = owner_client.get(reverse("employer:api_keys")).text
    assert secret not in again
    assert "自社ATS連携" in again
    assert f"cr_{key.prefix}_…" in again
    assert secret not in str(dict(owner_client.session))


def test_the_new_secret_crosses_the_redirect_outside_the_session_table(owner_client):
    created = owner_client.post(reverse("employer:api_keys"), {"name": "自社ATS連携"})
    assert created.status_code == 302
    # Between the POST and the page that shows it, the secret is in no server-side row.
    assert not any("cr_" in row for row in Session.objects.values_list("session_data", flat=True))
    cookie = created.cookies["new_api_key"]
    assert cookie["httponly"] and cookie["path"] == reverse("employer:api_keys")
    shown = owner_client.get(created["Location"])
    secret = re.search(r'id="new-secret" class="secret" type="text" readonly value="([^"]+)"', shown.text).group(1)
    assert shown.cookies["new_api_key"].value == ""  # the page deletes the cookie as it shows the key
    assert secret not in owner_client.get(created["Location"]).text


def test_reloading_after_creating_a_key_does_not_create_a_second_one(owner_client, employer):
    create_key(owner_client, "自社ATS連携")
    reloaded = owner_client.get(reverse("employer:api_keys"))
    assert reloaded.status_code == 200
    assert ApiKey.objects.filter(organisation=employer).count() == 1


def test_the_key_page_links_the_api_docs(owner_client, client):
    page = owner_client.get(reverse("employer:api_keys")).text
    assert 'href="/api/v1/docs"' in page
    assert 'href="/api/v1/openapi.json"' in page
    assert client.get("/api/v1/docs").status_code == 200


def test_the_key_works_with_the_api(owner_client, client):
    secret = re.search(SECRET_RE, create_key(owner_client, "API確認").text).group(1)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["name"] == "株式会社山﨑製作所"


def test_a_key_needs_a_name(owner_client, employer):
    response = owner_client.post(reverse("employer:api_keys"), {"name": " "})
    assert response.status_code == 200
    assert "名前を入力してください。" in response.text
    assert 'id="new-secret"' not in response.text
    assert ApiKey.objects.count() == 0


def test_revoking_a_key_stops_it_working(owner_client, api_key, client):
    secret = re.search(SECRET_RE, create_key(owner_client, "失効テスト").text).group(1)
    key = ApiKey.objects.get(name="失効テスト")

    response = owner_client.post(reverse("employer:api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None
    assert "APIキー「失効テスト」を無効にしました。" in owner_client.get(response["Location"]).text
    assert authenticate_api_key(secret) is None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
