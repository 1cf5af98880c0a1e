"""The candidate's control over their data: consents, provision records (APPI Art. 29),
who may see a profile, and the hooks the rest of the product calls.

The agency workspace uses `agency_visible_candidates()` to search and
`record_provision()` every time it shows a profile, hands over a résumé or makes an
introduction."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.candidates import services as candidates
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.candidates.notices import NOTICES
from careerrelay.organisations.models import Organisation
from careerrelay.outbox.services import queue_email
from careerrelay.privacy.models import ProvisionRecord, RetentionState, StopUseNotice
from careerrelay.search import index as search_index
from careerrelay.search.tasks import index_after_commit
from careerrelay.talent import recontact as talent_recontact

AGENCY_SHARING = Consent.Purpose.AGENCY_SHARING
EMPLOYER_RECONTACT = Consent.Purpose.EMPLOYER_RECONTACT


def current_notice_version(purpose: str) -> str:
    """The version of the notice a grant for `purpose` must have been given under to count."""
    return NOTICES[purpose].version


class ProvisionRefused(Exception):
    """The candidate's data may not be provided: no active consent under the current notice."""


# --- Consents --------------------------------------------------------------------------------


def latest_consents(candidate: Candidate) -> dict[str, Consent]:
    """The newest record per purpose (grant or withdrawal)."""
    latest = {}
    for consent in candidate.consents.order_by("created_at", "id"):
        latest[consent.purpose] = consent
    return latest


def active_grant(candidate: Candidate, purpose: str) -> Consent | None:
    consent = latest_consents(candidate).get(purpose)
    return consent if consent is not None and consent.action == Consent.Action.GRANT else None


def needs_reconsent(candidate: Candidate) -> bool:
    """True when a consent the candidate still holds was given under an older privacy notice.

    The sign-in code calls this and sends the candidate to the re-consent page; until they
    answer, `agency_visible_candidates()` leaves them out and `record_provision()` refuses."""
    return bool(outdated_purposes(candidate))


def reconsent_exempt(view):
    """Marks a candidate view that stays reachable before the candidate answers the re-consent
    page (the consents, download and deletion pages, sign-out): withdrawing or leaving must
    never depend on agreeing first. `candidate_required` copies the mark onto its wrapper."""
    view.reconsent_exempt = True
    return view


# Pages of the sign-in part that must stay reachable too.
RECONSENT_EXEMPT_URL_NAMES = {"signout", "signout_everywhere"}


def reconsent_redirect(request, view):
    """For `candidate_required`: a redirect to the re-consent page, or None to carry on."""
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    exempt = getattr(view, "reconsent_exempt", False) or (
        request.resolver_match is not None and request.resolver_match.url_name in RECONSENT_EXEMPT_URL_NAMES
    )
    if exempt or not needs_reconsent(request.candidate):
        return None
    next_path = request.get_full_path() if request.method == "GET" else ""
    return redirect(reverse("candidate:reconsent") + ("?" + urlencode({"next": next_path}) if next_path else ""))


def outdated_purposes(candidate: Candidate) -> list[str]:
    return [
        purpose
        for purpose, consent in latest_consents(candidate).items()
        if consent.action == Consent.Action.GRANT and consent.notice_version != current_notice_version(purpose)
    ]


@transaction.atomic
def grant_consent(*, candidate: Candidate, purpose: str, actor: Actor) -> Consent:
    """Append a grant under the current notice (also used to renew after the notice changed).
    For agency sharing the person is indexed for search once this commits."""
    consent = candidates.record_consent(candidate, purpose, Consent.Action.GRANT, actor.ip, actor.user_agent)
    if purpose == AGENCY_SHARING:
        index_after_commit(candidate.pk)
    record_event(
        actor=actor,
        action=Action.CONSENT_GRANT,
        subject_key=candidate.public_id,
        object_type="consent",
        object_id=consent.pk,
        purpose=purpose,
        notice_version=consent.notice_version,
    )
    return consent


