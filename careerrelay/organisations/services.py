from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careerrelay.accounts.models import User
from careerrelay.audit.services import Action, Actor, ActorKind, record_event
from careerrelay.common import single_use
from careerrelay.common.japanese import normalize_email
from careerrelay.common.mailboxes import email_domain, is_public_mailbox
from careerrelay.common.single_use import TokenState
from careerrelay.common.text import validate_one_line
from careerrelay.common.tokens import hash_token, new_token
from careerrelay.notifications.models import Kind
from careerrelay.notifications.services import notify, operators
from careerrelay.organisations.models import ApiKey, Invitation, LinkDomain, Membership, Organisation
from careerrelay.outbox.services import queue_email
from careerrelay.relay.services import create_campaign, landing_lookup_changed

INVITATION_DAYS = 7


class InvitationError(Exception):
    pass


class ReplyToError(ValueError):
    pass


def work_domain_of(address: str) -> str:
    """The domain of a work address; "" for a public mailbox (gmail.com…), which proves nothing."""
    domain = email_domain(address)
    return "" if not domain or is_public_mailbox(domain) else domain


@transaction.atomic
def create_employer(
    *, name: str, admin: User, pending: bool = False, signup_ip: str | None = None, approved_by: User | None = None
) -> Organisation:
    """An employer with its first admin and default relay link. A self-service signup is
    `pending`: it can set everything up, but no mail leaves until an operator approves it (the
    operators are told). Otherwise the employer is approved at once (an operator created it).
    Raises ValidationError for a name with control characters (it becomes a mail header)."""
    name = " ".join(name.split())
    validate_one_line(name)
    organisation = Organisation.objects.create(
        kind=Organisation.Kind.EMPLOYER,
        name=name,
        status=Organisation.Status.PENDING,
        work_domain=work_domain_of(admin.email),
        signup_ip=signup_ip or None,
    )
    Membership.objects.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    create_campaign(organisation=organisation, name=_("標準リレーリンク"), is_default=True)
    if pending:
        _notify_operators_of_signup(organisation)
    else:
        actor = Actor.for_user(approved_by, ActorKind.STAFF) if approved_by is not None else Actor.system()
        approve_employer(organisation=organisation, actor=actor)
        organisation.refresh_from_db()
    return organisation


def _notify_operators_of_signup(organisation: Organisation) -> None:
    notify(
        kind=Kind.EMPLOYER_APPLIED,
        users=operators(),
        url=reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        params={"company": organisation.name, "domain": organisation.work_domain or "-"},
        context={"company": organisation},
    )


def company_admins(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in organisation.memberships.select_related("user").order_by("pk")
        if m.is_admin and m.user.is_active
    ]


def verified_member_addresses(organisation: Organisation) -> list[str]:
    """Addresses of the company's members that allauth has verified (a confirmation link)."""
    from allauth.account.models import EmailAddress

    users = organisation.memberships.values("user_id")
    return list(
        EmailAddress.objects.filter(user_id__in=users, verified=True)
        .order_by("-primary", "id")
        .values_list("email", flat=True)
    )


def _first_admin_address(organisation: Organisation) -> str:
    from allauth.account.models import EmailAddress

    admin = organisation.memberships.filter(role=Membership.Role.ADMIN).order_by("created_at", "id").first()
    if admin is None:
        return ""
    address = EmailAddress.objects.filter(user_id=admin.user_id, verified=True).order_by("-primary", "id").first()
    return address.email if address else ""


def _audit_review(organisation, actor: Actor, operation, **detail):
    """An operator's decision on the company itself (approve, reject, suspend, reactivate)."""
    record_event(
        actor=actor,
        action=Action.STAFF_ACTION,
        organisation=organisation,
        object_type="organisation",
        object_id=organisation.pk,
        operation=operation,
        **detail,
    )


def _tell_admins(organisation: Organisation, kind: str, url: str = "") -> None:
    notify(
        kind=kind,
        users=company_admins(organisation),
        organisation=organisation,
        url=url,
        context={"company": organisation},
    )


