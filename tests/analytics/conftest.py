import pytest

from careerrelay.audit.actor import Actor
from careerrelay.organisations.services import create_api_key


@pytest.fixture
def api_headers(employer):
    secret = create_api_key(organisation=employer, name="BI", actor=Actor.system())[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def replica(transactional_db, monkeypatch):
    """A `replica` alias on the test database, for this test only (as Django's TEST MIRROR does):
    a query's alias shows where it went while both see the same rows."""
    from django.db import connections

    settings_dict = {**connections["default"].settings_dict, "CONN_MAX_AGE": None}
    monkeypatch.setitem(connections.settings, "replica", settings_dict)
    connections["replica"].connect()
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]
