from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careerrelay.accounts.models import User
from careerrelay.audit.services import Action, ActorKind, record_event
from careerrelay.common.japanese import normalize_email
from careerrelay.common.text import validate_one_line
from careerrelay.common.tokens import hash_token, new_token
from careerrelay.mailings.services import queue_email
from careerrelay.organisations.models import ApiKey, Invitation, Membership, Organisation
from careerrelay.relay.services import create_campaign

INVITATION_DAYS = 7


class InvitationError(Exception):
    pass


@transaction.atomic
def create_employer(*, name: str, admin: User) -> Organisation:
    """Raises ValidationError for a name with control characters (it becomes a mail header)."""
    name = " ".join(name.split())
    validate_one_line(name)
    organisation = Organisation.objects.create(kind=Organisation.Kind.EMPLOYER, name=name)
    Membership.objects.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    create_campaign(organisation=organisation, name=_("標準リレーリンク"), is_default=True)
    return organisation


def memberships_for(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("organisation").order_by("created_at", "id"))


@transaction.atomic
def invite_member(*, organisation: Organisation, email: str, role: str, invited_by: User, site_url: str) -> Invitation:
    email = normalize_email(email)
    Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
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
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()
    return invitation if invitation and invitation.is_open else None


@transaction.atomic
def accept_invitation(*, token: str, user: User) -> Membership:
    invitation = find_open_invitation(token)
    if invitation is None:
        raise InvitationError(_("この招待リンクは無効か、有効期限が切れています。"))
    if normalize_email(user.email) != invitation.email:
        raise InvitationError(_("この招待は別のメールアドレス宛てです。招待されたアドレスでログインしてください。"))
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now())
    if not claimed:
        raise InvitationError(_("この招待リンクはすでに使われています。"))
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    return membership


def revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())


def _actor_kind(actor, organisation: Organisation) -> str:
    if actor is None:
        return ActorKind.SYSTEM
    if actor.is_staff and not Membership.objects.filter(user=actor, organisation=organisation).exists():
        return ActorKind.STAFF
    return ActorKind.AGENCY if organisation.kind == Organisation.Kind.AGENCY else ActorKind.EMPLOYER


def _audit(action, *, actor, organisation, request, object_type, object_id, **detail):
    record_event(
        actor=actor,
        actor_kind=_actor_kind(actor, organisation),
        action=action,
        organisation=organisation,
        request=request,
        object_type=object_type,
        object_id=object_id,
        **detail,
    )


@transaction.atomic
def change_role(membership: Membership, role: str, *, actor: User | None = None, request=None) -> None:
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _audit(
        Action.CHANGE,
        actor=actor,
        organisation=membership.organisation,
        request=request,
        object_type="organisations.membership",
        object_id=membership.pk,
        user_id=membership.user_id,
        role_from=previous,
        role_to=role,
    )


@transaction.atomic
def remove_member(membership: Membership, *, actor: User | None = None, request=None) -> None:
    """The member leaves the team, and the API keys they created stop working with them: a key
    outliving its creator's access would be a way back in for someone who has left."""
    organisation = membership.organisation
    keys = list(
        ApiKey.objects.filter(organisation=organisation, created_by_id=membership.user_id, revoked_at__isnull=True)
    )
    for key in keys:
        revoke_api_key(key, actor=actor, request=request, reason="member_removed")
    _audit(
        Action.DELETE,
        actor=actor,
        organisation=organisation,
        request=request,
        object_type="organisations.membership",
        object_id=membership.pk,
        user_id=membership.user_id,
        role=membership.role,
        revoked_api_keys=[key.pk for key in keys],
    )
    membership.delete()


@transaction.atomic
def create_api_key(
    *, organisation: Organisation, name: str, created_by: User | None = None, request=None
) -> tuple[ApiKey, str]:
    """Returns the key object and the secret, which is shown once and never stored."""
    prefix = new_token(6)[:8]
    secret = f"cr_{prefix}_{new_token(32)}"
    key = ApiKey.objects.create(
        organisation=organisation, name=name, prefix=prefix, key_hash=hash_token(secret), created_by=created_by
    )
    _audit(
        Action.CHANGE,
        actor=created_by,
        organisation=organisation,
        request=request,
        object_type="organisations.apikey",
        object_id=key.pk,
        event="api_key_created",
        prefix=prefix,
    )
    return key, secret


@transaction.atomic
def revoke_api_key(key: ApiKey, *, actor: User | None = None, request=None, reason: str = "revoked") -> None:
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        _audit(
            Action.CHANGE,
            actor=actor,
            organisation=key.organisation,
            request=request,
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
