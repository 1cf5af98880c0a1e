"""People and dates the follow-up tests share (fixtures are in conftest.py)."""

from datetime import date, datetime

from django.utils import timezone

from careerrelay.common.japanese import normalize_email
from careerrelay.talent.models import Applicant, Application, RejectionReason
from careerrelay.talent.services import rejection_reasons_for

# A Tuesday in office hours, Japan time (TIME_ZONE), far from 年末年始.
NOW = timezone.make_aware(datetime(2026, 6, 16, 11, 0))
TODAY = date(2026, 6, 16)


def reason(organisation, kind):
    return rejection_reasons_for(organisation).filter(kind=kind).first()


def rejected(
    organisation,
    email,
    *,
    rejected_on,
    recontact_ok=True,
    family_name="髙橋",
    given_name="花子",
    job_title="営業職",
    kind=RejectionReason.Kind.OTHER_CANDIDATE,
):
    """A person with one rejected application, as the talent pool holds them."""
    applicant = Applicant.objects.create(
        organisation=organisation,
        family_name=family_name,
        given_name=given_name,
        email=email,
        email_normalized=normalize_email(email),
        job_title=job_title,
        rejected_on=rejected_on,
        recontact_ok=recontact_ok,
    )
    Application.objects.create(
        applicant=applicant,
        job_title=job_title,
        outcome=Application.Outcome.REJECTED,
        rejected_on=rejected_on,
        reason=reason(organisation, kind) if kind else None,
        created_at=timezone.make_aware(datetime.combine(rejected_on, datetime.min.time())),
    )
    return applicant


def application_of(applicant):
    return applicant.applications.order_by("-created_at", "-id").first()
