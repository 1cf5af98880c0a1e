"""The employer's pool and the marketplace's re-contact consent meet here, and only through the
candidate's pseudonymous public_id (Applicant.candidate_public_id): privacy calls this when the
person withdraws the consent, in the same transaction."""

import uuid

from careerrelay.talent.models import Applicant


def stop_recontact(*, candidate_public_id: uuid.UUID) -> int:
    """Every pool row in every company linked to the person stops being mailed (the follow-up
    steps send only to recontact_ok). Returns the number of rows changed."""
    return Applicant.objects.filter(candidate_public_id=candidate_public_id, recontact_ok=True).update(
        recontact_ok=False
    )
