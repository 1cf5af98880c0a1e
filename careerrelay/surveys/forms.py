from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.surveys.services import COMMENT_MAX_LENGTH, choices_for

SCORES = [(n, str(n)) for n in range(11)]


class SurveyForm(forms.Form):
    """The one-minute survey: 0–10, two optional multiple-choice questions, an optional comment."""

    score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("0から10のどれかを選んでください。"),
            "invalid_choice": _("0から10のどれかを選んでください。"),
        },
    )
    good_points = forms.MultipleChoiceField(
        label=_("良かった点（いくつでも）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    improvements = forms.MultipleChoiceField(
        label=_("改善してほしい点（いくつでも）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("ご意見・ご感想（任意）"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("%(max)s文字まで。お名前など、ご本人がわかることは書かないでください。")
        % {"max": COMMENT_MAX_LENGTH},
        error_messages={"max_length": _("%(limit_value)d文字以内で入力してください（いまは%(show_value)d文字です）。")},
    )

    def __init__(self, *args, kind: str, question: str, **kwargs):
        super().__init__(*args, **kwargs)
        good, better = choices_for(kind)
        self.fields["score"].label = question
        self.fields["good_points"].choices = list(good.items())
        self.fields["improvements"].choices = list(better.items())
        self.fields["good_points"].error_messages["invalid_choice"] = _("選択肢から選んでください。")
        self.fields["improvements"].error_messages["invalid_choice"] = _("選択肢から選んでください。")