@transaction.atomic
def withdraw_consent(*, candidate: Candidate, purpose: str, actor: Actor) -> Consent | None:
    """Append a withdrawal. For agency sharing the profile leaves every agency's search at once
    (its index entry is removed in this transaction) and each organisation that already received the data
    gets a recorded stop-use notice and an email to its members. The account stays.

    Returns None when there was nothing to withdraw."""
    # The same lock record_provision takes: a provision cannot slip in between the two.
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if not candidates.has_active_consent(candidate, purpose):
        return None
    consent = candidates.record_consent(candidate, purpose, Consent.Action.WITHDRAW, actor.ip, actor.user_agent)
    notified = []
    if purpose == AGENCY_SHARING:
        search_index.remove_candidate(candidate.pk)
        notified = _send_stop_use_notices(candidate, purpose)
    elif purpose == EMPLOYER_RECONTACT:
        # Out of the company's 「再応募歓迎」 list at once (it reads the consents), out of its
        # follow-up mail (the pool rows linked to the person), and a stop-use notice to it.
        talent_recontact.stop_recontact(candidate_public_id=candidate.public_id)
        notified = _send_stop_use_notices(candidate, purpose)
    record_event(
        actor=actor,
        action=Action.CONSENT_WITHDRAW,
        subject_key=candidate.public_id,
        object_type="consent",
        object_id=consent.pk,
        purpose=purpose,
        stop_use_notices=notified,
    )
    return consent


STOP_USE_TEMPLATES: dict[str, str] = {
    AGENCY_SHARING: "privacy_stop_use",
    EMPLOYER_RECONTACT: "privacy_stop_use_recontact",
}


def _send_stop_use_notices(candidate: Candidate, purpose: str) -> list[int]:
    """A notice and an email to each organisation that received the person's data under the
    consent withdrawn (provisions under the other purpose rest on a consent still given)."""
    recipient_ids = (
        ProvisionRecord.objects.filter(subject_key=candidate.public_id, purpose=purpose)
        .values_list("recipient_organisation_id", flat=True)
        .distinct()
    )
    notified = []
    for organisation in Organisation.objects.filter(pk__in=list(recipient_ids)).order_by("pk"):
        notice = StopUseNotice.objects.create(agency=organisation, subject_key=candidate.public_id, purpose=purpose)
        notified.append(organisation.pk)
        # The email names only the pseudonymous key: the recipient finds the person in its own
        # records, and the outbox keeps no name that would outlive the person's deletion.
        for membership in organisation.memberships.select_related("user").order_by("pk"):
            queue_email(
                to=membership.user.email,
                template=STOP_USE_TEMPLATES[purpose],
                context={
                    "organisation": organisation,
                    "notice": notice,
                    "subject_key": candidate.public_id,
                    "reference": reference_for(candidate.public_id),
                },
                language=getattr(membership.user, "language", "") or "ja",
            )
    return notified


def reference_for(public_id) -> str:
    """A short reference a company can say on the phone: CR-1A2B3C4D."""
    return "CR-" + str(public_id).replace("-", "")[:8].upper()


# --- Who may see a profile -------------------------------------------------------------------


def agency_visible_candidates():
    """Candidates an agency may find and open: verified, and whose latest agency-sharing record
    is a grant under the current privacy notice. Deleted candidates have no row at all."""
    latest = Consent.objects.filter(candidate=OuterRef("pk"), purpose=AGENCY_SHARING).order_by("-created_at", "-id")
    return (
        Candidate.objects.filter(status=Candidate.Status.VERIFIED)
        .alias(
            _sharing_action=Subquery(latest.values("action")[:1]),
            _sharing_version=Subquery(latest.values("notice_version")[:1]),
        )
        .filter(_sharing_action=Consent.Action.GRANT, _sharing_version=settings.PRIVACY_NOTICE_VERSION)
    )


def recontact_visible_candidates(organisation: Organisation):
    """The people an employer's 「再応募歓迎」 list shows: registered through one of THIS company's
    relay links, email confirmed, and whose latest re-contact record is a grant under the current
    re-contact notice (not withdrawn, not superseded by a later registration, not given under the
    old wording). Nobody for an organisation that is not an active, approved employer."""
    if (
        organisation.kind != Organisation.Kind.EMPLOYER
        or not organisation.is_active
        or organisation.status != Organisation.Status.APPROVED
    ):
        return Candidate.objects.none()
    latest = Consent.objects.filter(candidate=OuterRef("pk"), purpose=EMPLOYER_RECONTACT).order_by("-created_at", "-id")
    return (
        Candidate.objects.filter(status=Candidate.Status.VERIFIED, source_campaign__organisation=organisation)
        .alias(
            _recontact_action=Subquery(latest.values("action")[:1]),
            _recontact_version=Subquery(latest.values("notice_version")[:1]),
        )
        .filter(
            _recontact_action=Consent.Action.GRANT,
            _recontact_version=current_notice_version(EMPLOYER_RECONTACT),
        )
    )


