from django.utils.functional import SimpleLazyObject

from careerrelay.notifications.services import unread_count


def unread(request):
    """The count next to the workspace menu's お知らせ link; counted only by pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
