"""An ATS's own stage names, in English or Japanese, read as the stage the person reached."""

import pytest

from careerrelay.integrations.services import stage_from
from careerrelay.talent.models import Stage


@pytest.mark.parametrize(
    ("ats_stage", "stage"),
    [
        ("Application Review", Stage.DOCUMENT),
        ("書類選考", Stage.DOCUMENT),
        ("Phone screen", Stage.FIRST_INTERVIEW),  # a phone interview, not the résumé screen
        ("Recruiter Phone Screen", Stage.FIRST_INTERVIEW),
        ("一次面接", Stage.FIRST_INTERVIEW),
        ("２次面接", Stage.SECOND_INTERVIEW),
        ("ＯＮＳＩＴＥ", Stage.FINAL_INTERVIEW),
        ("二次面接", Stage.SECOND_INTERVIEW),
        ("Onsite", Stage.FINAL_INTERVIEW),
        ("Offer", Stage.FINAL_INTERVIEW),
        ("最終面接", Stage.FINAL_INTERVIEW),
        ("Reference check", Stage.OTHER),
        ("", Stage.OTHER),
    ],
)
def test_stage_names(ats_stage, stage):
    assert stage_from(ats_stage) == stage
