"""The public page a follow-up mail links to when the company has no careers page of its own:
its open jobs (title and description), nothing about any applicant. Reached by an unguessable
code per company, so the list of companies on CareerRelay cannot be walked."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from careerrelay.followups.models import FollowupSettings
from careerrelay.organisations.models import Organisation
from careerrelay.talent.models import Job


@require_safe
def openings(request, code):
    found = get_object_or_404(
        FollowupSettings.objects.select_related("organisation"),
        public_code=code,
        organisation__is_active=True,
        # Only a company an operator has approved may publish text under CareerRelay's address.
        organisation__status=Organisation.Status.APPROVED,
    )
    organisation = found.organisation
    jobs = Job.objects.filter(organisation=organisation, status=Job.Status.OPEN).only("title", "description")
    return render(request, "followups/openings.html", {"organisation": organisation, "jobs": jobs})
