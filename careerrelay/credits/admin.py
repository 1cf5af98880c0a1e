from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from careerrelay.audit.actor import Actor, ActorKind
from careerrelay.credits.models import LedgerEntry
from careerrelay.credits.services import adjust_credits, get_balance
from careerrelay.organisations.models import Organisation


class AdjustmentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("企業"), queryset=Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).order_by("name")
    )
    amount = forms.IntegerField(
        label=_("調整する枠数"),
        min_value=-100,
        max_value=100,
        help_text=_("付与はプラス、取り消しはマイナスで入力してください(例:1 または -1)。"),
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=1000,
        error_messages={"required": _("理由を入力してください。")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("台帳に残ります。問い合わせ番号など、後から確認できる内容を書いてください。"),
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("0 以外の数を入力してください。"))
        return amount

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("理由を入力してください。"))
        return reason

    def clean(self):
        data = super().clean()
        organisation, amount = data.get("organisation"), data.get("amount")
        if organisation is not None and amount is not None and amount < 0:
            available = get_balance(organisation).credits_available
            if available + amount < 0:
                raise forms.ValidationError(
                    _("利用可能な枠(%(available)d枠)より多くは取り消せません。") % {"available": available}
                )
        return data


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: nothing here edits or deletes a row. An operator's
    adjustment is a new row written by credits.services.adjust_credits, with its reason."""

    list_display = ("created_at", "organisation", "kind", "amount", "campaign", "sequence", "reason", "actor")
    list_filter = ("kind", "organisation")
    search_fields = ("organisation__name", "reason", "=subject_key")
    list_select_related = ("organisation", "campaign", "actor")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_adjust_permission(self, request):
        return request.user.has_perm("credits.add_ledgerentry")

    def get_urls(self):
        adjust = path("adjust/", self.admin_site.admin_view(self.adjust_view), name="credits_ledgerentry_adjust")
        return [adjust, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_adjust": self.has_adjust_permission(request)}
        return super().changelist_view(request, extra_context)

    def adjust_view(self, request):
        if not self.has_adjust_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = AdjustmentForm(request.POST)
            if form.is_valid():
                organisation = form.cleaned_data["organisation"]
                entry = adjust_credits(
                    organisation=organisation,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=Actor.for_user(request.user, ActorKind.STAFF),
                )
                self.log_addition(request, entry, [{"added": {}}])
                self.message_user(
                    request,
                    _("%(organisation)s の無料紹介枠を %(amount)+d 枠調整しました。")
                    % {"organisation": organisation.name, "amount": entry.amount},
                    messages.SUCCESS,
                )
                url = reverse("admin:credits_ledgerentry_changelist")
                return redirect(f"{url}?organisation__id__exact={organisation.pk}")
        else:
            form = AdjustmentForm(initial={"organisation": request.GET.get("organisation")})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("無料紹介枠の調整"),
            "form": form,
        }
        return TemplateResponse(request, "admin/credits/ledgerentry/adjust.html", context)
