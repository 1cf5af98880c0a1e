"""The candidate side of the relay loop: registration, email verification and the referral rule."""

import enum
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.candidates.models import Candidate, Consent, IdentityFingerprint, VerificationToken
from careerrelay.candidates.notices import NOTICES
from careerrelay.common.japanese import normalize_email, normalize_phone
from careerrelay.common.tokens import hash_token, new_token, pseudonym
from careerrelay.credits.services import record_counted_referral
from careerrelay.mailings.services import queue_email
from careerrelay.notifications.models import Kind as NotificationKind
from careerrelay.notifications.models import Notification
from careerrelay.notifications.services import notify, operators
from careerrelay.relay import services as relay
from careerrelay.search.tasks import index_after_commit

Referral = Candidate.Referral


@dataclass
class RegistrationResult:
    candidate: Candidate
    created: bool


def register_candidate(*, campaign, data: dict, consents: set[str], ip=None, user_agent="", language="ja"):
    """Create a pending registration, or recognise the address and mail its owner again.

    Either way the person is told to check their mailbox, so the page never reveals whether
    an address is already registered.
    """
    email_normalized = normalize_email(data["email"])
    existing = Candidate.objects.filter(email_normalized=email_normalized).first()
    if existing is None:
        try:
            with transaction.atomic():
                candidate = Candidate.objects.create(
                    **data,
                    email_normalized=email_normalized,
                    phone_normalized=normalize_phone(data.get("phone", "")),
                    source_campaign=campaign,
                    language=language,
                    registration_ip=ip,
                )
                for purpose in consents:
                    record_consent(candidate, purpose, Consent.Action.GRANT, ip, user_agent)
                _send_verification(candidate)
                # Last, so the campaign's row lock is held only until the commit just after it.
                relay.record_registration(campaign.pk)
            return RegistrationResult(candidate=candidate, created=True)
        except IntegrityError:
            # The same address submitted twice at once: the other request created it.
            existing = Candidate.objects.get(email_normalized=email_normalized)
    with transaction.atomic():
        if existing.is_verified:
            queue_email(
                to=existing.email,
                template="candidate_already_registered",
                context={"candidate": existing},
                language=language,
            )
        else:
            _send_verification(existing)
    return RegistrationResult(candidate=existing, created=False)


def record_consent(candidate, purpose, action, ip=None, user_agent=""):
    """Append one consent record under the current notice. Only the registration here and
    careerrelay/privacy/services.py (grant_consent, withdraw_consent: audited, and keeping the
    search index in step) call it."""
    notice = NOTICES[purpose]
    return Consent.objects.create(
        candidate=candidate,
        purpose=purpose,
        action=action,
        recipients=str(notice.recipients),
        notice_version=notice.version,
        notice_hash=notice.digest,
        ip_address=ip,
        user_agent=(user_agent or "")[:500],
    )


def has_active_consent(candidate: Candidate, purpose: str) -> bool:
    latest = candidate.consents.filter(purpose=purpose).order_by("-created_at", "-id").first()
    return latest is not None and latest.action == Consent.Action.GRANT


def _send_verification(candidate: Candidate) -> None:
    token = new_token()
    VerificationToken.objects.create(
        candidate=candidate,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(hours=settings.VERIFICATION_TOKEN_HOURS),
    )
    queue_email(
        to=candidate.email,
        template="candidate_verify",
        context={
            "candidate": candidate,
            "url": settings.SITE_URL + reverse("relay:verify", args=[token]),
            "hours": settings.VERIFICATION_TOKEN_HOURS,
            "employer": candidate.source_campaign.organisation.name if candidate.source_campaign else "",
        },
        language=candidate.language,
    )


@transaction.atomic
def resend_verification(email: str) -> None:
    """Quietly does nothing for unknown or already verified addresses."""
    candidate = Candidate.objects.filter(
        email_normalized=normalize_email(email), status=Candidate.Status.PENDING
    ).first()
    if candidate is not None:
        _send_verification(candidate)


