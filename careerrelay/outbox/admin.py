from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.outbox.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, for looking into a delivery problem. The worker owns the state machine.

    Bodies are cleared once a message is delivered; a body with a sign-in, verification, reset or
    invitation link is never shown, even while queued. Opening an entry is audited."""

    list_display = ("created_at", "to_email", "subject", "template", "state", "delivery_status", "attempts", "sent_at")
    # delivery_status: what the mail provider reported later (delivered, deferred, bounced, complained).
    list_filter = ("state", "delivery_status", "template")
    search_fields = ("=to_email", "subject", "=message_id", "=provider_message_id")
    date_hierarchy = "created_at"
    exclude = ("click_token_hash", "unsubscribe_token_hash", "body_text", "body_html")
    readonly_fields = ("text_body", "html_body")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _body(self, obj, value):
        if obj.carries_sign_in_link:
            return _("非表示: ログイン用のリンクを含むため")
        if not value and obj.state == OutboundEmail.State.SENT:
            return _("送信後に消去されました")
        return value

    @admin.display(description=_("本文(テキスト)"))
    def text_body(self, obj):
        return self._body(obj, obj.body_text)

    @admin.display(description=_("本文(HTML)"))
    def html_body(self, obj):
        return self._body(obj, obj.body_html)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        message = self.get_object(request, object_id)
        if message is not None and response.status_code == 200:
            record_event(
                actor=Actor.from_request(request),
                action=Action.VIEW,
                object_type="mailings.outboundemail",
                object_id=message.pk,
                template=message.template,
            )
        return response
