"""The operator console's read-only view of ATS integrations and their deliveries.

Neither the signing secret nor the Lever API key is ever shown (only their last characters, as the
employer sees them). A delivery's body is shown only once its contact data was removed
(redact.py); a pending or failed body, which still names the person, is not shown at all.
Opening a delivery is audited. Replays and mappings are the employer's, in their workspace."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.integrations.models import Delivery, Integration, ReasonMapping


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class ReasonMappingInline(admin.TabularInline):
    model = ReasonMapping
    fields = ("ats_reason", "mapped", "action", "reason", "template", "auto_send", "seen_count", "last_seen_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "kind", "active", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("name", "organisation__name", "=public_id")
    list_select_related = ("organisation",)
    fields = (
        "organisation",
        "kind",
        "name",
        "active",
        "public_id",
        "secret_hint",
        "api_key_hint",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = [ReasonMappingInline]

    @admin.display(description=_("署名用シークレット"))
    def secret_hint(self, obj):
        return obj.secret_hint

    @admin.display(description=_("Lever APIキー"))
    def api_key_hint(self, obj):
        return obj.api_key_hint or "—"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "integration",
        "organisation",
        "outcome",
        "short_message",
        "attempts",
        "processed_at",
    )
    list_filter = ("outcome", "integration__kind")
    search_fields = ("=event_id", "integration__name", "integration__organisation__name")
    list_select_related = ("integration__organisation",)
    date_hierarchy = "received_at"
    fields = (
        "integration",
        "event_id",
        "received_at",
        "outcome",
        "message",
        "counts",
        "attempts",
        "retry_at",
        "processed_at",
        "redacted_body",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body")

    @admin.display(description=_("会社"))
    def organisation(self, obj):
        return obj.integration.organisation

    @admin.display(description=_("メッセージ"))
    def short_message(self, obj):
        return (obj.message[:80] + "…") if len(obj.message) > 80 else obj.message

    @admin.display(description=_("受信内容（連絡先を除く）"))
    def redacted_body(self, obj):
        if not obj.body_redacted:
            return _("非表示: 処理前・要対応の受信内容は連絡先を含むため")
        body = bytes(Delivery.objects.filter(pk=obj.pk).values_list("body", flat=True).get())
        return format_html("<pre>{}</pre>", body.decode("utf-8", "replace"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        delivery = self.get_object(request, admin.utils.unquote(object_id))
        if delivery is not None and response.status_code == 200:
            record_event(
                actor=Actor.from_request(request),
                action=Action.VIEW,
                organisation=delivery.integration.organisation,
                object_type="ats_delivery",
                object_id=delivery.pk,
            )
        return response
