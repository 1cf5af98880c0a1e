from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from careerrelay.audit.actor import Actor
from careerrelay.audit.admin import AuditedAdminMixin
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.candidates.services import NotHeld, reject_from_review, release_from_review
from careerrelay.common.mailboxes import email_domain


class ReadOnlyMixin:
    """Records nobody edits from the console: consents are append-only evidence."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConsentInline(ReadOnlyMixin, admin.TabularInline):
    model = Consent
    extra = 0
    fields = ("created_at", "purpose", "action", "notice_version", "ip_address")
    readonly_fields = fields
    can_delete = False


@admin.register(Candidate)
class CandidateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # The list filtered on held_for_review is the operators' review queue for referral fraud:
    # each row shows why it was held, for which company and link, from where.
    list_display = (
        "__str__",
        "employer",
        "source_campaign",
        "status",
        "referral_status",
        "held_for_review",
        "reasons",
        "registration_ip",
        "domain",
        "created_at",
        "verified_at",
    )
    list_filter = ("status", "referral_status", "held_for_review")
    search_fields = ("=email_normalized", "=public_id")
    list_select_related = ("source_campaign__organisation",)
    date_hierarchy = "created_at"
    inlines = [ConsentInline]
    actions = ["release", "reject"]
    fieldsets = (
        (
            _("本人が入力した情報"),
            {
                "fields": (
                    ("family_name", "given_name"),
                    ("family_name_kana", "given_name_kana"),
                    "email",
                    "phone",
                    "prefecture",
                    "job_category",
                    "years_experience",
                    "skills",
                    "summary",
                )
            },
        ),
        (
            _("登録と紹介の判定"),
            {
                "fields": (
                    "public_id",
                    "source_campaign",
                    "status",
                    "verified_at",
                    "referral_status",
                    "held_for_review",
                    "reasons",
                    "registration_ip",
                    "language",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    # View only: what the person entered is theirs to correct, and the referral state changes
    # only through the services (see the release action).
    def has_change_permission(self, request, obj=None):
        return False

    def has_release_permission(self, request):
        return request.user.has_perm("candidates.change_candidate")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deletion must also reach files and indexes: the candidate does it

    @admin.display(description=_("リレー元企業"), ordering="source_campaign__organisation__name")
    def employer(self, obj):
        return obj.source_campaign.organisation.name if obj.source_campaign else "-"

    def get_readonly_fields(self, request, obj=None):
        return ("reasons",)

    @admin.display(description=_("保留の理由"))
    def reasons(self, obj):
        return "、".join(str(Candidate.HoldReason(code).label) for code in obj.hold_reasons) or "-"

    @admin.display(description=_("メールのドメイン"))
    def domain(self, obj):
        return email_domain(obj.email_normalized)

    def _decide(self, request, queryset, decide):
        actor = Actor.from_request(request)
        outcomes = {}
        for candidate in queryset.filter(held_for_review=True):
            try:
                outcome = decide(candidate, actor=actor)
            except NotHeld:
                continue  # another operator decided it a moment ago
            label = Candidate.Referral(outcome).label
            outcomes[label] = outcomes.get(label, 0) + 1
        if not outcomes:
            self.message_user(request, _("選択した中に審査保留の登録はありません。"), messages.WARNING)
            return None
        return "、".join(f"{label}: {n}" for label, n in outcomes.items())

    @admin.action(description=_("審査保留を解除する(条件を満たせば紹介としてカウント)"), permissions=["release"])
    def release(self, request, queryset):
        summary = self._decide(request, queryset, release_from_review)
        if summary:
            message = _("審査保留を解除しました(%(summary)s)。") % {"summary": summary}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("却下する(紹介として今後もカウントしない)"), permissions=["release"])
    def reject(self, request, queryset):
        summary = self._decide(request, queryset, reject_from_review)
        if summary:
            self.message_user(request, _("却下しました(%(summary)s)。") % {"summary": summary}, messages.SUCCESS)


@admin.register(Consent)
class ConsentAdmin(AuditedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "candidate", "purpose", "action", "notice_version", "ip_address")
    list_filter = ("purpose", "action", "notice_version")
    search_fields = ("=candidate__email_normalized", "=candidate__public_id")
    list_select_related = ("candidate",)
    date_hierarchy = "created_at"
