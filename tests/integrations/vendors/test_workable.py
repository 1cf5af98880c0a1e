"""Workable's candidate_moved subscription event for a disqualified candidate, from the documented schema."""

import json
from datetime import UTC, date, datetime

import pytest

from careerrelay.integrations.vendors import workable
from careerrelay.integrations.vendors.base import PayloadError, Person, Rejection, SignatureError
from tests.helpers.ats_payloads import sign_workable, workable_candidate_moved

TOKEN = "workable-api-access-token"


def test_it_reads_a_disqualified_candidate():
    parsed = workable.parse(workable_candidate_moved())

    assert parsed.kind == "rejection"
    assert parsed.rejections == (
        Rejection(
            person=Person(
                ats_id="ce4da98",
                email="lakita.marrero@example.com",
                family_name="Marrero",
                given_name="Lakita",
                phone="+1 (555) 123-4567",
            ),
            application_id="ce4da98",
            job_title="Sales Intern",
            stage="Interview",
            rejected_at=date(2026, 12, 4),  # 16:30 UTC is 01:30 the next day in Tokyo
            reason="Doesn’t have required experience",
            occurred_at=datetime(2026, 12, 3, 16, 30, tzinfo=UTC),
        ),
    )
    assert parsed.extra == {"job_shortcode": "GROOV005"}


def test_a_signed_delivery_verifies():
    body = workable_candidate_moved()

    workable.verify(secret=TOKEN, headers=sign_workable(TOKEN, body), body=body)


def test_header_names_are_matched_whatever_their_case():
    body = workable_candidate_moved()

    workable.verify(
        secret=TOKEN, headers={"x-workable-signature": sign_workable(TOKEN, body)["X-Workable-Signature"]}, body=body
    )


def test_a_signature_with_another_token_is_refused():
    body = workable_candidate_moved()

    with pytest.raises(SignatureError):
        workable.verify(secret=TOKEN, headers=sign_workable("another-token", body), body=body)


def test_a_delivery_without_the_signature_header_is_refused():
    with pytest.raises(SignatureError):
        workable.verify(secret=TOKEN, headers={}, body=workable_candidate_moved())


def test_a_tampered_body_is_refused():
    body = workable_candidate_moved()
    headers = sign_workable(TOKEN, body)

    with pytest.raises(SignatureError):
        workable.verify(secret=TOKEN, headers=headers, body=body.replace(b"true", b"false"))


def test_a_move_that_is_not_a_disqualification_is_ignored():
    parsed = workable.parse(workable_candidate_moved(disqualified=False))

    assert parsed.kind == "ignored"
    assert parsed.ignored_because == "candidate moved, not disqualified"


def test_other_events_are_ignored():
    body = json.dumps({"event_type": "employee_created", "data": {"id": "e1"}}).encode()

    assert workable.parse(body).kind == "ignored"


def test_a_candidate_disqualified_on_creation_is_a_rejection():
    parsed = workable.parse(workable_candidate_moved(event_type="candidate_created", stage="Applied"))

    assert parsed.kind == "rejection"


def test_a_retry_that_reflects_a_later_state_has_the_same_event_id():
    # Workable sends the candidate as it is when it sends, so a retry may differ in other fields.
    first = workable.parse(workable_candidate_moved(updated_at="2026-12-03T16:30:05Z"))
    retry = workable.parse(workable_candidate_moved(updated_at="2026-12-03T17:31:00Z", stage="Offer"))
    another = workable.parse(workable_candidate_moved(disqualified_at="2026-12-05T01:00:00Z"))

    assert first.event_id == retry.event_id
    assert first.event_id != another.event_id


def test_an_unknown_or_missing_reason_is_passed_on_verbatim():
    assert (
        workable.parse(workable_candidate_moved(disqualification_reason="他社内定")).rejections[0].reason == "他社内定"
    )
    assert workable.parse(workable_candidate_moved(disqualification_reason=None)).rejections[0].reason == ""


def test_a_candidate_without_email_or_phone_is_read_without_them():
    person = workable.parse(workable_candidate_moved(email=None, phone=None)).rejections[0].person

    assert (person.email, person.phone) == ("", "")


def test_the_email_is_cleaned():
    person = workable.parse(workable_candidate_moved(email=" Lakita.Marrero@EXAMPLE.com\n")).rejections[0].person

    assert person.email == "lakita.marrero@example.com"


def test_japanese_names_keep_their_characters():
    person = workable.parse(workable_candidate_moved(firstname="一郎", lastname="髙橋")).rejections[0].person

    assert (person.family_name, person.given_name) == ("髙橋", "一郎")


def test_without_first_and_last_names_the_full_name_is_split():
    body = workable_candidate_moved(firstname=None, lastname=None, name="山﨑\u3000花子")

    person = workable.parse(body).rejections[0].person
    assert (person.family_name, person.given_name) == ("山﨑", "花子")


def test_without_disqualified_at_the_update_time_is_used():
    rejection = workable.parse(workable_candidate_moved(disqualified_at=None)).rejections[0]

    assert rejection.occurred_at == datetime(2026, 12, 3, 16, 30, 5, tzinfo=UTC)


def test_out_of_order_deliveries_carry_their_own_times():
    later = workable.parse(workable_candidate_moved(candidate_id="a", disqualified_at="2026-12-03T10:00:00+09:00"))
    earlier = workable.parse(workable_candidate_moved(candidate_id="b", disqualified_at="2026-12-03T00:59:00Z"))

    assert earlier.rejections[0].occurred_at < later.rejections[0].occurred_at
    assert later.rejections[0].rejected_at == earlier.rejections[0].rejected_at == date(2026, 12, 3)


@pytest.mark.parametrize("body", [b"", b"<html>", b"null"])
def test_a_body_that_is_not_a_json_object_is_a_payload_error(body):
    with pytest.raises(PayloadError):
        workable.parse(body)


def test_a_candidate_without_an_id_is_a_payload_error():
    payload = json.loads(workable_candidate_moved())
    del payload["data"]["id"]

    with pytest.raises(PayloadError):
        workable.parse(json.dumps(payload).encode())


def test_the_module_follows_the_adapter_contract():
    assert workable.KIND == "workable"
