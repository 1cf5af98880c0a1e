"""Survey answers made the quick way, for the aggregate tests (the journey test makes them the way
an applicant does)."""

from datetime import date, datetime, time

from django.utils import timezone

from careerrelay.surveys.models import SurveyInvitation, SurveyResponse
from careerrelay.surveys.services import save_answer

# The sentence the survey tests' template carries, as the presets do.
SURVEY_PARAGRAPH = "選考についてのご感想をお聞かせください（1分・匿名）\n{{survey_link}}\n"

_counter = iter(range(10**9))


def invitation(
    organisation, *, template=None, job_title="営業職", stage="first_interview", month=date(2026, 11, 1), **fields
):
    return SurveyInvitation.objects.create(
        organisation=organisation,
        token_hash=f"{next(_counter):064d}",
        template=template,
        template_name=template.name if template else "",
        job_title=job_title,
        stage=stage,
        sent_month=month,
        **fields,
    )


def answers(organisation, scores, comment="", **fields) -> list[SurveyResponse]:
    """Answers given in the month their messages went out (figures show closed months only)."""
    made = [
        save_answer(invitation=invitation(organisation, **fields), score=score, comment=comment) for score in scores
    ]
    for response in made:
        given = timezone.make_aware(datetime.combine(response.invitation.sent_month, time(12)))
        SurveyResponse.objects.filter(pk=response.pk).update(answered_at=given, updated_at=given)
    return made
