import pytest

from careerrelay.followups import services as followups


@pytest.fixture
def six_months(employer):
    """The company's 「6ヶ月後」 step, turned on."""
    step = followups.steps_for(employer).get(default_key="6_months")
    step.active = True
    step.save()
    return step
