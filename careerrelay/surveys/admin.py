"""The operator console's page for CareerRelay's own survey: the NPS of the service, with counts,
its interval and the comments. Read-only; the candidate is never shown beside an answer."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from careerrelay.surveys import services as surveys
from careerrelay.surveys.models import ServiceSurveyResponse


@admin.register(ServiceSurveyResponse)
class ServiceSurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("month", "score", "comment")
    list_display_links = None
    list_filter = ("score",)
    fields = ("score", "comment", "good_points", "improvements")
    ordering = ("-invitation__sent_month", "comment", "id")

    def get_queryset(self, request):
        return surveys.service_responses().select_related("invitation")

    @admin.display(description=_("月"), ordering="invitation__sent_month")
    def month(self, obj):
        return obj.invitation.sent_month.strftime("%Y-%m")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        responses = surveys.service_responses()
        total = surveys.overall(responses)
        extra_context = {
            **(extra_context or {}),
            "nps": total,
            "threshold": surveys.THRESHOLD,
            "by_month": surveys.summary(responses, "month"),
            "reasons": surveys.reason_counts(responses, surveys.Kind.SERVICE),
        }
        return super().changelist_view(request, extra_context)
