"""The generic adapter on its own: our documented JSON and its signature (docs/integrations/generic.md)."""

import hashlib
import hmac
import json
from datetime import date

import pytest

from careerrelay.integrations.adapters import adapter_for
from careerrelay.integrations.vendors import generic
from careerrelay.integrations.vendors.base import PayloadError, SignatureError
from tests.helpers.generic_ats import rejection


def _body(payload):
    return json.dumps(payload, ensure_ascii=False).encode()


def test_it_is_loaded_by_kind():
    assert adapter_for("generic") is generic


def test_the_signature_is_hmac_sha256_of_the_raw_body_in_the_greenhouse_format():
    body = _body(rejection())
    digest = hmac.new(b"k" * 16, body, hashlib.sha256).hexdigest()
    generic.verify(secret="k" * 16, headers={"signature": f"sha256 {digest}"}, body=body)
    for headers in ({}, {"Signature": f"sha256 {digest[:-1]}0"}, {"Signature": digest}):
        with pytest.raises(SignatureError):
            generic.verify(secret="k" * 16, headers=headers, body=body)
    with pytest.raises(SignatureError):
        generic.verify(secret="k" * 16, headers={"Signature": f"sha256 {digest}"}, body=body + b" ")


def test_a_rejection_is_read_with_its_person_and_reason():
    parsed = generic.parse(_body(rejection()))
    assert (parsed.kind, parsed.event_id) == ("rejection", "evt-1")
    (one,) = parsed.rejections
    assert (one.person.ats_id, one.person.email, one.person.family_name) == ("c-1", "hanako.yamada@example.jp", "山田")
    assert (one.application_id, one.reason, one.rejected_at) == ("a-1", "経験不足", date(2026, 12, 4))
    assert one.occurred_at.isoformat() == "2026-12-04T09:00:00+09:00"


def test_several_rejections_in_one_delivery():
    item = rejection()
    payload = {"event_id": "batch-1", "type": "rejection", "rejections": [item, {**item, "candidate": {"id": "c-2"}}]}
    parsed = generic.parse(_body(payload))
    assert [r.person.ats_id for r in parsed.rejections] == ["c-1", "c-2"]


def test_ping_other_types_and_an_event_without_id():
    assert generic.parse(b'{"type": "ping", "event_id": "p"}').kind == "ping"
    ignored = generic.parse(b'{"type": "hired"}')
    assert ignored.kind == "ignored"
    assert ignored.event_id == hashlib.sha256(b'{"type": "hired"}').hexdigest()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        _body({**rejection(), "candidate": {"email": "x@example.jp"}}),
        _body({**rejection(), "occurred_at": "2026-12-04T09:00:00"}),
        _body({**rejection(), "application": {"rejected_on": "12/04/2026"}}),
        _body({"type": "rejection", "rejections": []}),
    ],
)
def test_unreadable_bodies_say_why(body):
    with pytest.raises(PayloadError):
        generic.parse(body)
