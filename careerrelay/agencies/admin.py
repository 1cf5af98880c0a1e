from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from careerrelay.agencies import services
from careerrelay.agencies.models import AgencyProfile
from careerrelay.audit.actor import Actor


@admin.register(AgencyProfile)
class AgencyProfileAdmin(admin.ModelAdmin):
    """The operator approves an agency here after checking its licence number against the
    Ministry's register (人材サービス総合サイト). Approval and suspension go through the services,
    which write the audit event; the state cannot be edited by hand."""

    list_display = ("organisation", "licence_number", "representative", "state", "created_at", "approved_at")
    list_filter = ("state",)
    search_fields = ("organisation__name", "licence_number")
    list_select_related = ("organisation", "approved_by")
    readonly_fields = ("organisation", "licence_number", "state", "approved_at", "approved_by", "created_at")
    fields = ("organisation", "licence_number", "address", "representative", *readonly_fields[2:])
    actions = ["approve", "suspend"]

    def has_add_permission(self, request):
        return False  # agencies sign up at /agency/signup/ or are created with manage.py create_agency

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("選択した人材紹介会社を承認する"))
    def approve(self, request, queryset):
        actor = Actor.from_request(request)
        done = sum(
            services.approve_agency(organisation=profile.organisation, actor=actor)
            for profile in queryset.select_related("organisation")
        )
        self.message_user(
            request,
            ngettext("%(n)d社を承認しました。", "%(n)d社を承認しました。", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("選択した人材紹介会社を停止する"))
    def suspend(self, request, queryset):
        actor = Actor.from_request(request)
        done = sum(
            services.suspend_agency(organisation=profile.organisation, actor=actor)
            for profile in queryset.select_related("organisation")
        )
        self.message_user(
            request,
            ngettext("%(n)d社を停止しました。", "%(n)d社を停止しました。", done) % {"n": done},
            messages.SUCCESS,
        )
