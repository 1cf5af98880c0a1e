import re

import pytest
from django.urls import reverse

from careerrelay.common.tokens import hash_token
from careerrelay.organisations.models import ApiKey
from careerrelay.organisations.services import authenticate_api_key

pytestmark = pytest.mark.django_db


def test_a_new_key_is_shown_once_and_stored_hashed(owner_client, employer, owner):
    response = owner_client.post(reverse("employer:api_keys"), {"name": "自社ATS連携"})
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


def test_the_key_works_with_the_api(owner_client, client):
    response = owner_client.post(reverse("employer:api_keys"), {"name": "API確認"})
    secret = re.search(r'id="new-secret" class="secret" type="text" readonly value="([^"]+)"', response.text).group(1)
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
    response = owner_client.post(reverse("employer:api_keys"), {"name": "失効テスト"})
    secret = re.search(r'id="new-secret" class="secret" type="text" readonly value="([^"]+)"', response.text).group(1)
    key = ApiKey.objects.get(name="失効テスト")

    response = owner_client.post(reverse("employer:api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None
    assert "APIキー「失効テスト」を無効にしました。" in owner_client.get(response["Location"]).text
    assert authenticate_api_key(secret) is None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
