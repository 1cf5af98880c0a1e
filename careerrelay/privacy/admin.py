from django.contrib import admin

from careerrelay.privacy.models import ProvisionRecord, RetentionRun, StopUseNotice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(ProvisionRecord)
class ProvisionRecordAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient_organisation", "recipient_user", "channel", "items", "subject_key")
    list_filter = ("channel", "purpose", "recipient_organisation")
    search_fields = ("=subject_key",)
    list_select_related = ("recipient_organisation", "recipient_user")
    date_hierarchy = "created_at"
    exclude = ("candidate",)  # the subject key is enough here; no name on this page


@admin.register(StopUseNotice)
class StopUseNoticeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "agency", "purpose", "subject_key", "acknowledged_at")
    list_filter = ("purpose", "agency")
    search_fields = ("=subject_key",)


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "reminded", "deleted", "expired_provision_records")
