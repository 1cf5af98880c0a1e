from django.contrib import admin

from careerrelay.relay.models import RelayCampaign


@admin.register(RelayCampaign)
class RelayCampaignAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organisation",
        "code",
        "is_default",
        "is_active",
        "landing_views",
        "registrations",
        "verified",
    )
    list_filter = ("is_active", "is_default")
    search_fields = ("name", "code", "organisation__name")
    list_select_related = ("organisation",)
    fields = (
        "organisation",
        "name",
        "is_active",
        "code",
        "is_default",
        "landing_views",
        "registrations",
        "verified",
        "created_at",
    )
    # The funnel figures are bumped by the app; codes are random and permanent.
    readonly_fields = ("organisation", "code", "is_default", "landing_views", "registrations", "verified", "created_at")

    def has_add_permission(self, request):
        return False  # the employer adds campaigns in the workspace

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger refers to campaigns: disable one instead
