"""The mail providers' tracking webhooks answered with bodies no provider sends: a 400 (or the
403 of a failed check), never a 500 — Amazon SES's parser runs before the basic-auth check, so
before this anyone on the internet could make that endpoint fail."""

import base64

import pytest

pytestmark = pytest.mark.django_db
SECRET = "careerrelay:s3cret-hook"
RIGHT = "Basic " + base64.b64encode(SECRET.encode()).decode()
WRONG = "Basic " + base64.b64encode(b"someone:guessing").decode()


@pytest.fixture
def basic_auth_configured(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


@pytest.mark.parametrize("body", ["not json", "[]", "null", '"x"', '{"Type": "Notification"}'])
def test_amazon_ses_answers_a_stranger_without_a_server_error(client, basic_auth_configured, body):
    client.raise_request_exception = False
    response = client.post(
        "/hooks/mail/amazon_ses/tracking/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=WRONG,
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
    )
    assert response.status_code in (400, 403)


@pytest.mark.parametrize("provider", ["postmark", "brevo", "amazon_ses"])
@pytest.mark.parametrize("body", ["not json", "[]", "null", '"x"', "[1]"])
def test_a_malformed_body_with_the_right_credentials_is_a_400(client, basic_auth_configured, provider, body):
    client.raise_request_exception = False
    response = client.post(
        f"/hooks/mail/{provider}/tracking/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=RIGHT,
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
    )
    assert response.status_code == 400


def test_sendgrid_needs_a_list_of_events(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    client.raise_request_exception = False
    for body in ('{"event": "bounce"}', "[1]", "nope"):
        response = client.post(
            "/hooks/mail/sendgrid/tracking/", data=body, content_type="application/json", HTTP_AUTHORIZATION=RIGHT
        )
        assert response.status_code == 400
