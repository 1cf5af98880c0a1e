"""Lever's candidateArchiveChange webhook, and the opportunity fetched from a real local HTTP server
that answers as Lever's API documents."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from careerrelay.integrations.vendors import lever
from careerrelay.integrations.vendors.base import PayloadError, Person, Rejection, SignatureError
from tests.helpers.ats_payloads import (
    lever_api,
    lever_archive_change,
    lever_archive_reason,
    lever_event,
    lever_opportunity,
    lever_posting,
    lever_stage_change,
    sign_lever,
)

SIGNATURE_TOKEN = "lever-webhook-signature-token"
OPPORTUNITY = "250d8f03-738a-4bba-a671-8a3d73477145"
REASON = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42"
POSTING = "f2f01e16-27f8-4711-a728-7d49499795a0"
NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def signed(**kwargs) -> bytes:
    return sign_lever(SIGNATURE_TOKEN, lever_archive_change(triggered_at=NOW_MS, **kwargs))


# Signature ------------------------------------------------------------------------------------


def test_a_signed_delivery_verifies():
    lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=signed(), now=NOW)


def test_a_delivery_signed_just_now_verifies_without_a_given_clock():
    body = sign_lever(SIGNATURE_TOKEN, lever_archive_change())

    lever.verify(secret=SIGNATURE_TOKEN, headers={"Content-Type": "application/json"}, body=body)


def test_a_signature_with_another_token_is_refused():
    body = sign_lever("another-token", lever_archive_change(triggered_at=NOW_MS))

    with pytest.raises(SignatureError):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=body, now=NOW)


@pytest.mark.parametrize("missing", ["signature", "token", "triggeredAt"])
def test_a_delivery_without_its_signature_fields_is_refused(missing):
    payload = json.loads(signed())
    del payload[missing]

    with pytest.raises(SignatureError):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=json.dumps(payload).encode(), now=NOW)


def test_an_unsigned_delivery_is_refused():
    with pytest.raises(SignatureError):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=lever_archive_change(triggered_at=NOW_MS), now=NOW)


def test_a_body_that_is_not_json_is_refused_as_unsigned():
    with pytest.raises(SignatureError):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=b"token=x&signature=y", now=NOW)


def test_a_tampered_triggered_at_is_refused():
    payload = json.loads(signed())
    payload["triggeredAt"] += 1

    with pytest.raises(SignatureError):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=json.dumps(payload).encode(), now=NOW)


def test_a_signature_older_than_the_replay_window_is_refused():
    old = int((NOW - lever.REPLAY_WINDOW - timedelta(minutes=1)).timestamp() * 1000)
    body = sign_lever(SIGNATURE_TOKEN, lever_archive_change(triggered_at=old))

    with pytest.raises(SignatureError, match="window"):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=body, now=NOW)


def test_a_signature_from_the_future_is_refused():
    future = int((NOW + timedelta(hours=1)).timestamp() * 1000)
    body = sign_lever(SIGNATURE_TOKEN, lever_archive_change(triggered_at=future))

    with pytest.raises(SignatureError):
        lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=body, now=NOW)


def test_a_retry_within_the_window_verifies():
    body = signed()

    lever.verify(secret=SIGNATURE_TOKEN, headers={}, body=body, now=NOW + timedelta(days=2))


# Parsing --------------------------------------------------------------------------------------


def test_an_archive_names_the_opportunity_to_fetch_and_nothing_about_the_person():
    parsed = lever.parse(signed())

    assert parsed.kind == "rejection"
    assert parsed.fetch_opportunities == (OPPORTUNITY,)
    assert parsed.rejections == ()
    assert parsed.event_id == "3ed6ffd1-1fdb-4b1c-9c1b-02e1bc9e5e21"  # Lever's own event id


def test_without_an_event_id_the_body_digest_is_used():
    payload = json.loads(signed())
    del payload["id"]
    body = json.dumps(payload).encode()

    assert lever.parse(body).event_id == lever.parse(body).event_id
    assert len(lever.parse(body).event_id) == 64


def test_an_unarchive_is_ignored():
    parsed = lever.parse(signed(archived=False))

    assert parsed.kind == "ignored"
    assert parsed.fetch_opportunities == ()


def test_a_stage_change_is_ignored():
    parsed = lever.parse(sign_lever(SIGNATURE_TOKEN, lever_stage_change(triggered_at=NOW_MS)))

    assert parsed.kind == "ignored"
    assert parsed.ignored_because == "stage change that is not an archive"


def test_other_events_are_ignored():
    body = sign_lever(SIGNATURE_TOKEN, lever_event("candidateHired", {"opportunityId": OPPORTUNITY}))

    assert lever.parse(body).kind == "ignored"


def test_an_archive_without_an_opportunity_id_is_a_payload_error():
    with pytest.raises(PayloadError):
        lever.parse(signed(opportunity_id=""))


@pytest.mark.parametrize("body", [b"", b"{", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_payload_error(body):
    with pytest.raises(PayloadError):
        lever.parse(body)


# Fetching the opportunity from Lever's API ----------------------------------------------------


def routes(opportunity=None, reason=None, posting=None):
    return {
        f"/v1/opportunities/{OPPORTUNITY}": (200, opportunity or lever_opportunity()),
        f"/v1/archive_reasons/{REASON}": (200, reason or lever_archive_reason()),
        f"/v1/postings/{POSTING}": (200, posting or lever_posting()),
    }


def fetch(server, api_key="lever-key"):
    return lever.fetch_rejection(api_key=api_key, opportunity_id=OPPORTUNITY, base_url=server["base_url"])


def test_an_archived_opportunity_is_read_with_its_reason_text_and_posting():
    with lever_api(routes()) as server:
        rejection = fetch(server)

    assert rejection == Rejection(
        person=Person(
            ats_id="8c8d0c1e-2f5a-4c77-a0b8-2c5a5d1f6e01",
            email="shane@example.com",
            family_name="Smith",
            given_name="Shane",
            phone="(123) 456-7891",
        ),
        application_id=OPPORTUNITY,
        job_title="Office Manager",
        stage="Phone screen",
        rejected_at=date(2017, 2, 4),  # 1486154856534 ms is 2017-02-03 20:47 UTC, 05:47 in Tokyo
        reason="Underqualified",
        reason_type="non-hired",
        occurred_at=datetime(2017, 2, 3, 20, 47, 36, 534000, tzinfo=UTC),
    )
    paths = [path for path, _, _ in server["requests"]]
    assert paths == [f"/v1/opportunities/{OPPORTUNITY}", f"/v1/archive_reasons/{REASON}", f"/v1/postings/{POSTING}"]
    assert server["requests"][0][1] == "expand=stage"


def test_the_api_key_is_sent_as_the_basic_auth_user_with_an_empty_password():
    with lever_api(routes(), api_key="k3y") as server:
        fetch(server, api_key="k3y")

    assert server["requests"][0][2] == "Basic azN5Og=="  # base64("k3y:")


def test_an_opportunity_that_is_not_archived_is_none():
    with lever_api(routes(opportunity=lever_opportunity(archived_at=None))) as server:
        assert fetch(server) is None


def test_an_opportunity_archived_as_hired_is_none():
    with lever_api(routes(reason=lever_archive_reason(text="Hired", kind="hired"))) as server:
        assert fetch(server) is None


def test_an_inline_archive_reason_needs_no_second_request():
    opportunity = lever_opportunity(archived_reason={"id": REASON, "text": "辞退（他社内定）", "type": "non-hired"})

    with lever_api(routes(opportunity=opportunity)) as server:
        assert fetch(server).reason == "辞退（他社内定）"
    assert f"/v1/archive_reasons/{REASON}" not in [path for path, _, _ in server["requests"]]


def test_an_unknown_archive_reason_leaves_the_reason_empty():
    opportunity = lever_opportunity(archived_reason="0000-unknown")

    with lever_api(routes(opportunity=opportunity)) as server:
        assert fetch(server).reason == ""


def test_of_several_emails_the_first_is_chosen_cleaned():
    opportunity = lever_opportunity(emails=["", " Shane.Smith@Example.COM", "shane@work.example.com"])

    with lever_api(routes(opportunity=opportunity)) as server:
        assert fetch(server).person.email == "shane.smith@example.com"


def test_an_opportunity_without_email_phone_or_posting_is_read_without_them():
    opportunity = lever_opportunity(emails=[], phones=[], posting_id=None)

    with lever_api(routes(opportunity=opportunity)) as server:
        rejection = fetch(server)
    assert (rejection.person.email, rejection.person.phone, rejection.job_title) == ("", "", "")


def test_a_japanese_name_is_split_family_first():
    opportunity = lever_opportunity(name="髙橋\u3000一郎")

    with lever_api(routes(opportunity=opportunity)) as server:
        person = fetch(server).person
    assert (person.family_name, person.given_name) == ("髙橋", "一郎")


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(404, False), (401, False), (403, False), (429, True), (500, True), (503, True)],
)
def test_api_errors_are_fetch_errors_saying_whether_to_retry(status, retryable):
    answer = {"code": "Error", "message": "documented error shape"}
    with lever_api({f"/v1/opportunities/{OPPORTUNITY}": (status, answer)}) as server:
        with pytest.raises(lever.FetchError) as raised:
            fetch(server)

    assert raised.value.retryable is retryable


def test_a_wrong_api_key_is_a_fetch_error_that_is_not_retried():
    with lever_api(routes(), api_key="right") as server:
        with pytest.raises(lever.FetchError, match="401") as raised:
            fetch(server, api_key="wrong")

    assert raised.value.status == 401
    assert raised.value.retryable is False


def test_a_failing_archive_reason_lookup_is_a_fetch_error():
    failing = routes()
    failing[f"/v1/archive_reasons/{REASON}"] = (500, {"code": "InternalError"})

    with lever_api(failing) as server:
        with pytest.raises(lever.FetchError):
            fetch(server)


def test_an_answer_that_is_not_json_is_a_fetch_error():
    with lever_api({f"/v1/opportunities/{OPPORTUNITY}": (200, b"<html>maintenance</html>")}) as server:
        with pytest.raises(lever.FetchError):
            fetch(server)


def test_an_unreachable_api_is_a_retryable_fetch_error():
    with lever_api({}) as server:
        base_url = server["base_url"]
    # The server is shut down: nothing listens on its port any more.
    with pytest.raises(lever.FetchError) as raised:
        lever.fetch_rejection(api_key="lever-key", opportunity_id=OPPORTUNITY, base_url=base_url)

    assert raised.value.retryable is True


def test_the_module_follows_the_adapter_contract():
    assert lever.KIND == "lever"
    assert lever.PRODUCTION_API_URL == "https://api.lever.co/v1"
