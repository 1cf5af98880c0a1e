from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from careerrelay.audit.services import Actor
from careerrelay.sends import trust
from careerrelay.sends.models import SendingPause


class OpenFilter(admin.SimpleListFilter):
    title = _("状態")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("停止中")), ("0", _("解除済み"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(SendingPause)
class SendingPauseAdmin(admin.ModelAdmin):
    """Companies whose sends are paused for complaints (sends.trust): the operators' list, and the
    one way to lift a pause (audited). The worker creates the rows; nobody edits them."""

    list_display = ("organisation", "reason", "complaints", "sent", "rate_percent", "created_at", "lifted_at")
    list_filter = (OpenFilter,)
    list_select_related = ("organisation",)
    actions = ["lift"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("苦情率"))
    def rate_percent(self, obj):
        return obj.rate_percent

    @admin.action(description=_("選択した一時停止を解除する(送信を再開)"))
    def lift(self, request, queryset):
        actor = Actor.from_request(request)
        done = sum(trust.lift_pause(pause, actor=actor) for pause in queryset.select_related("organisation"))
        self.message_user(
            request,
            ngettext("%(n)d件の一時停止を解除しました。", "%(n)d件の一時停止を解除しました。", done) % {"n": done},
            messages.SUCCESS if done else messages.WARNING,
        )