class TokenState(enum.Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def inspect_token(token: str) -> tuple[TokenState, VerificationToken | None]:
    """What the confirmation page shows; reading never consumes the token."""
    row = VerificationToken.objects.select_related("candidate").filter(token_hash=hash_token(token)).first()
    if row is None:
        return TokenState.UNKNOWN, None
    if row.used_at is not None:
        return TokenState.USED, row
    if row.expires_at <= timezone.now():
        return TokenState.EXPIRED, row
    return TokenState.VALID, row


def verify_email(token: str) -> tuple[TokenState, Candidate | None]:
    """Consume the token (POST only) and apply the referral rule, in one transaction."""
    with transaction.atomic():
        state, row = inspect_token(token)
        if state is not TokenState.VALID:
            return state, row.candidate if row else None
        now = timezone.now()
        # The conditional UPDATE is the single-use guarantee: of two concurrent POSTs with the
        # same token, exactly one changes a row.
        if not VerificationToken.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
            return TokenState.USED, row.candidate
        candidate = row.candidate
        became_verified = Candidate.objects.filter(pk=candidate.pk, status=Candidate.Status.PENDING).update(
            status=Candidate.Status.VERIFIED, verified_at=now
        )
        candidate.refresh_from_db()
        if became_verified:
            # The person may now be found (if they share with agencies): indexed once this commits.
            index_after_commit(candidate.pk)
            if candidate.source_campaign_id:
                relay.record_verification(candidate.source_campaign_id)
            evaluate_referral(candidate)
            queue_email(
                to=candidate.email,
                template="candidate_welcome",
                context={"candidate": candidate},
                language=candidate.language,
            )
    return TokenState.VALID, candidate


def confirmation_signs_in(token: str) -> bool:
    """Whether confirming with this (just consumed) token may also sign the person in: only while
    its email is as fresh as a sign-in link (CANDIDATE_SIGNIN_TOKEN_MINUTES). A confirmation link
    lives a day; a forwarded or shared email found later confirms, but opens nobody's my page."""
    row = VerificationToken.objects.filter(token_hash=hash_token(token)).only("created_at").first()
    fresh_for = timedelta(minutes=settings.CANDIDATE_SIGNIN_TOKEN_MINUTES)
    return row is not None and timezone.now() - row.created_at <= fresh_for


def _claim_fingerprints(candidate: Candidate) -> bool:
    """True when neither the email nor the phone was ever verified by somebody else."""
    values = [(IdentityFingerprint.Kind.EMAIL, candidate.email_normalized)]
    if candidate.phone_normalized:
        values.append((IdentityFingerprint.Kind.PHONE, candidate.phone_normalized))
    new = True
    for kind, value in values:
        digest = pseudonym(value, f"fingerprint:{kind}")
        try:
            with transaction.atomic():
                IdentityFingerprint.objects.create(kind=kind, digest=digest, subject_key=candidate.public_id)
        except IntegrityError:
            owner = IdentityFingerprint.objects.filter(kind=kind, digest=digest).values_list("subject_key", flat=True)
            if owner.first() != candidate.public_id:
                new = False
    return new


def _suspicious(candidate: Candidate) -> bool:
    """Many verified registrations from one address for one link in a day look like a farm.

    The threshold is high because many phones share a carrier's address."""
    if not candidate.registration_ip or not candidate.source_campaign_id:
        return False
    since = timezone.now() - timedelta(hours=24)
    same_source = Candidate.objects.filter(
        source_campaign_id=candidate.source_campaign_id,
        registration_ip=candidate.registration_ip,
        status=Candidate.Status.VERIFIED,
        verified_at__gte=since,
    ).count()
    return same_source > settings.FRAUD_REVIEW_THRESHOLD


def evaluate_referral(candidate: Candidate) -> str:
    """Apply the referral rule of DESIGN.md and record the outcome on the candidate."""
    is_new = _claim_fingerprints(candidate)
    if not candidate.is_verified:
        outcome = Referral.NOT_EVALUATED
    elif not is_new:
        outcome = Referral.NOT_NEW
    elif candidate.source_campaign_id is None:
        outcome = Referral.NO_SOURCE
    elif not has_active_consent(candidate, Consent.Purpose.AGENCY_SHARING):
        outcome = Referral.NO_CONSENT
    elif candidate.held_for_review or _suspicious(candidate):
        outcome = Referral.HELD
    else:
        campaign = candidate.source_campaign
        counted = record_counted_referral(
            organisation=campaign.organisation, campaign=campaign, subject_key=candidate.public_id
        )
        outcome = Referral.COUNTED if counted else Referral.NOT_NEW
    held = outcome == Referral.HELD
    newly_held = held and candidate.referral_status != Referral.HELD
    Candidate.objects.filter(pk=candidate.pk).update(referral_status=outcome, held_for_review=held)
    candidate.referral_status, candidate.held_for_review = outcome, held
    if newly_held:
        _tell_operators_of_hold(candidate.source_campaign)
    return outcome


def _tell_operators_of_hold(campaign) -> None:
    """Operators hear of held registrations once per link a day: a farming attempt holds dozens at
    once, and one email per hold would bury the console's queue in the operators' mailboxes."""
    if campaign is None:
        return
    since = timezone.now() - timedelta(days=1)
    if Notification.objects.filter(
        kind=NotificationKind.REFERRAL_HELD, params__campaign_id=campaign.pk, created_at__gte=since
    ).exists():
        return
    notify(
        kind=NotificationKind.REFERRAL_HELD,
        users=operators(),
        url=reverse("admin:candidates_candidate_changelist") + "?held_for_review__exact=1",
        params={"company": campaign.organisation.name, "campaign": campaign.name, "campaign_id": campaign.pk},
        context={"campaign": campaign, "company": campaign.organisation},
    )


@transaction.atomic
def release_from_review(candidate: Candidate) -> str:
    """An operator cleared a held registration: count it now if it still qualifies."""
    Candidate.objects.filter(pk=candidate.pk).update(held_for_review=False)
    candidate.refresh_from_db()
    if candidate.referral_status != Referral.HELD:
        return candidate.referral_status
    candidate.held_for_review = False
    # Release skips the automatic heuristic: a person looked at it.
    campaign = candidate.source_campaign
    if campaign is None or not has_active_consent(candidate, Consent.Purpose.AGENCY_SHARING):
        return evaluate_referral(candidate)
    counted = record_counted_referral(
        organisation=campaign.organisation, campaign=campaign, subject_key=candidate.public_id
    )
    outcome = Referral.COUNTED if counted else Referral.NOT_NEW
    Candidate.objects.filter(pk=candidate.pk).update(referral_status=outcome)
    return outcome
