import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.organisations.services import create_api_key
from careerrelay.rejections.services import create_template
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def secret(employer, owner):
    return create_api_key(organisation=employer, name="ATS", actor=Actor.for_user(owner, ActorKind.EMPLOYER))[1]


def test_it_lists_presets_and_the_companys_own_templates(client, employer, secret):
    own = create_template(
        organisation=employer, name="自社テンプレート", language="en", subject="s", body="{{relay_link}}"
    )
    other = EmployerFactory(name="株式会社よそ")
    create_template(organisation=other, name="よそのテンプレート", language="ja", subject="s", body="x")

    response = client.get("/api/v1/templates", **bearer(secret))

    assert response.status_code == 200
    body = response.json()
    names = [t["name"] for t in body]
    assert "よそのテンプレート" not in names
    mine = next(t for t in body if t["id"] == own.pk)
    assert {k: mine[k] for k in ("name", "language", "preset", "subject", "body")} == {
        "name": "自社テンプレート",
        "language": "en",
        "preset": False,
        "subject": "s",
        "body": "{{relay_link}}",
    }
    assert "body_html" not in mine
    presets = [t for t in body if t["preset"]]
    assert {t["name"] for t in presets} == {
        "中途採用・丁寧",
        "温かみのある",
        "新卒",
        "English (standard)",
        "再チャレンジ案内（6ヶ月後）",
        "再チャレンジ案内（1年後）",
        "Re-application invitation (6 months, English)",
        "Re-application invitation (1 year, English)",
    }
    assert {t["language"] for t in presets} == {"ja", "en"}


def test_it_needs_a_key(client):
    assert client.get("/api/v1/templates").status_code == 401
    assert client.get("/api/v1/templates", **bearer("cr_nope_nope")).status_code == 401


def test_it_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/templates" in schema["paths"]
