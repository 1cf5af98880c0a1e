"""The employer's 分析 page: the funnel over time in charts and tables, what the free referrals were
worth, the comparison with last year or a template change, and the CSV of every figure shown.

Included from careerrelay/portals/employer/urls.py under "analytics/". Everything is read for
`request.organisation` only (analytics.services); figures per group are coarse, totals exact.
"""

import re
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from careerrelay.analytics import charts
from careerrelay.analytics import services as analytics
from careerrelay.analytics.aggregation import today
from careerrelay.audit.actor import Actor
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.portals.workspace.access import employer_view
from careerrelay.relay.figures import threshold
from careerrelay.sends.models import Send
from careerrelay.surveys import services as surveys
from careerrelay.talent import exporting
from careerrelay.talent.cleaning import FORMULA_PREFIXES

NAV = "analytics"
DEFAULT_WEEKS = 12


def metric_labels() -> dict:
    return {
        "sent": _("不採用通知の送信"),
        "clicked": _("リレーリンクのクリック"),
        "views": _("ページ閲覧"),
        "started": _("登録開始"),
        "confirmed": _("メール確認済み"),
        "counted": _("カウントされた登録"),
        "credits_earned": _("獲得した無料紹介枠"),
        "credits_used": _("利用した無料紹介"),
        "interviews": _("面接"),
        "hired": _("入社"),
    }


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("開始日"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("終了日"), widget=forms.DateInput(attrs={"type": "date"}))
    interval = forms.ChoiceField(
        label=gettext_lazy("集計単位"), choices=[("week", gettext_lazy("週")), ("month", gettext_lazy("月"))]
    )
    group_by = forms.ChoiceField(
        label=gettext_lazy("内訳"),
        required=False,
        choices=[
            ("", gettext_lazy("なし(合計のみ)")),
            ("campaign", gettext_lazy("キャンペーン別")),
            ("template", gettext_lazy("テンプレート別")),
            ("job", gettext_lazy("職種別")),
            ("reason", gettext_lazy("不採用理由別")),
        ],
    )
    compare = forms.ChoiceField(
        label=gettext_lazy("比較"),
        required=False,
        choices=[("", gettext_lazy("比較しない")), ("last_year", gettext_lazy("前年の同じ期間"))],
    )
    template = forms.ChoiceField(label=gettext_lazy("テンプレート変更の前後を比べる"), required=False)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "―"), *templates]
        self.fields["template"].error_messages["invalid_choice"] = _("一覧から選んでください。")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name, day in (("start", start), ("end", end)):
            if day and not analytics.EARLIEST_DAY <= day <= analytics.LATEST_DAY:
                self.add_error(name, analytics.out_of_range_message())
        if self.errors:
            return cleaned
        if start and end:
            if end < start:
                self.add_error("end", _("終了日は開始日以降にしてください。"))
            elif (end - start).days > analytics.MAX_DAYS:
                self.add_error("end", _("期間は5年以内にしてください。"))
        return cleaned


def _defaults() -> dict:
    end = today()
    return {"start": end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1), "end": end, "interval": "week"}


def _period_label(start: date, interval: str) -> str:
    return start.strftime("%Y-%m") if interval == "month" else start.strftime("%m/%d")


