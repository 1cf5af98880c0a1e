"""The candidate side of the relay loop: registration, email verification and the referral rule."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.accounts.services import staff_signed_in_from
from careerrelay.audit.models import AuditEvent
from careerrelay.audit.services import Actor, record_event
from careerrelay.candidates.models import (
    REGISTRATION_FIELDS,
    Candidate,
    Consent,
    IdentityFingerprint,
    VerificationToken,
)
from careerrelay.candidates.notices import notice_for
from careerrelay.common import single_use
from careerrelay.common.japanese import normalize_email, normalize_phone
from careerrelay.common.mailboxes import canonical_mailbox, email_domain, is_public_mailbox
from careerrelay.common.single_use import TokenState
from careerrelay.common.tokens import hash_token, pseudonym
from careerrelay.credits.services import record_counted_referral
from careerrelay.notifications.models import Kind as NotificationKind
from careerrelay.notifications.models import Notification
from careerrelay.notifications.services import notify, operators
from careerrelay.outbox.services import queue_email
from careerrelay.relay import services as relay
from careerrelay.search.tasks import index_after_commit

Referral = Candidate.Referral
HoldReason = Candidate.HoldReason


@dataclass
class RegistrationResult:
    candidate: Candidate
    created: bool


def register_candidate(*, campaign, data: dict, consents: set[str], ip=None, user_agent="", language="ja"):
    """Create a pending registration, or recognise the address and mail its owner again.

    Either way the person is told to check their mailbox, so the page never reveals whether
    an address is already registered. A submission for an address that is still unconfirmed
    replaces the earlier one (data, consents, link): whoever can read the mailbox confirms
    what they themselves submitted last, never what somebody typed in their name before.
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
        # Locked, so that a confirmation or another submission for this address waits its turn.
        existing = Candidate.objects.select_for_update().get(pk=existing.pk)
        if existing.is_verified:
            queue_email(
                to=existing.email,
                template="candidate_already_registered",
                context={"candidate": existing},
                language=language,
            )
        else:
            submission = {"data": data, "consents": consents, "ip": ip, "user_agent": user_agent}
            _replace_unconfirmed(existing, campaign=campaign, language=language, **submission)
            _send_verification(existing)
    return RegistrationResult(candidate=existing, created=False)


def _replace_unconfirmed(candidate: Candidate, *, campaign, data, consents, ip, user_agent, language) -> None:
    """The newest submission for an unconfirmed address becomes the registration, so
    nobody can take over a registration by submitting another person's address first.

        Consents are append-only, so every purpose still granted by the earlier submission gets a
        SUPERSEDED record (with the new submitter's address as evidence of what replaced it) before
        the new grants; the effective consent is always the latest record. Links mailed for the
        earlier submission stop working, so an old email cannot confirm data it did not show."""
    now = timezone.now()
    # Every field of the registration form is replaced, also one this submission left out: nothing
    # typed by the earlier submitter may survive into the confirmed profile.
    for field in REGISTRATION_FIELDS:
        setattr(candidate, field, data.get(field, Candidate._meta.get_field(field).get_default()))  # type: ignore[union-attr]
    for field, value in data.items():
        setattr(candidate, field, value)
    previous_campaign_id = candidate.source_campaign_id
    candidate.phone_normalized = normalize_phone(data.get("phone", ""))
    candidate.source_campaign = campaign
    candidate.language = language
    candidate.registration_ip = ip
    candidate.profile_updated_at = now
    candidate.save()
    for purpose in Consent.Purpose.values:
        if has_active_consent(candidate, purpose):
            record_consent(candidate, purpose, Consent.Action.SUPERSEDED, ip, user_agent)
    for purpose in consents:
        record_consent(candidate, purpose, Consent.Action.GRANT, ip, user_agent)
    single_use.expire_open(VerificationToken.objects.filter(candidate=candidate), now)
    if previous_campaign_id != campaign.pk:
        # One person, one registration in the funnels: it moves to the link used last.
        relay.move_registration(previous_campaign_id, campaign.pk)


