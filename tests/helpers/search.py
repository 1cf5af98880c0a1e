"""Candidates as the search sees them: verified and sharing with agencies, indexed on commit."""

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import services as privacy
from tests.factories import CandidateFactory

SHARING = Consent.Purpose.AGENCY_SHARING


def make_candidate(django_capture_on_commit_callbacks, *, consent=True, **fields):
    fields.setdefault("status", Candidate.Status.VERIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        candidate = CandidateFactory(**fields)
        if consent:
            privacy.grant_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    return candidate
