from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from careerrelay.audit.actor import Actor
from careerrelay.candidates.services import reevaluate_after_company_approval
from careerrelay.credits.services import get_balance
from careerrelay.organisations import services
from careerrelay.organisations.models import ApiKey, Invitation, LinkDomain, Membership, Organisation
from careerrelay.organisations.services import remove_member, revoke_api_key
from careerrelay.relay.services import create_campaign
from careerrelay.sends import trust


class MembershipRemovalThroughService:
    """A membership deleted in a console inline goes the way of one removed by the company's admin:
    the API keys the person created stop working, and the removal is audited."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            remove_member(membership, actor=Actor.from_request(request))
        for membership in instances:
            membership.save()
        formset.save_m2m()
        return None


def remove_memberships_of(users, request) -> None:
    """Before a user is deleted in the console: their API keys would otherwise outlive them
    (ApiKey.created_by is SET_NULL)."""
    for membership in Membership.objects.filter(user__in=users).select_related("organisation"):
        remove_member(membership, actor=Actor.from_request(request))


def _count_of(model_label: str):
    """A per-organisation count as a subquery, so four of them in one list stay one query."""
    from django.apps import apps

    model = apps.get_model(model_label)
    rows = model.objects.filter(organisation=OuterRef("pk")).order_by().values("organisation")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)


class LinkDomainInline(admin.TabularInline):
    """The company's verified domains: its mail may link to them (and load images from them)."""

    model = LinkDomain
    extra = 0
    fields = ("domain", "added_by", "created_at")
    readonly_fields = ("added_by", "created_at")
    verbose_name = _("確認済みドメイン")
    verbose_name_plural = _("確認済みドメイン(メールからリンクできるドメイン)")


