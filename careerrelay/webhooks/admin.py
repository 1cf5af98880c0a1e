"""The operator console's read-only view of outbound webhooks: endpoints (never their secret),
deliveries and each attempt with the server's answer. Event payloads are not shown: they are the
organisation's business data, and the attempts say what went wrong."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from careerrelay.webhooks.models import Attempt, Delivery, Endpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "organisation", "active", "consecutive_failures", "failing_since", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "organisation__name")
    list_select_related = ("organisation",)
    exclude = ("secret",)
    readonly_fields = (
        "organisation",
        "url",
        "description",
        "event_types",
        "active",
        "disabled_reason",
        "consecutive_failures",
        "failing_since",
        "created_by",
        "created_at",
        "updated_at",
    )


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("number", "created_at", "status_code", "succeeded", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "endpoint", "event_type", "state", "attempts", "next_attempt_at")
    list_filter = ("state", "event__type")
    search_fields = ("endpoint__url", "endpoint__organisation__name")
    list_select_related = ("endpoint", "event")
    fields = ("endpoint", "event_type", "state", "attempts", "next_attempt_at", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [AttemptInline]

    @admin.display(description=_("イベント"))
    def event_type(self, obj):
        return obj.event.get_type_display()


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "delivery", "number", "status_code", "succeeded", "duration_ms", "error")
    list_filter = ("succeeded",)
    list_select_related = ("delivery__endpoint",)
    readonly_fields = AttemptInline.fields
    fields = AttemptInline.fields
