from django.contrib import admin

from careerrelay.mailings.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, for looking into a delivery problem. The worker owns the state machine."""

    list_display = ("created_at", "to_email", "subject", "template", "state", "attempts", "sent_at")
    list_filter = ("state", "template")
    search_fields = ("=to_email", "subject", "=message_id")
    date_hierarchy = "created_at"
    exclude = ("click_token_hash", "unsubscribe_token_hash")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
