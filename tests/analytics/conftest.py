import pytest

from careerrelay.audit.actor import Actor
from careerrelay.organisations.services import create_api_key


@pytest.fixture
def api_headers(employer):
    secret = create_api_key(organisation=employer, name="BI", actor=Actor.system())[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