def record_consent(candidate, purpose, action, ip=None, user_agent=""):
    """Append one consent record under the current notice. Only the registration here and
    careerrelay/privacy/services.py (grant_consent, withdraw_consent: audited, and keeping the
    search index in step) call it."""
    notice = notice_for(
        purpose, recontact_employer_name(candidate) if purpose == Consent.Purpose.EMPLOYER_RECONTACT else ""
    )
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


def recontact_employer_name(candidate: Candidate) -> str:
    """The company a re-contact consent is given to: the one whose relay link the person registered
    through (the link used last, while the registration was unconfirmed). "" when there is none."""
    campaign = candidate.source_campaign
    return campaign.organisation.name if campaign is not None else ""


def has_active_consent(candidate: Candidate, purpose: str) -> bool:
    latest = candidate.consents.filter(purpose=purpose).order_by("-created_at", "-id").first()
    return latest is not None and latest.action == Consent.Action.GRANT


def _send_verification(candidate: Candidate) -> None:
    _row, token = single_use.issue(
        VerificationToken, lifetime=timedelta(hours=settings.VERIFICATION_TOKEN_HOURS), candidate=candidate
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


def inspect_token(token: str) -> tuple[TokenState, VerificationToken | None]:
    """What the confirmation page shows; reading never consumes the token."""
    return single_use.inspect(VerificationToken.objects.select_related("candidate"), token)


def verify_email(token: str) -> tuple[TokenState, Candidate | None]:
    """Consume the token (POST only) and apply the referral rule, in one transaction."""
    with transaction.atomic():
        # Of two concurrent POSTs with the same token exactly one gets VALID; a new submission for
        # the address expires the links mailed before it, and a confirmation racing with it loses.
        state, row = single_use.consume(VerificationToken.objects.select_related("candidate"), token)
        if state is not TokenState.VALID or row is None:
            return state, row.candidate if row else None
        now = row.used_at
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
    """True when neither the mailbox nor the phone was ever verified by somebody else.

    The email is compared as its canonical mailbox (common.mailboxes): me+1@example.com and
    M.E@googlemail.com are the mailboxes me@example.com and me@gmail.com. Fingerprints written
    before that rule hashed the address as typed; such a hash is still looked at, so a deleted
    person coming back with the same spelling is not new either (migration 0005)."""
    canonical = canonical_mailbox(candidate.email_normalized)
    values = [(IdentityFingerprint.Kind.EMAIL, canonical)]
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
    if canonical != candidate.email_normalized:
        as_typed = pseudonym(candidate.email_normalized, f"fingerprint:{IdentityFingerprint.Kind.EMAIL}")
        if (
            IdentityFingerprint.objects.filter(kind=IdentityFingerprint.Kind.EMAIL, digest=as_typed)
            .exclude(subject_key=candidate.public_id)
            .exists()
        ):
            new = False
    return new


def hold_reasons(candidate: Candidate) -> list[str]:
    """Why a verified registration looks like the employer referring itself (HoldReason codes).

    Everything is counted per company, across all its relay links: a farm that spreads over many
    links is still one company's farm."""
    campaign = candidate.source_campaign
    if campaign is None:
        return []
    organisation_id = campaign.organisation_id
    reasons: list[str] = []
    if not campaign.organisation.may_send:
        reasons.append(HoldReason.COMPANY_NOT_APPROVED)
    company_registrations = Candidate.objects.filter(
        source_campaign__organisation_id=organisation_id, status=Candidate.Status.VERIFIED
    )
    now = timezone.now()
    if candidate.registration_ip:
        # The threshold is high because many phones share a carrier's address.
        same_ip = company_registrations.filter(
            registration_ip=candidate.registration_ip, verified_at__gte=now - timedelta(hours=24)
        ).count()
        if same_ip > settings.FRAUD_REVIEW_THRESHOLD:
            reasons.append(HoldReason.SAME_IP)
    domain = email_domain(candidate.email_normalized)
    if domain and not is_public_mailbox(domain):
        staff_emails = User.objects.filter(memberships__organisation_id=organisation_id).values_list("email", flat=True)
        if domain in {email_domain(address) for address in staff_emails}:
            reasons.append(HoldReason.COMPANY_DOMAIN)
        same_domain = company_registrations.filter(
            email_normalized__endswith=f"@{domain}",
            verified_at__gte=now - timedelta(days=settings.FRAUD_SHARED_DOMAIN_DAYS),
        ).count()
        if same_domain >= settings.FRAUD_SHARED_DOMAIN_THRESHOLD:
            reasons.append(HoldReason.SHARED_DOMAIN)
    if candidate.registration_ip and staff_signed_in_from(organisation_id, candidate.registration_ip):
        reasons.append(HoldReason.STAFF_IP)
    return reasons


def evaluate_referral(candidate: Candidate) -> str:
    """Apply the referral rule of DESIGN.md and record the outcome on the candidate."""
    reasons: list[str] = []
    is_new = _claim_fingerprints(candidate)
    if candidate.referral_status == Referral.REJECTED:
        outcome = Referral.REJECTED  # an operator's refusal is final, whatever changes later
    elif not candidate.is_verified:
        outcome = Referral.NOT_EVALUATED
    elif not is_new:
        outcome = Referral.NOT_NEW
    elif candidate.source_campaign_id is None:
        outcome = Referral.NO_SOURCE
    elif not has_active_consent(candidate, Consent.Purpose.AGENCY_SHARING):
        outcome = Referral.NO_CONSENT
    elif candidate.held_for_review or (reasons := hold_reasons(candidate)):
        outcome = Referral.HELD
    else:
        campaign = candidate.source_campaign
        counted = record_counted_referral(
            organisation=campaign.organisation,  # type: ignore[union-attr]  # source_campaign_id is set (above)
            campaign=campaign,
            subject_key=candidate.public_id,
        )
        outcome = Referral.COUNTED if counted else Referral.NOT_NEW
    held = outcome == Referral.HELD
    newly_held = held and candidate.referral_status != Referral.HELD
    changes = {"referral_status": outcome, "held_for_review": held}
    if newly_held:
        changes["hold_reasons"] = sorted(set(candidate.hold_reasons) | set(reasons))
    Candidate.objects.filter(pk=candidate.pk).update(**changes)
    for field, value in changes.items():
        setattr(candidate, field, value)
    if newly_held:
        _tell_operators_of_hold(candidate.source_campaign)
    return outcome


def _tell_operators_of_hold(campaign) -> None:
    """Operators hear of held registrations once per company a day: a farming attempt holds
    dozens at once, over as many links as it likes, and one email per hold or per link would
    bury the console's queue in the operators' mailboxes."""
    if campaign is None:
        return
    since = timezone.now() - timedelta(days=1)
    if Notification.objects.filter(
        kind=NotificationKind.REFERRAL_HELD,
        params__organisation_id=campaign.organisation_id,
        created_at__gte=since,
    ).exists():
        return
    notify(
        kind=NotificationKind.REFERRAL_HELD,
        users=operators(),
        url=reverse("admin:candidates_candidate_changelist") + "?held_for_review__exact=1",
        params={
            "company": campaign.organisation.name,
            "campaign": campaign.name,
            "campaign_id": campaign.pk,
            "organisation_id": campaign.organisation_id,
        },
        context={"campaign": campaign, "company": campaign.organisation},
    )


class NotHeld(Exception):
    """The registration is not (or no longer) waiting for review."""


def _held_for_decision(candidate: Candidate) -> Candidate:
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if not candidate.held_for_review:
        raise NotHeld
    return candidate


def _audit_decision(candidate: Candidate, actor: Actor, decision: str, outcome: str) -> None:
    campaign = candidate.source_campaign
    record_event(
        actor=actor,
        action=AuditEvent.Action.STAFF_ACTION,
        subject_key=candidate.public_id,
        organisation=campaign.organisation if campaign else None,
        object_type="candidate",
        object_id=candidate.pk,
        review_decision=decision,
        referral_status=outcome,
        hold_reasons=list(candidate.hold_reasons),
    )


@transaction.atomic
def release_from_review(candidate: Candidate, *, actor: Actor) -> str:
    """An operator cleared a held registration: count it now if it still qualifies.

    Raises NotHeld when somebody decided it already (two operators, one queue)."""
    candidate = _held_for_decision(candidate)
    Candidate.objects.filter(pk=candidate.pk).update(held_for_review=False)
    candidate.held_for_review = False
    campaign = candidate.source_campaign
    if candidate.referral_status != Referral.HELD:
        outcome = candidate.referral_status
    elif campaign is None or not has_active_consent(candidate, Consent.Purpose.AGENCY_SHARING):
        outcome = evaluate_referral(candidate)
    else:
        # Release skips the automatic heuristics: a person looked at it.
        counted = record_counted_referral(
            organisation=campaign.organisation, campaign=campaign, subject_key=candidate.public_id
        )
        outcome = Referral.COUNTED if counted else Referral.NOT_NEW
        Candidate.objects.filter(pk=candidate.pk).update(referral_status=outcome)
    candidate.referral_status = outcome
    _audit_decision(candidate, actor, "release", outcome)
    return outcome


@transaction.atomic
def reject_from_review(candidate: Candidate, *, actor: Actor) -> str:
    """An operator refused a held registration: it never counts. The person stays registered
    (they may be real); only the employer's referral is refused, for good."""
    candidate = _held_for_decision(candidate)
    Candidate.objects.filter(pk=candidate.pk).update(held_for_review=False, referral_status=Referral.REJECTED)
    candidate.held_for_review, candidate.referral_status = False, Referral.REJECTED
    _audit_decision(candidate, actor, "reject", Referral.REJECTED)
    return Referral.REJECTED


def reevaluate_after_company_approval(organisation, *, actor: Actor) -> int:
    """The operator approved the company: registrations held only because it was not approved yet
    are evaluated again, so honest applicants who registered during the review count, while every
    other reason (same IP, own domain, …) still holds them. Returns how many now count."""
    counted = 0
    held = Candidate.objects.select_for_update().filter(
        source_campaign__organisation=organisation,
        held_for_review=True,
        referral_status=Referral.HELD,
    )
    for candidate in held.select_related("source_campaign__organisation"):
        if candidate.hold_reasons != [HoldReason.COMPANY_NOT_APPROVED]:
            continue
        Candidate.objects.filter(pk=candidate.pk).update(
            held_for_review=False, referral_status=Referral.NOT_EVALUATED, hold_reasons=[]
        )
        candidate.held_for_review, candidate.referral_status, candidate.hold_reasons = False, "", []
        outcome = evaluate_referral(candidate)
        _audit_decision(candidate, actor, "company_approved", outcome)
        counted += outcome == Referral.COUNTED
    return counted


def delete_expired_unconfirmed() -> int:
    """Registrations never confirmed are deleted once their newest link has expired.

    Nothing of them is needed: they never counted, were never searchable, and a consent given
    by a person who never confirmed their address proves nothing about anybody. Their consent
    records and links go with them (CASCADE). A registration whose link was re-sent lives on
    until the newest link expires. The funnel counters keep the registration."""
    now = timezone.now()
    expired = (
        Candidate.objects.filter(
            status=Candidate.Status.PENDING,
            created_at__lt=now - timedelta(hours=settings.VERIFICATION_TOKEN_HOURS),
        )
        .exclude(verification_tokens__expires_at__gt=now)
        .values_list("pk", flat=True)
    )
    deleted = 0
    for pk in list(expired[:5000]):
        with transaction.atomic():
            # Checked again under the lock: a new submission may have just sent a fresh link.
            candidate = Candidate.objects.select_for_update().filter(pk=pk, status=Candidate.Status.PENDING).first()
            if candidate is None or candidate.verification_tokens.filter(expires_at__gt=now).exists():
                continue
            candidate.delete()
            deleted += 1
    return deleted
