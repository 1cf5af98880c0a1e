"""List pages run the same number of queries for one item and for three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerrelay.organisations.services import create_api_key, invite_member
from careerrelay.relay.services import create_campaign
from tests.factories import MembershipFactory
from tests.helpers.employer import count_referrals

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def add_items(employer, owner, n):
    for i in range(n):
        campaign = create_campaign(organisation=employer, name=f"キャンペーン{i}")
        count_referrals(employer, campaign, 1)
        MembershipFactory(organisation=employer, role="recruiter")
        create_api_key(organisation=employer, name=f"キー{i}", created_by=owner)
        invite_member(
            organisation=employer, email=f"invitee{i}@example.jp", role="admin", invited_by=owner, site_url=""
        )


@pytest.mark.parametrize("name", ["employer:dashboard", "employer:campaigns", "employer:team", "employer:api_keys"])
def test_no_query_per_item(owner_client, employer, owner, name):
    url = reverse(name)
    add_items(employer, owner, 1)
    one = queries(owner_client, url)
    add_items(employer, owner, 2)
    assert queries(owner_client, url) == one
