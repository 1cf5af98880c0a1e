import pytest

from careerrelay.organisations.models import Organisation
from careerrelay.relay.models import RelayCampaign
from careerrelay.relay.services import flush_views, open_campaign
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return EmployerFactory(name="株式会社さくら").campaigns.get()


def test_it_returns_the_campaign_with_its_employer_and_counts_the_view(campaign):
    opened = open_campaign(campaign.code)
    assert (opened.pk, opened.code) == (campaign.pk, campaign.code)
    assert opened.organisation.name == "株式会社さくら"
    assert opened.organisation.kind == Organisation.Kind.EMPLOYER  # not selected: loaded on demand
    open_campaign(campaign.code)
    assert flush_views() == 2
    campaign.refresh_from_db()
    assert campaign.landing_views == 2


def test_it_counts_nothing_for_an_unknown_or_disabled_link_or_a_deactivated_employer(campaign):
    other = EmployerFactory().campaigns.get()
    assert open_campaign("no-such-code") is None
    RelayCampaign.objects.filter(pk=campaign.pk).update(is_active=False)
    assert open_campaign(campaign.code) is None
    Organisation.objects.filter(pk=other.organisation_id).update(is_active=False)
    assert open_campaign(other.code) is None
    assert flush_views() == 0
    assert list(RelayCampaign.objects.values_list("landing_views", flat=True)) == [0, 0]


@pytest.mark.django_db(transaction=True)
def test_it_counts_every_view_when_it_is_its_own_transaction(campaign):
    for _ in range(3):
        assert open_campaign(campaign.code).pk == campaign.pk
    assert flush_views() == 3
    campaign.refresh_from_db()
    assert campaign.landing_views == 3
