from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from careerrelay.credits.services import get_balance
from careerrelay.organisations.models import ApiKey, Invitation, Membership, Organisation
from careerrelay.organisations.services import remove_member, revoke_api_key
from careerrelay.relay.services import create_campaign


class MembershipRemovalThroughService:
    """A membership deleted in a console inline goes the way of one removed by the company's admin:
    the API keys the person created stop working, and the removal is audited."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            remove_member(membership, actor=request.user, request=request)
        for membership in instances:
            membership.save()
        formset.save_m2m()
        return None


def remove_memberships_of(users, request) -> None:
    """Before a user is deleted in the console: their API keys would otherwise outlive them
    (ApiKey.created_by is SET_NULL)."""
    for membership in Membership.objects.filter(user__in=users).select_related("organisation"):
        remove_member(membership, actor=request.user, request=request)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(MembershipRemovalThroughService, admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "member_count", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    readonly_fields = ("created_at", "balance")
    fields = ("kind", "name", "is_active", "created_at", "balance")
    inlines = [MembershipInline]
    actions = ["adjust_credits"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_members=Count("memberships"))

    @admin.display(description=_("メンバー数"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description=_("紹介・無料紹介枠"))
    def balance(self, obj):
        if obj.pk is None or obj.kind != Organisation.Kind.EMPLOYER:
            return "-"
        b = get_balance(obj)
        return _("カウント済み紹介 %(counted)d件 / 付与 %(earned)d枠 / 利用可能 %(available)d枠") % {
            "counted": b.counted_referrals,
            "earned": b.credits_earned,
            "available": b.credits_available,
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # An employer always has its default relay link, as create_employer makes it.
        if obj.kind == Organisation.Kind.EMPLOYER and not obj.campaigns.filter(is_default=True).exists():
            create_campaign(organisation=obj, name=_("標準リレーリンク"), is_default=True)

    @admin.action(description=_("無料紹介枠を調整する(理由を記録)"))
    def adjust_credits(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("調整する組織を1つだけ選んでください。"), messages.WARNING)
            return None
        url = reverse("admin:credits_ledgerentry_adjust")
        return HttpResponseRedirect(f"{url}?organisation={queryset.get().pk}")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created in the workspace or by create_company: the secret is shown only there."""

    list_display = ("prefix", "name", "organisation", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "organisation__name")
    list_select_related = ("organisation",)
    fields = ("organisation", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("organisations.change_apikey")

    @admin.action(description=_("選択したAPIキーを無効にする"), permissions=["revoke"])
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            revoke_api_key(key, actor=request.user, request=request)
        self.message_user(request, _("APIキーを無効にしました。"), messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_select_related = ("organisation",)
    search_fields = ("email", "organisation__name")
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
