from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from careerrelay.ops import console


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("終了日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    interval = forms.ChoiceField(
        label=_("集計の単位"), required=False, choices=[("week", _("週ごと")), ("month", _("月ごと"))]
    )

    def clean(self):
        data = super().clean()
        default = console.default_period()
        first, last = data.get("start") or default.first, data.get("end") or default.last
        for name, day in (("start", first), ("end", last)):
            if not console.EARLIEST_DAY <= day <= console.LATEST_DAY:
                self.add_error(
                    name,
                    _("%(earliest)sから%(latest)sまでの日付を入力してください。")
                    % {"earliest": console.EARLIEST_DAY.isoformat(), "latest": console.LATEST_DAY.isoformat()},
                )
        if self.errors:
            return data
        if first > last:
            self.add_error("end", _("終了日は開始日より後の日付にしてください。"))
        elif (last - first).days >= console.MAX_PERIOD_DAYS:
            self.add_error("start", _("期間は2年以内にしてください。"))
        else:
            data["period"] = console.Period(first=first, last=last)
        return data


def console_view(request):
    """The operator console's overview: aggregates only, so nothing here is audited (no person is
    shown); admin.site.admin_view (ops/admin.py) lets in signed-in staff only."""
    period, interval = console.default_period(), "week"
    initial = {"start": period.first, "end": period.last, "interval": interval}
    form = PeriodForm(request.GET or None, initial=initial)
    if form.is_bound and form.is_valid():
        period, interval = form.cleaned_data["period"], form.cleaned_data["interval"] or "week"
    credits, credits_value = console.credits_outstanding()
    activities = console.agency_activity(period)
    context = {
        **admin.site.each_context(request),
        "title": _("運営ダッシュボード"),
        "form": form,
        "period": period,
        "interval": interval,
        "steps": console.FUNNEL_STEPS,
        "funnel": console.platform_funnel(period, interval),
        "agencies": [a for a in activities if a.has_activity],
        "idle_agencies": sum(1 for a in activities if not a.has_activity),
        "credits": credits,
        "credits_value": credits_value,
        "credit_value": console.credit_value_yen(),
        "fee_rate": console.DEFAULT_FEE_RATE_PERCENT,
        "salary": console.DEFAULT_ANNUAL_SALARY_YEN,
        "queues": console.review_queues(),
    }
    return TemplateResponse(request, "admin/ops/console.html", context)
