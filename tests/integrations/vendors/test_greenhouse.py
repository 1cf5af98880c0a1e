"""Greenhouse's "Candidate or Prospect rejected" web hook and its ping, from the documented schema."""

import json
from datetime import UTC, date, datetime

import pytest

from careerrelay.integrations.vendors import greenhouse
from careerrelay.integrations.vendors.base import Parsed, PayloadError, Person, Rejection, SignatureError
from tests.helpers.ats_payloads import greenhouse_event, greenhouse_ping, greenhouse_rejection, sign_greenhouse

SECRET = "greenhouse-secret-key"


def test_it_reads_the_documented_rejection():
    parsed = greenhouse.parse(greenhouse_rejection())

    assert parsed.kind == "rejection"
    assert parsed.rejections == (
        Rejection(
            person=Person(
                ats_id="265788",
                email="hector.porter.265788@example.com",
                family_name="Porter",
                given_name="Hector",
                phone="330-281-8004",
            ),
            application_id="265293",
            job_title="Designer",
            stage="Offer",
            rejected_at=date(2015, 2, 12),  # 15:50 UTC is past midnight in Tokyo
            reason="Too Junior",
            reason_type="Wrong skill set",
            occurred_at=datetime(2015, 2, 11, 15, 50, 41, tzinfo=UTC),
        ),
    )


def test_a_candidate_who_may_not_be_emailed_is_marked():
    assert greenhouse.parse(greenhouse_rejection(can_email=False)).extra == {"can_email": "false"}
    assert greenhouse.parse(greenhouse_rejection()).extra == {}


def test_a_signed_delivery_verifies():
    body = greenhouse_rejection()

    greenhouse.verify(secret=SECRET, headers=sign_greenhouse(SECRET, body), body=body)


def test_header_names_are_matched_whatever_their_case():
    body = greenhouse_rejection()
    headers = {"signature": sign_greenhouse(SECRET, body)["Signature"]}

    greenhouse.verify(secret=SECRET, headers=headers, body=body)


def test_a_signature_with_another_secret_is_refused():
    body = greenhouse_rejection()

    with pytest.raises(SignatureError):
        greenhouse.verify(secret=SECRET, headers=sign_greenhouse("another-secret", body), body=body)


def test_a_delivery_without_the_signature_header_is_refused():
    body = greenhouse_rejection()

    with pytest.raises(SignatureError):
        greenhouse.verify(secret=SECRET, headers={"Content-Type": "application/json"}, body=body)


def test_a_tampered_body_is_refused():
    body = greenhouse_rejection()
    headers = sign_greenhouse(SECRET, body)
    tampered = body.replace(b"hector.porter.265788@example.com", b"attacker@example.com")

    with pytest.raises(SignatureError):
        greenhouse.verify(secret=SECRET, headers=headers, body=tampered)


@pytest.mark.parametrize(
    "value",
    ["", "sha256", "sha1 {hex}", "{hex}", "sha256 not-hex-ü", "sha256 {hex}00"],
)
def test_malformed_signature_headers_are_refused(value):
    body = greenhouse_rejection()
    good = sign_greenhouse(SECRET, body)["Signature"].split(" ")[1]

    with pytest.raises(SignatureError):
        greenhouse.verify(secret=SECRET, headers={"Signature": value.format(hex=good)}, body=body)


def test_an_empty_secret_never_verifies():
    body = greenhouse_rejection()

    with pytest.raises(SignatureError):
        greenhouse.verify(secret="", headers=sign_greenhouse("", body), body=body)


def test_the_ping_is_answered():
    body = greenhouse_ping()
    greenhouse.verify(secret=SECRET, headers=sign_greenhouse(SECRET, body), body=body)

    assert greenhouse.parse(body).kind == "ping"


@pytest.mark.parametrize("action", ["new_candidate_application", "unreject_candidate", "hire_candidate"])
def test_other_actions_are_ignored(action):
    parsed = greenhouse.parse(greenhouse_event(action, {"application": {"id": 1}}))

    assert parsed.kind == "ignored"
    assert action in parsed.ignored_because
    assert parsed.rejections == ()


def test_the_same_body_has_the_same_event_id_and_another_body_another():
    first = greenhouse.parse(greenhouse_rejection())
    again = greenhouse.parse(greenhouse_rejection())
    other = greenhouse.parse(greenhouse_rejection(application_id=1))

    assert first.event_id == again.event_id
    assert first.event_id != other.event_id


def test_an_unknown_reason_is_passed_on_verbatim():
    parsed = greenhouse.parse(greenhouse_rejection(reason="社内で再検討（ポジションクローズ）", reason_type="Other"))

    assert parsed.rejections[0].reason == "社内で再検討（ポジションクローズ）"
    assert parsed.rejections[0].reason_type == "Other"


