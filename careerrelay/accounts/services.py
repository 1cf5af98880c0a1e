"""Creating staff users, and the addresses staff sign in from (so that a relay registration from
one of them can be held)."""

import ipaddress
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from careerrelay.accounts.models import StaffSignIn, User
from careerrelay.common.http import client_ip


def create_user(
    email: str,
    password: str | None,
    *,
    name: str = "",
    language: str = "",
    email_verified: bool,
    operator: bool = False,
) -> User:
    """The one way a person gets an account (agency signup, an accepted invitation, demo data,
    the operator's commands), with the primary address allauth signs them in with. Verified only
    when the address was already proven (an invitation link reached it, an operator vouches for
    it); otherwise allauth's confirmation mail must do it. Without a password the person sets one
    through a reset link."""
    extra = {"name": name, "language": language or settings.LANGUAGE_CODE}
    if operator:
        user = User.objects.create_superuser(email=email, password=password, **extra)
    else:
        user = User.objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=email_verified, primary=True)
    return user


# Addresses that say nothing about where somebody is: the machine itself, or a private network,
# which is what every request shows when the app runs behind a proxy without
# RATELIMIT_IP_META_KEY. Recording those would hold every registration as "from the staff's IP".
_NOT_IDENTIFYING = [ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]


def identifies_a_network(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.is_loopback or address.is_link_local or address.is_unspecified:
        return False
    return not any(address.version == net.version and address in net for net in _NOT_IDENTIFYING)


def record_staff_signin(user, ip: str | None) -> None:
    if not ip or user is None or not user.pk or not identifies_a_network(ip):
        return
    now = timezone.now()
    updated = StaffSignIn.objects.filter(user=user, ip=ip).update(last_seen_at=now)
    if not updated:
        StaffSignIn.objects.get_or_create(user=user, ip=ip, defaults={"first_seen_at": now, "last_seen_at": now})


@receiver(user_logged_in, dispatch_uid="careerrelay.accounts.record_staff_signin")
def _record_staff_signin(sender, request, user, **kwargs):
    # Django's signal: allauth's sign-in, the operator console and email-confirmation logins all send it.
    # A hook into the framework's sign-in, which no service of ours runs; domain changes never use signals.
    if request is not None:
        record_staff_signin(user, client_ip(request))


def staff_signed_in_from(organisation_id: int, ip: str) -> bool:
    """Whether a member of this organisation signed in from this address in the last
    STAFF_SIGNIN_IP_DAYS days."""
    since = timezone.now() - timedelta(days=settings.STAFF_SIGNIN_IP_DAYS)
    return StaffSignIn.objects.filter(
        ip=ip, last_seen_at__gte=since, user__memberships__organisation_id=organisation_id
    ).exists()


def forget_old_staff_signins() -> int:
    """Addresses not seen for STAFF_SIGNIN_IP_DAYS are deleted (a periodic job)."""
    since = timezone.now() - timedelta(days=settings.STAFF_SIGNIN_IP_DAYS)
    deleted, _ = StaffSignIn.objects.filter(last_seen_at__lt=since).delete()
    return deleted