def may_provide(candidate: Candidate) -> bool:
    return agency_visible_candidates().filter(pk=candidate.pk).exists()


def providable_candidate_ids(candidates) -> set[int]:
    """may_provide for several candidates, in one query."""
    return set(agency_visible_candidates().filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True))


# --- Provision records -----------------------------------------------------------------------


@transaction.atomic
def record_provision(
    *,
    candidate: Candidate,
    recipient_organisation: Organisation,
    items: list[str],
    channel: str,
    actor: Actor,
    purpose: str = AGENCY_SHARING,
) -> ProvisionRecord:
    """Record that `items` of the candidate's data went to `recipient_organisation` (APPI Art. 29)
    and audit it, in one transaction. The actor is the recipient's user who opened it, or the
    candidate whose answer provided it. Call it BEFORE showing or sending the data, and show
    nothing when it raises ProvisionRefused.

    `purpose` is the consent the provision rests on: agency sharing (agencies, introductions), or
    the re-contact consent, which only ever allows the company whose relay link the person
    registered through.
    """
    unknown = set(items) - set(ProvisionRecord.Item.values)
    if not items or unknown:
        raise ValueError(f"Unknown provision items: {sorted(unknown) or items!r}")
    # Lock the candidate so a withdrawal cannot slip in between the check and the record.
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    consent = active_grant(candidate, purpose)
    if not candidate.is_verified or consent is None:
        raise ProvisionRefused(f"The candidate has no active {purpose} consent.")
    if consent.notice_version != current_notice_version(purpose):
        raise ProvisionRefused("The candidate has not yet accepted the current privacy notice.")
    if (
        purpose == EMPLOYER_RECONTACT
        and not recontact_visible_candidates(recipient_organisation).filter(pk=candidate.pk).exists()
    ):
        raise ProvisionRefused("The re-contact consent was given to another company.")
    record = ProvisionRecord.objects.create(
        subject_key=candidate.public_id,
        candidate=candidate,
        recipient_organisation=recipient_organisation,
        recipient_user=actor.user,
        items=list(items),
        purpose=purpose,
        consent=consent,
        consent_notice_version=consent.notice_version,
        consent_notice_hash=consent.notice_hash,
        consent_given_at=consent.created_at,
        channel=channel,
    )
    record_event(
        actor=actor,
        action=Action.PROVIDE,
        subject_key=candidate.public_id,
        organisation=recipient_organisation,
        object_type="provision_record",
        object_id=record.pk,
        items=list(items),
        channel=channel,
        purpose=purpose,
    )
    return record


# --- Activity (retention) --------------------------------------------------------------------


def note_candidate_activity(candidate: Candidate) -> None:
    """Call at every sign-in: the retention clock starts again and a pending deletion is cancelled."""
    now = timezone.now()
    updated = RetentionState.objects.filter(candidate=candidate).update(
        last_active_at=now, reminder_sent_at=None, delete_after=None, deletion_claimed_at=None
    )
    if not updated:
        try:
            with transaction.atomic():
                RetentionState.objects.get_or_create(candidate=candidate, defaults={"last_active_at": now})
        except IntegrityError:  # two sign-ins at once: the other one created it
            RetentionState.objects.filter(candidate=candidate).update(last_active_at=now)


# --- Stop-use notices (for the agency workspace) ---------------------------------------------


def open_stop_use_notices(organisation: Organisation, purpose: str | None = None):
    notices = StopUseNotice.objects.filter(agency=organisation, acknowledged_at__isnull=True)
    return notices if purpose is None else notices.filter(purpose=purpose)


@transaction.atomic
def acknowledge_stop_use_notice(*, notice: StopUseNotice, actor: Actor) -> bool:
    """The agency confirms it stopped using the person's data; False when already acknowledged."""
    done = StopUseNotice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if done:
        record_event(
            actor=actor,
            action=Action.CHANGE,
            subject_key=notice.subject_key,
            organisation=notice.agency,
            object_type="stop_use_notice",
            object_id=notice.pk,
            acknowledged=True,
        )
    return bool(done)