@admin.register(Organisation)
class OrganisationAdmin(MembershipRemovalThroughService, admin.ModelAdmin):
    """Also the review queue of self-service employers: filter by 審査状況 = 審査中. The operator
    checks the name against the work domain and what the company set up, corrects the name to
    approve (承認済みの会社名, the From display name of its mail) and approves or rejects. State
    changes go through the services, which audit them and tell the company's admins."""

    list_display = (
        "name",
        "kind",
        "review",
        "is_active",
        "work_domain",
        "signup_ip",
        "member_count",
        "setup",
        "created_at",
    )
    list_filter = ("status", "kind", "is_active")
    search_fields = ("name", "approved_name", "work_domain")
    readonly_fields = (
        "status",
        "is_active",
        "signup_ip",
        "approved_at",
        "approved_by",
        "setup",
        "sending",
        "created_at",
        "balance",
    )
    fields = (
        "kind",
        "name",
        "approved_name",
        "status",
        "is_active",
        "work_domain",
        "signup_ip",
        "setup",
        "sending",
        "reply_to_email",
        "approved_at",
        "approved_by",
        "created_at",
        "balance",
    )
    inlines = [MembershipInline, LinkDomainInline]
    actions = ["approve", "reject", "suspend", "reactivate", "adjust_credits"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=_count_of("organisations.Membership"),
                n_campaigns=_count_of("relay.RelayCampaign"),
                n_templates=_count_of("rejections.RejectionTemplate"),
                n_applicants=_count_of("talent.Applicant"),
                n_sends=_count_of("sends.Send"),
            )
        )

    @admin.display(description=_("メンバー数"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description=_("審査状況"), ordering="status")
    def review(self, obj):
        # Agencies are reviewed on their agency profile (licence), not here.
        return obj.get_status_display() if obj.kind == Organisation.Kind.EMPLOYER else "-"

    @admin.display(description=_("送信の状況"))
    def sending(self, obj):
        if obj.pk is None or obj.kind != Organisation.Kind.EMPLOYER:
            return "-"
        from django.utils import timezone

        now = timezone.now()
        quota = trust.quota(obj, now)
        return _("本日 %(used)d / 上限 %(limit)d 件・直近の不達率 %(bounce)s‰") % {
            "used": quota.used,
            "limit": quota.limit,
            "bounce": trust.bounce_permille(obj, now),
        }

    @admin.display(description=_("準備の状況"))
    def setup(self, obj):
        if obj.pk is None:
            return "-"
        return _("リレーリンク %(campaigns)d / テンプレート %(templates)d / 応募者 %(applicants)d / 送信 %(sends)d") % {
            "campaigns": getattr(obj, "n_campaigns", 0),
            "templates": getattr(obj, "n_templates", 0),
            "applicants": getattr(obj, "n_applicants", 0),
            "sends": getattr(obj, "n_sends", 0),
        }

    def _report(self, request, done: int, message: str):
        self.message_user(request, message % {"n": done}, messages.SUCCESS if done else messages.WARNING)

    @admin.action(description=_("選択した企業を承認する(会社名とドメインを確認済みとして)"))
    def approve(self, request, queryset):
        actor = Actor.from_request(request)
        done = 0
        for organisation in queryset.filter(kind=Organisation.Kind.EMPLOYER):
            try:
                with transaction.atomic():
                    approved = services.approve_employer(organisation=organisation, actor=actor)
                    if approved:
                        # Registrations that waited for this approval count now, unless held otherwise.
                        reevaluate_after_company_approval(organisation, actor=actor)
                done += approved
            except ValidationError:
                self.message_user(
                    request,
                    _("%(name)s: 会社名に使えない文字があります。") % {"name": organisation.name},
                    messages.ERROR,
                )
        self._report(request, done, ngettext("%(n)d社を承認しました。", "%(n)d社を承認しました。", done))

    @admin.action(description=_("選択した審査中の企業を却下する"))
    def reject(self, request, queryset):
        actor = Actor.from_request(request)
        done = sum(services.reject_employer(organisation=organisation, actor=actor) for organisation in queryset)
        self._report(request, done, ngettext("%(n)d社を却下しました。", "%(n)d社を却下しました。", done))

    @admin.action(description=_("選択した組織を停止する(未送信のメールはすべて取り消し)"))
    def suspend(self, request, queryset):
        actor = Actor.from_request(request)
        done = sum(services.suspend_organisation(organisation=organisation, actor=actor) for organisation in queryset)
        self._report(request, done, ngettext("%(n)d社を停止しました。", "%(n)d社を停止しました。", done))

    @admin.action(description=_("選択した組織の停止を解除する"))
    def reactivate(self, request, queryset):
        actor = Actor.from_request(request)
        done = sum(
            services.reactivate_organisation(organisation=organisation, actor=actor) for organisation in queryset
        )
        self._report(request, done, ngettext("%(n)d社の停止を解除しました。", "%(n)d社の停止を解除しました。", done))

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not LinkDomain:
            # Memberships: a removal goes through the service (keys revoked, audited).
            return super().save_formset(request, form, formset, change)
        for instance in formset.save(commit=False):
            if instance.added_by_id is None:
                instance.added_by = request.user
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()
        return None

    def save_model(self, request, obj, form, change):
        if not change:
            # Created by an operator in the console: vouched for as it is.
            obj.status = Organisation.Status.APPROVED
            obj.approved_name = obj.approved_name or obj.name
            obj.approved_by = request.user
            from django.utils import timezone

            obj.approved_at = timezone.now()
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


@admin.register(LinkDomain)
class LinkDomainAdmin(admin.ModelAdmin):
    """The operator's allow-list (rows without a company: every company may link there, e.g. a
    job board or a map service) and every company's verified domains."""

    list_display = ("domain", "organisation", "added_by", "created_at")
    list_filter = (("organisation", admin.EmptyFieldListFilter),)
    search_fields = ("domain", "organisation__name")
    list_select_related = ("organisation", "added_by")
    fields = ("domain", "organisation", "added_by", "created_at")
    readonly_fields = ("added_by", "created_at")
    raw_id_fields = ("organisation",)

    def save_model(self, request, obj, form, change):
        if obj.added_by_id is None:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


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
            revoke_api_key(key, actor=Actor.from_request(request))
        self.message_user(request, _("APIキーを無効にしました。"), messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "used_at", "revoked_at")
    list_select_related = ("organisation",)
    search_fields = ("email", "organisation__name")
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
