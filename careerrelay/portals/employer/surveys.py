"""The candidate-experience survey (NPS) of the employer's own rejection emails: aggregates
only, never an answer on its own (careerrelay/surveys/services.py says how).

Included from careerrelay/portals/employer/urls.py under "surveys/". Everything is read through
`responses_for(request.organisation)`, so another company's answers are never counted; the
templates offered for comparison are only those this company's messages used.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from careerrelay.portals.workspace.access import employer_view
from careerrelay.surveys import services as surveys

NAV = "surveys"
SECTIONS = [
    ("template", _("テンプレート別")),
    ("job", _("職種別")),
    ("stage", _("到達した選考段階別")),
    ("month", _("送信月別")),
]


class CompareForm(forms.Form):
    """Before and after a template's first use, or template A against B over the same months."""

    template = forms.TypedChoiceField(label=_("使い始める前と後を比べるテンプレート"), coerce=int, required=False)
    a = forms.TypedChoiceField(label=_("テンプレートA"), coerce=int, required=False)
    b = forms.TypedChoiceField(label=_("テンプレートB"), coerce=int, required=False)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "―")] + [(t["template_id"], t["name"]) for t in templates]
        for name in ("template", "a", "b"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _("一覧から選んでください。")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("a") and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", _("テンプレートAと違うものを選んでください。"))
        return cleaned


@employer_view()
def survey_dashboard(request):
    organisation = request.organisation
    responses = surveys.responses_for(organisation)
    total = surveys.overall(responses)
    templates = surveys.templates_used(organisation)
    compare_form = CompareForm(request.GET or None, templates=templates, auto_id="compare_%s")
    before_after = against = None
    if compare_form.is_bound and compare_form.is_valid():
        data = compare_form.cleaned_data
        if data.get("template"):
            before_after = surveys.before_and_after(organisation, data["template"])
        if data.get("a") and data.get("b"):
            against = surveys.template_against_template(organisation, data["a"], data["b"])
    return render(
        request,
        "employer/surveys/dashboard.html",
        {
            "nav": NAV,
            "threshold": surveys.THRESHOLD,
            "total": total,
            "total_shown": total.responses >= surveys.THRESHOLD,
            "sections": [(key, label, surveys.summary(responses, key)) for key, label in SECTIONS],
            "reasons": surveys.reason_counts(responses),
            "comments": surveys.comments(responses),
            "compare_form": compare_form,
            "before_after": before_after,
            "against": against,
        },
    )
