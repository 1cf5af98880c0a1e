"""The pool's search form (the applicant list page) and the saved-search form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.japanese import parse_skills
from careerrelay.talent.models import Application, Job, SavedSearch, Stage
from careerrelay.talent.pool_search import SORTS, PoolQuery

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
YES_NO = [("", _("指定しない")), ("yes", _("あり")), ("no", _("なし"))]
SORT_LABELS = {
    "new": _("登録が新しい順"),
    "rejected_desc": _("不採用日が新しい順"),
    "rejected_asc": _("不採用日が古い順"),
    "kana": _("フリガナ順"),
    "years_desc": _("経験年数が長い順"),
}


class PoolSearchForm(forms.Form):
    """Every filter of the applicant list. Invalid fields are reported and narrow nothing."""

    q = forms.CharField(
        label=_("キーワード"),
        required=False,
        max_length=200,
        help_text=_(
            "氏名・フリガナ・メール・スキル・タグ・評価コメント・応募職種・不採用理由から探します。スペース区切りはすべてを含む人。"
        ),
    )
    job = forms.ChoiceField(label=_("応募職種"), required=False)
    stage = forms.ChoiceField(label=_("選考段階"), required=False, choices=[("", _("すべて")), *Stage.choices])
    reason = forms.TypedMultipleChoiceField(
        label=_("不採用理由"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    rejected_from = forms.DateField(
        label=_("不採用日（から）"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    rejected_to = forms.DateField(
        label=_("不採用日（まで）"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    skills = forms.CharField(
        label=_("スキル"), required=False, max_length=500, help_text=_("読点またはカンマ区切り（例: Python、AWS）")
    )
    skills_mode = forms.ChoiceField(
        label=_("スキルの一致"),
        required=False,
        choices=[("any", _("いずれかを持つ")), ("all", _("すべてを持つ"))],
        widget=forms.RadioSelect,
        initial="any",
    )
    tag = forms.TypedMultipleChoiceField(
        label=_("タグ"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    years_min = forms.IntegerField(label=_("経験年数（以上）"), required=False, min_value=0, max_value=80)
    years_max = forms.IntegerField(label=_("経験年数（以下）"), required=False, min_value=0, max_value=80)
    recontact = forms.ChoiceField(label=_("再連絡の同意"), required=False, choices=YES_NO)
    outcome = forms.ChoiceField(
        label=_("応募履歴の結果"),
        required=False,
        choices=[("", _("すべて")), *Application.Outcome.choices],
        help_text=_("いずれかの応募がこの結果の人"),
    )
    has_notes = forms.ChoiceField(label=_("評価コメント"), required=False, choices=YES_NO)
    sort = forms.ChoiceField(label=_("並び順"), required=False, choices=list(SORT_LABELS.items()))

    # The query-string keys a saved search keeps (everything but the page number).
    KEYS = (
        "q",
        "job",
        "stage",
        "reason",
        "rejected_from",
        "rejected_to",
        "skills",
        "skills_mode",
        "tag",
        "years_min",
        "years_max",
        "recontact",
        "outcome",
        "has_notes",
        "sort",
    )

    def __init__(self, *args, job_titles, reasons, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = [("", _("すべて"))] + [(title, title) for title in job_titles]
        self.fields["reason"].choices = [(reason.pk, reason.label) for reason in reasons]
        self.fields["tag"].choices = [(tag.pk, tag.name) for tag in tags]
        for field in self.fields.values():
            field.error_messages["invalid"] = _("正しい値を入力してください。")
            field.error_messages["invalid_choice"] = _("選び直してください。")
        for name in ("rejected_from", "rejected_to"):
            self.fields[name].error_messages["invalid"] = _("日付を 2026-11-01 の形で入力してください。")
        for name in ("years_min", "years_max"):
            self.fields[name].error_messages["invalid"] = _("年数は数字で入力してください。")
            self.fields[name].error_messages["min_value"] = _("0以上の数字で入力してください。")
            self.fields[name].error_messages["max_value"] = _("80以下の数字で入力してください。")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("rejected_from"), cleaned.get("rejected_to")
        # A contradictory range narrows nothing at all (rather than by its first half).
        if start and end and start > end:
            self.add_error("rejected_to", _("「から」より後の日付にしてください。"))
            cleaned.pop("rejected_from", None)
        low, high = cleaned.get("years_min"), cleaned.get("years_max")
        if low is not None and high is not None and low > high:
            self.add_error("years_max", _("「以上」より大きい年数にしてください。"))
            cleaned.pop("years_min", None)
        return cleaned

    def pool_query(self) -> PoolQuery:
        """The valid filters only: a mistyped field is shown with its error and narrows nothing."""
        if not self.is_bound:
            return PoolQuery()
        self.is_valid()
        data = self.cleaned_data
        yes_no = {"yes": True, "no": False}
        return PoolQuery(
            q=data.get("q") or "",
            job=data.get("job") or "",
            stage=data.get("stage") or "",
            reasons=data.get("reason") or [],
            rejected_from=data.get("rejected_from"),
            rejected_to=data.get("rejected_to"),
            skills=parse_skills(data.get("skills") or ""),
            skills_mode=data.get("skills_mode") or "any",
            tags=data.get("tag") or [],
            years_min=data.get("years_min"),
            years_max=data.get("years_max"),
            recontact_ok=yes_no.get(data.get("recontact") or ""),
            outcome=data.get("outcome") or "",
            has_notes=yes_no.get(data.get("has_notes") or ""),
            sort=data.get("sort") if data.get("sort") in SORTS else "new",
        )

    def is_filtered(self) -> bool:
        query = self.pool_query()
        return query != PoolQuery(sort=query.sort, skills_mode=query.skills_mode)


def search_params(query_dict) -> dict[str, list[str]]:
    """The search fields of a query string, as a saved search keeps them (non-empty values only)."""
    params = {}
    for key in PoolSearchForm.KEYS:
        values = [value for value in query_dict.getlist(key) if value.strip()]
        if values:
            params[key] = values
    return params


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name"]
        labels = {"name": _("この条件に名前を付けて保存")}
        error_messages = {"name": {"required": _("名前を入力してください。")}}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self):
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError(_("名前を入力してください。"), code="required")
        if SavedSearch.objects.filter(organisation=self.organisation, name=name).exists():
            raise forms.ValidationError(_("同じ名前の保存済み検索があります。別の名前にしてください。"), code="taken")
        return name


class JobForm(forms.ModelForm):
    class Meta:
        model = Job
        fields = ["title", "description", "skills"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "skills": _("読点またはカンマ区切り（例: Python、AWS、要件定義）。再アプローチ候補はこのスキルで探します。")
        }
        error_messages = {"title": {"required": _("職種名を入力してください。")}}

    def clean_title(self):
        title = " ".join((self.cleaned_data.get("title") or "").split())
        if not title:
            raise forms.ValidationError(_("職種名を入力してください。"), code="required")
        return title
