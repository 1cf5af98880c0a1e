"""Read-only views for operators: state changes go through matching.services (ledger + audit),
never through an admin form."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.db.models import Case, Count, F, FloatField, Max, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careerrelay.matching.models import (
    DecliningEmployer,
    FreeReferralProposal,
    FreeReferralRequest,
    Introduction,
    IntroductionEvent,
)
from careerrelay.organisations.models import Organisation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProposalInline(admin.TabularInline):
    model = FreeReferralProposal
    extra = 0
    fields = ("agency", "state", "proposed_at", "decided_at", "decline_category", "decline_reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FreeReferralRequest)
class FreeReferralRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organisation", "role", "deadline", "state", "claimed_by", "claim_expires_at")
    list_filter = ("state",)
    search_fields = ("organisation__name", "role", "=public_id")
    list_select_related = ("organisation", "claimed_by")
    inlines = [ProposalInline]


class EventInline(admin.TabularInline):
    model = IntroductionEvent
    extra = 0
    fields = ("created_at", "stage", "party", "actor_user", "interview_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Introduction)
class IntroductionAdmin(ReadOnlyAdmin):
    # The candidate is shown by the pseudonymous key only; opening the person is the candidate admin's job.
    list_display = ("created_at", "agency", "company_name", "role", "stage", "interview_commitment")
    list_filter = ("stage", "interview_commitment")
    search_fields = ("agency__name", "company_name", "role", "=public_id")
    list_select_related = ("agency",)
    exclude = ("candidate", "message")
    inlines = [EventInline]


@admin.register(DecliningEmployer)
class DecliningEmployerAdmin(ReadOnlyAdmin):
    """Companies by their declined free-referral proposals over the last
    FREE_REFERRAL_DECLINE_WINDOW_DAYS, most declines first, sortable by each figure. A company that
    declines again and again may be reading candidates and getting its credit back at the deadline."""

    list_display = ("name", "declines", "confirmed", "decline_rate", "latest_decline")
    search_fields = ("name",)
    list_display_links = None

    def get_ordering(self, request):
        return ["-declines", "name"]  # annotations: not checkable as `ordering`

    def get_queryset(self, request):
        since = timezone.now() - timedelta(days=settings.FREE_REFERRAL_DECLINE_WINDOW_DAYS)
        proposals = "free_referral_requests__proposals"
        in_window = Q(**{f"{proposals}__decided_at__gte": since})
        declined = Q(**{f"{proposals}__state": FreeReferralProposal.State.DECLINED}) & in_window
        confirmed = Q(**{f"{proposals}__state": FreeReferralProposal.State.CONFIRMED}) & in_window
        return (
            self.model._default_manager.filter(kind=Organisation.Kind.EMPLOYER)
            .annotate(
                declines=Count(proposals, filter=declined),
                confirmed=Count(proposals, filter=confirmed),
                latest_decline=Max(f"{proposals}__decided_at", filter=declined),
            )
            .annotate(
                decline_rate=Case(
                    When(declines=0, then=Value(0.0)),
                    default=Cast(F("declines"), FloatField()) / Cast(F("declines") + F("confirmed"), FloatField()),
                    output_field=FloatField(),
                )
            )
            .filter(declines__gt=0)
        )

    @admin.display(description=_("見送り"), ordering="declines")
    def declines(self, obj):
        return obj.declines

    @admin.display(description=_("面接確定"), ordering="confirmed")
    def confirmed(self, obj):
        return obj.confirmed

    @admin.display(description=_("見送りの割合"), ordering="decline_rate")
    def decline_rate(self, obj):
        return f"{round(100 * obj.decline_rate)}%"

    @admin.display(description=_("最後の見送り"), ordering="latest_decline")
    def latest_decline(self, obj):
        return obj.latest_decline

    def changelist_view(self, request, extra_context=None):
        days = settings.FREE_REFERRAL_DECLINE_WINDOW_DAYS
        extra_context = {
            **(extra_context or {}),
            "title": _("見送りの多い企業(直近%(days)s日間)") % {"days": days},
        }
        return super().changelist_view(request, extra_context)
