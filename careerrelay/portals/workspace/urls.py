"""The pages every workspace has, for each portal's urls.py to include under its own namespace:
`path("team/", include(team_urls(Organisation.Kind.AGENCY)))`. The names are the same in both
namespaces (`employer:team`, `agency:team`)."""

from django.urls import path

from careerrelay.organisations.models import Membership
from careerrelay.portals.workspace import api_keys, invitations, notifications, team, webhooks
from careerrelay.portals.workspace.access import workspace_view

ADMIN = Membership.Role.ADMIN


def team_urls(kind: str) -> list:
    return [
        path("", workspace_view(kind)(team.team), name="team"),
        path(
            "invitations/<int:pk>/revoke/",
            workspace_view(kind, ADMIN)(team.invitation_revoke),
            name="invitation_revoke",
        ),
        path("members/<int:pk>/role/", workspace_view(kind, ADMIN)(team.member_role), name="member_role"),
        path("members/<int:pk>/remove/", workspace_view(kind, ADMIN)(team.member_remove), name="member_remove"),
    ]


def api_key_urls(kind: str) -> list:
    return [
        path("", workspace_view(kind, ADMIN)(api_keys.api_keys), name="api_keys"),
        path("<int:pk>/revoke/", workspace_view(kind, ADMIN)(api_keys.api_key_revoke), name="api_key_revoke"),
    ]


def webhook_urls(kind: str) -> list:
    """Members read the endpoints and their deliveries; admins change them."""
    return [
        path("", workspace_view(kind)(webhooks.webhooks_page), name="webhooks"),
        path("new/", workspace_view(kind, ADMIN)(webhooks.webhook_new), name="webhook_new"),
        path("<int:pk>/", workspace_view(kind)(webhooks.webhook_detail), name="webhook"),
        path("<int:pk>/edit/", workspace_view(kind, ADMIN)(webhooks.webhook_edit), name="webhook_edit"),
        path("<int:pk>/delete/", workspace_view(kind, ADMIN)(webhooks.webhook_delete), name="webhook_delete"),
        path("<int:pk>/rotate/", workspace_view(kind, ADMIN)(webhooks.webhook_rotate), name="webhook_rotate"),
        path("<int:pk>/test/", workspace_view(kind, ADMIN)(webhooks.webhook_test), name="webhook_test"),
        path(
            "deliveries/<int:pk>/redeliver/",
            workspace_view(kind, ADMIN)(webhooks.webhook_redeliver),
            name="webhook_redeliver",
        ),
    ]


def notification_urls(kind: str) -> list:
    return [path("", workspace_view(kind)(notifications.notifications_page), name="notifications")]


# Reached by the token in the email, not through a membership: the person may have no account yet.
invitation_urls = [
    path("<str:token>/", invitations.accept_invitation, name="accept_invitation"),
    path("<str:token>/switch/", invitations.switch_account, name="switch_account"),
]