def test_a_rejection_without_reason_stage_or_jobs_is_still_a_rejection():
    parsed = greenhouse.parse(greenhouse_rejection(reason=None, stage=None, job_names=[], phones=[]))

    rejection = parsed.rejections[0]
    assert (rejection.reason, rejection.reason_type, rejection.stage, rejection.job_title) == ("", "", "", "")
    assert rejection.person.phone == ""


def test_a_rejection_without_email_is_read_without_one():
    parsed = greenhouse.parse(greenhouse_rejection(emails=[]))

    assert parsed.kind == "rejection"
    assert parsed.rejections[0].person.email == ""


def test_of_several_emails_the_personal_one_is_chosen_cleaned():
    body = greenhouse_rejection(
        emails=[("hector@work.example.com", "work"), ("  Hector.Porter@Example.COM ", "personal"), ("x@y.jp", "other")]
    )

    assert greenhouse.parse(body).rejections[0].person.email == "hector.porter@example.com"


def test_without_a_personal_email_the_first_is_chosen():
    body = greenhouse_rejection(emails=[("", "personal"), ("Hector@Work.example.com", "work"), ("x@y.jp", "other")])

    assert greenhouse.parse(body).rejections[0].person.email == "hector@work.example.com"


def test_a_mobile_number_is_preferred():
    body = greenhouse_rejection(phones=[("03-1234-5678", "work"), ("090-1234-5678", "mobile")])

    assert greenhouse.parse(body).rejections[0].person.phone == "090-1234-5678"


def test_japanese_names_keep_their_characters_and_order():
    body = greenhouse_rejection(
        first_name="\u3000花子 ", last_name="山﨑", emails=[("ＨＡＮＡＫＯ＠ＥＸＡＭＰＬＥ．ＪＰ", "personal")]
    )

    person = greenhouse.parse(body).rejections[0].person
    assert (person.family_name, person.given_name) == ("山﨑", "花子")
    assert person.email == "hanako@example.jp"


def test_a_whole_name_typed_into_the_last_name_field_is_split():
    person = greenhouse.parse(greenhouse_rejection(first_name="", last_name="山﨑　花子")).rejections[0].person

    assert (person.family_name, person.given_name) == ("山﨑", "花子")


def test_greenhouse_escaped_unicode_is_read_and_verified_as_sent():
    body = greenhouse_rejection(first_name="一郎", last_name="髙橋")
    assert b"\\u9ad9" in body  # 髙 escaped, as Greenhouse signs it

    greenhouse.verify(secret=SECRET, headers=sign_greenhouse(SECRET, body), body=body)
    person = greenhouse.parse(body).rejections[0].person
    assert (person.family_name, person.given_name) == ("髙橋", "一郎")


def test_a_prospect_rejected_for_several_jobs_names_them_all():
    body = greenhouse_rejection(prospect=True, job_names=["Designer", "Engineer"])

    assert greenhouse.parse(body).rejections[0].job_title == "Designer / Engineer"


def test_out_of_order_deliveries_carry_their_own_times():
    later = greenhouse.parse(greenhouse_rejection(rejected_at="2026-12-03T09:00:00+09:00"))
    earlier = greenhouse.parse(greenhouse_rejection(rejected_at="2026-12-02T23:30:00Z"))

    assert earlier.rejections[0].occurred_at < later.rejections[0].occurred_at
    assert earlier.rejections[0].rejected_at == later.rejections[0].rejected_at == date(2026, 12, 3)


def test_a_missing_rejected_at_falls_back_to_the_last_activity_or_none():
    payload = json.loads(greenhouse_rejection())
    payload["payload"]["application"]["rejected_at"] = None
    payload["payload"]["application"]["last_activity_at"] = None

    rejection = greenhouse.parse(json.dumps(payload).encode()).rejections[0]
    assert (rejection.rejected_at, rejection.occurred_at) == (None, None)


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_payload_error(body):
    with pytest.raises(PayloadError):
        greenhouse.parse(body)


def test_a_rejection_without_ids_is_a_payload_error():
    payload = json.loads(greenhouse_rejection())
    del payload["payload"]["application"]["candidate"]["id"]

    with pytest.raises(PayloadError, match=r"candidate\.id"):
        greenhouse.parse(json.dumps(payload).encode())


def test_the_module_follows_the_adapter_contract():
    assert greenhouse.KIND == "greenhouse"
    assert isinstance(greenhouse.parse(greenhouse_ping()), Parsed)
