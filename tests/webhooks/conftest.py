"""An employer (owner, member, outsider from tests/conftest.py) and the local server that plays its
system. Webhooks may go to http://127.0.0.1 here: the tests that prove production refuses it turn
the two settings off themselves."""

import pytest

from tests.webhooks.helpers import Receiver


@pytest.fixture(autouse=True)
def _local_targets(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server
