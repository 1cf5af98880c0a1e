"""`notify()` is called by the service function that made a change, inside its transaction, after
the change: the list entries and the outbox rows commit (or roll back) with it, and the email is
rendered from the state the change left."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from careerrelay.accounts.models import User
from careerrelay.notifications.models import AGENCY_KINDS, EMPLOYER_KINDS, Kind, Notification, NotificationPreference
from careerrelay.outbox.services import queue_email

# The email of each kind: emails/<template>_subject.txt, .txt and .html.
TEMPLATES: dict[str, str] = {
    Kind.PROPOSAL_WAITING: "matching_free_referral_proposed",
    Kind.REQUEST_EXPIRED: "matching_free_referral_expired",
}


def _template(kind: str) -> str:
    return TEMPLATES.get(kind, f"notify_{kind}")


def _settings_path(kind: str) -> str:
    if kind in AGENCY_KINDS:
        return reverse("agency:notifications")
    if kind in EMPLOYER_KINDS:
        return reverse("employer:notifications")
    return ""  # operators: the email only says what waits in the console


def members(organisation) -> list[User]:
    return [m.user for m in organisation.memberships.select_related("user").order_by("pk") if m.user.is_active]


def operators() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk"))


def email_enabled(user: User, kind: str) -> bool:
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return preference is None or preference.email


def notify(*, kind: str, users, organisation=None, url: str = "", params: dict | None = None, context=None) -> None:
    """One list entry per person, and one email each unless they switched `kind` off. `params`
    fill the list line (stored, so keep them plain strings); `context` fills the email."""
    seen = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        Notification.objects.create(user=user, organisation=organisation, kind=kind, params=params or {}, url=url)
        if not email_enabled(user, kind):
            continue
        settings_path = _settings_path(kind)
        queue_email(
            to=user.email,
            template=_template(kind),
            context={
                **(context or {}),
                "user": user,
                "organisation": organisation,
                "url": settings.SITE_URL + url if url else settings.SITE_URL,
                "settings_url": settings.SITE_URL + settings_path if settings_path else "",
            },
            language=user.language,
        )


def notifications_for(user: User):
    return Notification.objects.filter(user=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def save_preferences(*, user: User, kinds, enabled: set[str], language: str) -> None:
    for kind in kinds:
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": kind in enabled})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