@transaction.atomic
def approve_employer(*, organisation: Organisation, actor: Actor, approved_name: str = "") -> bool:
    """The operator vouches for the company: its name (as approved, the From display name of its
    mail), its work domain (a verified domain for links) and its Reply-To (the first admin's
    verified address). False when it was approved already."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.kind != Organisation.Kind.EMPLOYER or organisation.is_approved:
        return False
    name = " ".join((approved_name or organisation.approved_name or organisation.name).split())
    validate_one_line(name)
    organisation.status = Organisation.Status.APPROVED
    organisation.approved_name = name
    organisation.approved_at = timezone.now()
    organisation.approved_by = actor.user
    organisation.reply_to_email = organisation.reply_to_email or _first_admin_address(organisation)
    organisation.save(update_fields=["status", "approved_name", "approved_at", "approved_by", "reply_to_email"])
    if organisation.work_domain:
        LinkDomain.objects.get_or_create(
            organisation=organisation, domain=organisation.work_domain, defaults={"added_by": actor.user}
        )
    _audit_review(organisation, actor, "approve_employer", approved_name=name, domain=organisation.work_domain)
    # Approved as it is created (create_company, demo data): nobody has been waiting for word.
    if actor.kind != ActorKind.SYSTEM:
        _tell_admins(organisation, Kind.EMPLOYER_APPROVED, reverse("employer:dashboard"))
    return True


@transaction.atomic
def reject_employer(*, organisation: Organisation, actor: Actor) -> bool:
    """Not approved: nothing it prepared ever goes out."""
    # upward: the bulk sends sit above organisations, and their open sends stop with the company
    from careerrelay.sends.trust import cancel_queued_mail

    changed = Organisation.objects.filter(
        pk=organisation.pk, kind=Organisation.Kind.EMPLOYER, status=Organisation.Status.PENDING
    ).update(status=Organisation.Status.REJECTED)
    if changed:
        cancelled = cancel_queued_mail(organisation)
        _audit_review(organisation, actor, "reject_employer", cancelled=cancelled)
        _tell_admins(organisation, Kind.EMPLOYER_REJECTED)
    return bool(changed)


@transaction.atomic
def suspend_organisation(*, organisation: Organisation, actor: Actor) -> bool:
    """The company stops: its workspace closes, its API keys stop answering, and every message and
    send of it that has not gone out is cancelled (the worker checks again before each batch)."""
    # upward: the bulk sends sit above organisations, and their open sends stop with the company
    from careerrelay.sends.trust import cancel_queued_mail

    changed = Organisation.objects.filter(pk=organisation.pk, is_active=True).update(is_active=False)
    landing_lookup_changed()  # its relay links answer 404 at once
    cancelled = cancel_queued_mail(organisation)
    if changed:
        _audit_review(organisation, actor, "suspend_organisation", cancelled=cancelled)
        if organisation.kind == Organisation.Kind.EMPLOYER:
            _tell_admins(organisation, Kind.EMPLOYER_SUSPENDED)
    return bool(changed)


@transaction.atomic
def reactivate_organisation(*, organisation: Organisation, actor: Actor) -> bool:
    changed = Organisation.objects.filter(pk=organisation.pk, is_active=False).update(is_active=True)
    landing_lookup_changed()
    if changed:
        _audit_review(organisation, actor, "reactivate_organisation")
    return bool(changed)


def set_reply_to(*, organisation: Organisation, email: str, changed_by: User | None = None) -> None:
    """Replies go to an address the company has proven it reads: one of its members' verified
    addresses, never an address typed in."""
    wanted = normalize_email(email)
    for address in verified_member_addresses(organisation):
        if normalize_email(address) == wanted:
            Organisation.objects.filter(pk=organisation.pk).update(reply_to_email=address)
            organisation.reply_to_email = address
            return
    raise ReplyToError(_("返信先にできるのは、メンバーの確認済みメールアドレスだけです。"))


def memberships_for(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("organisation").order_by("created_at", "id"))


def membership_for(user, kind: str) -> Membership | None:
    """The one way a page finds a person's employer or agency: their first membership of that
    kind (should there be several), with the organisation and an agency's profile loaded; None
    for strangers."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation__kind=kind)
        .select_related("organisation", "organisation__agency_profile")
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def invite_member(*, organisation: Organisation, email: str, role: str, invited_by: User, site_url: str) -> Invitation:
    email = normalize_email(email)
    Invitation.objects.filter(
        organisation=organisation, email=email, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation, token = single_use.issue(
        Invitation,
        lifetime=timedelta(days=INVITATION_DAYS),
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
    )
    queue_email(
        to=email,
        template="employer_invitation",
        context={
            "organisation": organisation.name,
            "inviter": invited_by.name or invited_by.email,
            "url": site_url + reverse("employer:accept_invitation", args=[token]),
            "days": INVITATION_DAYS,
        },
    )
    return invitation


def find_open_invitation(token: str) -> Invitation | None:
    state, invitation = single_use.inspect(Invitation.objects.select_related("organisation"), token)
    return invitation if state is TokenState.VALID else None


@transaction.atomic
def accept_invitation(*, token: str, user: User) -> Membership:
    invitation = find_open_invitation(token)
    if invitation is None:
        raise InvitationError(_("この招待リンクは無効か、有効期限が切れています。"))
    if normalize_email(user.email) != invitation.email:
        raise InvitationError(_("この招待は別のメールアドレス宛てです。招待されたアドレスでログインしてください。"))
    # A revocation that commits first wins, as does another acceptance.
    state, _row = single_use.consume(Invitation.objects, token, revoked_at__isnull=True)
    if state is not TokenState.VALID:
        raise InvitationError(_("この招待リンクはすでに使われています。"))
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    return membership


def revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(revoked_at=timezone.now())


def _audit(action, *, actor: Actor, organisation, object_type, object_id, **detail):
    record_event(
        actor=actor,
        action=action,
        organisation=organisation,
        object_type=object_type,
        object_id=object_id,
        **detail,
    )


@transaction.atomic
def change_role(membership: Membership, role: str, *, actor: Actor) -> None:
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _audit(
        Action.CHANGE,
        actor=actor,
        organisation=membership.organisation,
        object_type="organisations.membership",
        object_id=membership.pk,
        user_id=membership.user_id,
        role_from=previous,
        role_to=role,
    )


@transaction.atomic
def remove_member(membership: Membership, *, actor: Actor) -> None:
    """The member leaves the team, and the API keys they created stop working with them: a key
    outliving its creator's access would be a way back in for someone who has left."""
    organisation = membership.organisation
    leaving = set(verified_member_addresses(organisation)) - set(
        verified_member_addresses_except(organisation, membership.user_id)
    )
    keys = list(
        ApiKey.objects.filter(organisation=organisation, created_by_id=membership.user_id, revoked_at__isnull=True)
    )
    for key in keys:
        revoke_api_key(key, actor=actor, reason="member_removed")
    _audit(
        Action.DELETE,
        actor=actor,
        organisation=organisation,
        object_type="organisations.membership",
        object_id=membership.pk,
        user_id=membership.user_id,
        role=membership.role,
        revoked_api_keys=[key.pk for key in keys],
    )
    membership.delete()
    if organisation.reply_to_email in leaving:
        # Replies must not keep going to someone who left: back to the first admin's address.
        Organisation.objects.filter(pk=organisation.pk).update(reply_to_email=_first_admin_address(organisation))


def verified_member_addresses_except(organisation: Organisation, user_id: int) -> list[str]:
    from allauth.account.models import EmailAddress

    users = organisation.memberships.exclude(user_id=user_id).values("user_id")
    return list(EmailAddress.objects.filter(user_id__in=users, verified=True).values_list("email", flat=True))


@transaction.atomic
def create_api_key(*, organisation: Organisation, name: str, actor: Actor) -> tuple[ApiKey, str]:
    """Returns the key object and the secret, which is shown once and never stored."""
    prefix = new_token(6)[:8]
    secret = f"cr_{prefix}_{new_token(32)}"
    key = ApiKey.objects.create(
        organisation=organisation, name=name, prefix=prefix, key_hash=hash_token(secret), created_by=actor.user
    )
    _audit(
        Action.CHANGE,
        actor=actor,
        organisation=organisation,
        object_type="organisations.apikey",
        object_id=key.pk,
        event="api_key_created",
        prefix=prefix,
    )
    return key, secret


@transaction.atomic
def revoke_api_key(key: ApiKey, *, actor: Actor, reason: str = "revoked") -> None:
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        _audit(
            Action.CHANGE,
            actor=actor,
            organisation=key.organisation,
            object_type="organisations.apikey",
            object_id=key.pk,
            event="api_key_revoked",
            reason=reason,
            prefix=key.prefix,
        )


def authenticate_api_key(secret: str) -> ApiKey | None:
    key = (
        ApiKey.objects.select_related("organisation")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, organisation__is_active=True)
        .first()
    )
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
