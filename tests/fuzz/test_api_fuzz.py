"""Every operation of /api/v1/openapi.json, fuzzed by schemathesis with real employer and agency
keys: whatever a client sends, the answer is never a 5xx, and a refused request writes nothing."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from careerrelay.audit.services import Actor
from careerrelay.organisations.services import create_api_key
from careerrelay.sends.models import Send
from careerrelay.talent.models import Applicant
from tests.helpers.agencies import make_agency

pytestmark = pytest.mark.django_db


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The real WSGI handler closes the database connection around each request; inside a test's
    # transaction it must stay open, as Django's own test client arranges.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def keys(employer):
    agency, _admin = make_agency("株式会社ファズ人材", "13-ユ-399999", "owner@fuzz-agency.example")
    return {
        "employer": create_api_key(organisation=employer, name="ATS", actor=Actor.system())[1],
        "agency": create_api_key(organisation=agency, name="CRM", actor=Actor.system())[1],
    }


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
def test_no_operation_answers_5xx_or_half_writes(case, keys):
    kind = "agency" if case.path.startswith("/api/v1/agency/") else "employer"
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {keys[kind]}"}
    before = (Applicant.objects.count(), Send.objects.count())

    response = case.call()

    assert response.status_code < 500, (case.method, case.path, case.body, case.query, response.text[:500])
    if response.status_code >= 400:
        assert (Applicant.objects.count(), Send.objects.count()) == before
