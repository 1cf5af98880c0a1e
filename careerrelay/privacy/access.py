"""Who may read a candidate's profile and résumé: one rule, used by every audience.

It sits in privacy, below the agency workspace, the employer workspace and the candidate's my page
that ask it, and above the candidate records it guards (careerrelay/candidates), so the records
never call up into the apps that read them.

- The candidate, always.
- A member of an approved, active agency while the candidate shares their profile with agencies
  (privacy.services.agency_visible_candidates: verified, and the latest agency-sharing consent is
  a grant under the current notice). The caller writes the provision record and the audit entry
  in the transaction that opens the file (agencies.services.open_candidate_resume).
- A member of the employer whose relay link the candidate registered through, while the
  candidate's latest re-contact consent is a grant under the current notice
  (privacy.services.recontact_visible_candidates): the profile, never the résumé. The caller
  writes the provision record and the audit entry (privacy.recontact.open_recontact_profile).
"""

from django.core.exceptions import PermissionDenied

from careerrelay.candidates.models import Candidate
from careerrelay.candidates.resumes import OpenedResume, open_resume_file
from careerrelay.organisations.models import Membership, Organisation
from careerrelay.privacy.services import agency_visible_candidates, recontact_visible_candidates


def _reading_agency(user) -> Organisation | None:
    """The approved, active agency the user works for, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    membership = (
        Membership.objects.filter(user=user, organisation__kind=Organisation.Kind.AGENCY, organisation__is_active=True)
        .select_related("organisation__agency_profile")
        .order_by("created_at", "id")
        .first()
    )
    if membership is None:
        return None
    # The agency's approval lives on its profile (agencies.AgencyProfile), reached through the
    # reverse relation so that this lower layer does not import the agency app.
    profile = getattr(membership.organisation, "agency_profile", None)
    return membership.organisation if profile is not None and profile.is_approved else None


def _reading_employers(user) -> list[Organisation]:
    """The active employers the user is a member of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [
        m.organisation
        for m in Membership.objects.filter(
            user=user, organisation__kind=Organisation.Kind.EMPLOYER, organisation__is_active=True
        ).select_related("organisation")
    ]


def _agency_may_read(candidate: Candidate, viewer) -> bool:
    if isinstance(viewer, Candidate):
        return viewer.pk == candidate.pk
    if _reading_agency(viewer) is None:
        return False
    return agency_visible_candidates().filter(pk=candidate.pk).exists()


def may_read_profile(candidate: Candidate, viewer) -> bool:
    """`viewer` is a Candidate or a Django user."""
    if _agency_may_read(candidate, viewer):
        return True
    if isinstance(viewer, Candidate):
        return False
    return any(
        recontact_visible_candidates(employer).filter(pk=candidate.pk).exists()
        for employer in _reading_employers(viewer)
    )


def may_read_resume(candidate: Candidate, viewer) -> bool:
    """The candidate and agencies: the re-contact consent does not hand the résumé to the employer."""
    return _agency_may_read(candidate, viewer)


def open_resume_for(candidate: Candidate, viewer) -> OpenedResume:
    """The one way to read a résumé file. Raises PermissionDenied when the viewer may not read it
    and Resume.DoesNotExist when there is none. It writes no provision record or audit entry: a
    caller that hands the file to someone other than the candidate writes both first."""
    if not may_read_resume(candidate, viewer):
        raise PermissionDenied
    return open_resume_file(candidate)
