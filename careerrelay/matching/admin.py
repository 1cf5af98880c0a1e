"""Read-only views for operators: state changes go through matching.services (ledger + audit),
never through an admin form."""

from django.contrib import admin

from careerrelay.matching.models import FreeReferralProposal, FreeReferralRequest, Introduction, IntroductionEvent


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
    fields = ("agency", "state", "proposed_at", "decided_at", "decline_reason")
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
