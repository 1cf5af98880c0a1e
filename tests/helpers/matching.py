from django.utils import timezone

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import services as privacy
from tests.factories import CandidateFactory

SHARING = Consent.Purpose.AGENCY_SHARING


def make_candidate(**fields):
    fields = {"status": Candidate.Status.VERIFIED, "verified_at": timezone.now(), **fields}
    candidate = CandidateFactory(**fields)
    privacy.grant_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    return candidate


REQUEST_DATA = {
    "role": "バックエンドエンジニア",
    "requirements": "Java または Python での開発経験3年以上",
    "prefecture": "13",
    "location_note": "渋谷区",
    "salary_min": 500,
    "salary_max": 800,
}