def _build(request) -> dict:
    organisation = request.organisation
    templates = analytics.templates_sent(organisation)
    form = PeriodForm({**_defaults(), **request.GET.dict()} if request.GET else _defaults(), templates=templates)
    if form.is_valid():
        values = form.cleaned_data
    else:
        values = {**_defaults(), "group_by": "", "compare": "", "template": ""}
    start, end, interval = values["start"], values["end"], values["interval"]
    group_by = values.get("group_by") or None
    result = analytics.funnel(organisation, start, end, interval, group_by)
    labels = metric_labels()
    totals = result.totals
    context = {
        "form": form,
        "funnel": result,
        "labels": labels,
        "metrics": list(labels),
        "threshold": threshold(),
        "nav": NAV,
        "query": request.GET.urlencode(),
    }

    steps = [(labels[m], totals[m]) for m in labels]
    click_rate = result.rate("clicked", "sent")
    registration_rate = result.rate("started", "clicked")
    context["funnel_chart"] = charts.funnel_chart(
        "chart-funnel",
        _("ファネル(%(start)s〜%(end)s)") % {"start": start, "end": end},
        _(
            "期間中に不採用通知を%(sent)s通送信し、リレーリンクのクリックは%(clicked)s件(%(click_rate)s)、"
            "登録開始は%(started)s名、カウントされた登録は%(counted)s名、利用した無料紹介は%(used)s名でした。"
        )
        % {
            "sent": f"{totals['sent']:,}",
            "clicked": shown_text(totals["clicked"]),
            "click_rate": f"{click_rate:.1f}%" if click_rate is not None else "—",
            "started": f"{totals['started']:,}",
            "counted": f"{totals['counted']:,}",
            "used": f"{totals['credits_used']:,}",
        },
        steps,
        [_("段階"), _("人数・件数"), _("前の段階からの割合")],
    )
    context["registration_rate"] = registration_rate

    period_labels = [_period_label(row.period_start, interval) for row in result.period_totals]
    started = [row.counts["started"] for row in result.period_totals]
    earned = [row.counts["credits_earned"] for row in result.period_totals]
    best = max(range(len(started)), key=lambda i: started[i]) if started else None
    context["trend_chart"] = charts.bar_line_chart(
        "chart-trend",
        _("期間ごとの登録と無料紹介枠"),
        _("登録開始は合計%(started)s名、無料紹介枠は%(earned)s枠獲得しました。最も多かったのは%(best)sの%(n)s名です。")
        % {
            "started": f"{sum(started):,}",
            "earned": f"{sum(earned):,}",
            "best": period_labels[best] if best is not None else "—",
            "n": f"{started[best]:,}" if best is not None else "0",
        },
        period_labels,
        (_("登録開始"), started),
        (_("獲得した無料紹介枠"), earned),
        [_("期間"), _("登録開始"), _("獲得した無料紹介枠")],
    )

    state_rows = analytics.send_states(organisation, start, end, interval)
    state_labels = dict(Send.State.choices)
    series = [(str(state_labels[state]), [counts[state] for _p, counts in state_rows]) for state in Send.State.values]
    series = [s for s in series if any(s[1])] or series[:1]
    done = sum(counts[Send.State.DONE] for _p, counts in state_rows)
    context["states_chart"] = charts.stacked_bar_chart(
        "chart-states",
        _("一括送信の状態"),
        _("期間中に作成した一括送信は%(total)s件、そのうち完了は%(done)s件です。")
        % {"total": f"{sum(sum(c.values()) for _p, c in state_rows):,}", "done": f"{done:,}"},
        [_period_label(p, interval) for p, _c in state_rows],
        series,
        _("期間"),
        _("合計"),
    )

    months = [
        g
        for g in surveys.summary(surveys.responses_for(organisation), "month")
        if start.strftime("%Y-%m") <= g.key <= end.strftime("%Y-%m")
    ]
    nps_values = [round(g.nps.score, 1) if g.shown and g.nps.score is not None else None for g in months]
    shown = [v for v in nps_values if v is not None]
    context["nps_chart"] = (
        charts.line_chart(
            "chart-nps",
            _("応募者アンケートのNPS(送信月別)"),
            _("NPSを表示できる月は%(n)sか月、最新は%(latest)sです。回答が5件未満の月は表示しません。")
            % {"n": len(shown), "latest": f"{shown[-1]:.1f}" if shown else "—"},
            [g.key for g in months],
            nps_values,
            [_("送信月"), "NPS"],
        )
        if months
        else None
    )

    context["next_credit"] = analytics.next_credit(organisation)
    context["money"] = analytics.money(organisation, totals["credits_used"], totals["hired"])
    context["group_rows"] = (
        [(row.period_start, row.group_label, [shown_text(row.shown(m)) for m in labels]) for row in result.rows]
        if group_by
        else []
    )
    if values.get("compare") == "last_year":
        last_year = analytics.same_period_last_year(organisation, start, end, interval)
        context["last_year"] = last_year
        context["last_year_rows"] = [(labels[m], totals[m], last_year.totals[m]) for m in labels]
    template_id = values.get("template")
    if template_id:
        before_after = analytics.before_and_after_template(organisation, int(template_id))
        context["before_after"] = before_after
        if before_after:
            context["before_after_rows"] = [(labels[m], before_after.before[m], before_after.after[m]) for m in labels]
    return context


