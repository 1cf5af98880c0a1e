"""Bulk activity for the analytics tests: sends with their messages (sent, some clicked),
registrations through relay links and ledger rows, each at a chosen moment."""

import itertools
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

from careerrelay.candidates.models import Candidate
from careerrelay.common.tokens import hash_token
from careerrelay.credits.models import LedgerEntry
from careerrelay.outbox.models import OutboundEmail
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant, RejectionReason

TOKYO = ZoneInfo("Asia/Tokyo")
_serial = itertools.count()


def at(day, hour=12, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


def template(organisation, name="中途採用・丁寧"):
    return RejectionTemplate.objects.create(organisation=organisation, name=name, subject="選考結果", body="本文")


def reason(organisation, label="経験不足"):
    return RejectionReason.objects.create(organisation=organisation, label=label)


def applicant(organisation, job_title="", reason=None):
    n = next(_serial)
    return Applicant.objects.create(
        organisation=organisation,
        family_name="髙橋",
        email=f"a{n}@example.jp",
        email_normalized=f"a{n}@example.jp",
        job_title=job_title,
        reason=reason,
    )


def send(organisation, campaign=None, template=None, created_at=None):
    return Send.objects.create(
        organisation=organisation,
        template=template,
        template_name=template.name if template else "削除されたテンプレート",
        campaign=campaign,
        scheduled_at=created_at,
        created_at=created_at,
        state=Send.State.DONE,
    )


def message(the_send, applicant, sent_at, clicked_at=None, click_token=None):
    n = next(_serial)
    return OutboundEmail.objects.create(
        to_email=applicant.email,
        from_email="noreply@careerrelay.example",
        subject="選考結果",
        body_text="",
        message_id=f"<m{n}-{uuid.uuid4().hex}@test>",
        state=OutboundEmail.State.SENT,
        send=the_send,
        applicant=applicant,
        sent_at=sent_at,
        first_clicked_at=clicked_at,
        clicks=1 if clicked_at else 0,
        click_token_hash=hash_token(click_token) if click_token else None,
    )


def registration(campaign, created_at, verified_at=None):
    n = next(_serial)
    return Candidate.objects.create(
        family_name="山﨑",
        given_name="太郎",
        email=f"c{n}@example.jp",
        email_normalized=f"c{n}@example.jp",
        prefecture="13",
        job_category="sales",
        years_experience=3,
        source_campaign=campaign,
        created_at=created_at,
        verified_at=verified_at,
        status=Candidate.Status.VERIFIED if verified_at else Candidate.Status.PENDING,
    )


def ledger(organisation, kind, created_at, campaign=None, sequence=None):
    fields = {"amount": 1}
    if kind == LedgerEntry.Kind.REFERRAL_COUNTED:
        fields["subject_key"] = uuid.uuid4()
    elif kind == LedgerEntry.Kind.CREDIT_GRANTED:
        fields["sequence"] = sequence
    elif kind == LedgerEntry.Kind.CREDIT_CONSUMED:
        fields.update(amount=0, request_key=uuid.uuid4())
    return LedgerEntry.objects.create(
        organisation=organisation, kind=kind, campaign=campaign, created_at=created_at, **fields
    )
