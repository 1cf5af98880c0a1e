"""Addresses staff sign in from, so that a relay registration from one of them can be held."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from careerrelay.accounts.models import StaffSignIn
from careerrelay.common.http import client_ip


def record_staff_signin(user, ip: str | None) -> None:
    if not ip or user is None or not user.pk:
        return
    now = timezone.now()
    updated = StaffSignIn.objects.filter(user=user, ip=ip).update(last_seen_at=now)
    if not updated:
        StaffSignIn.objects.get_or_create(user=user, ip=ip, defaults={"first_seen_at": now, "last_seen_at": now})


@receiver(user_logged_in, dispatch_uid="careerrelay.accounts.record_staff_signin")
def _record_staff_signin(sender, request, user, **kwargs):
    # Django's signal: allauth's sign-in, the operator console and email-confirmation logins all send it.
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
