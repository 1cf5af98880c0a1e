"""The operators' own list of what waits for them (new agency applications, held registrations),
in the console: each operator sees their own notifications, newest first, linked to the page
where the work is. Read-only; opening the list marks it read, like the workspaces' list."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from careerrelay.notifications import services as notifications
from careerrelay.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "message", "unread")
    list_filter = ("kind",)
    list_display_links = None
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    @admin.display(description=_("内容"))
    def message(self, obj):
        return format_html('<a href="{}">{}</a>', obj.url, obj.text()) if obj.url else obj.text()

    @admin.display(description=_("未読"), boolean=True)
    def unread(self, obj):
        return obj.read_at is None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "render"):
            response.render()  # the unread marks are shown before they are cleared
        notifications.mark_all_read(request.user)
        return response

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_actions(self, request):
        return {}