def _plain(value) -> str:
    """A count for the CSV: digits only, or 「—」 where it is not shown (hidden clicks)."""
    return "—" if value is None else str(value)


def shown_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@never_cache
@employer_view()
def overview(request):
    return render(request, "employer/analytics.html", _build(request))


@never_cache
@employer_view()
def export(request):
    encoding = request.GET.get("encoding", "utf-8")
    if encoding not in exporting.ENCODINGS:
        encoding = "utf-8"
    context = _build(request)
    response = HttpResponse(
        exporting.encode(csv_table(context), encoding),
        content_type=f"text/csv; charset={'utf-8' if encoding == 'utf-8' else 'shift_jis'}",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = "" if encoding == "utf-8" else "-sjis"
    response["Content-Disposition"] = f'attachment; filename="analytics-{stamp}{suffix}.csv"'
    return response


def csv_table(context) -> list[list[str]]:
    """Every figure of the page, as shown (groups coarse, totals exact), one table per section with
    a blank row between."""
    result: analytics.Funnel = context["funnel"]
    labels = context["labels"]
    table: list[list[str]] = [[_("期間"), f"{result.start}〜{result.end}", _("集計単位"), result.interval]]
    table.append([])
    table.append([_("期間の開始"), *labels.values()])
    for row in result.period_totals:
        table.append([row.period_start.isoformat(), *(_plain(row.counts[m]) for m in labels)])
    table.append([_("合計"), *(_plain(result.totals[m]) for m in labels)])
    if result.group_by:
        table.append([])
        table.append([_("期間の開始"), _("内訳"), *labels.values()])
        for row in result.rows:
            table.append(
                [row.period_start.isoformat(), row.group_label or "", *(shown_text(row.shown(m)) for m in labels)]
            )
    for chart in (context["funnel_chart"], context["trend_chart"], context["states_chart"], context["nps_chart"]):
        if chart is None:
            continue
        table.append([])
        table.append([chart.title])
        table.append(chart.columns)
        table.extend(chart.rows)
    money = context["money"]
    table.append([])
    table.append([_("紹介手数料の相当額(円)"), str(money.saved)])
    table.append([_("手数料率(%)"), str(money.fee_percent), _("想定年収(円)"), str(money.annual_salary)])
    if context.get("last_year"):
        table.append([])
        table.append([_("前年の同じ期間"), *labels.values()])
        table.append(["", *(_plain(context["last_year"].totals[m]) for m in labels)])
    return [[_csv_cell(cell) for cell in row] for row in table]


_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?%?")


def _csv_cell(value: str) -> str:
    """Names come from the company (campaigns, job titles, reasons): a spreadsheet would run one
    starting with = + - @ as a formula, so it gets the apostrophe the talent export uses. A
    negative number (an NPS of -12.5) stays a number."""
    if value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class FeeForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["agency_fee_percent", "typical_annual_salary"]
        help_texts = {
            "agency_fee_percent": gettext_lazy("人材紹介会社に支払う手数料の、理論年収に対する割合です(標準 35%)。"),
            "typical_annual_salary": gettext_lazy("紹介で採用する方の想定年収です(標準 5,000,000円)。"),
        }


@employer_view(Membership.Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def fee_settings(request):
    organisation = Organisation.objects.get(pk=request.organisation.pk)
    form = FeeForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        analytics.set_agency_fee(
            organisation=request.organisation,
            fee_percent=form.cleaned_data["agency_fee_percent"],
            annual_salary=form.cleaned_data["typical_annual_salary"],
            actor=Actor.from_request(request),
        )
        messages.success(request, _("紹介手数料の設定を保存しました。"))
        return redirect("employer:analytics_fee")
    return render(request, "employer/analytics_fee.html", {"form": form, "nav": NAV})
