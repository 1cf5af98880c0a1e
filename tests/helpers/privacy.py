from django.utils import timezone

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import services as privacy
from tests.factories import CandidateFactory

AGENCY_SHARING = Consent.Purpose.AGENCY_SHARING


RECONTACT = Consent.Purpose.EMPLOYER_RECONTACT


def make_candidate(*, consents=(AGENCY_SHARING,), **fields):
    fields = {"status": Candidate.Status.VERIFIED, "verified_at": timezone.now(), **fields}
    candidate = CandidateFactory(**fields)
    for purpose in consents:
        privacy.grant_consent(candidate=candidate, purpose=purpose, actor=Actor.for_candidate(candidate))
    return candidate
