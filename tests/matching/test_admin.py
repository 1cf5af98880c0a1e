import pytest
from django.urls import reverse

from careerrelay.matching.models import FreeReferralRequest, Introduction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_operators_see_requests_and_introductions_read_only(client, proposal):
    client.force_login(UserFactory(email="operator@careerrelay.example", is_staff=True, is_superuser=True))
    for model, obj in [(FreeReferralRequest, proposal.request), (Introduction, proposal.introduction)]:
        info = (model._meta.app_label, model._meta.model_name)
        listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert listing.status_code == 200
        change = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        assert change.status_code == 200
        assert 'name="_save"' not in change.text
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
    # The introduction page does not open the person: no name, no email.
    change = client.get(reverse("admin:matching_introduction_change", args=[proposal.introduction.pk]))
    assert "髙橋" not in change.text and "hanako.takahashi@example.jp" not in change.text
