"""Two answers to one message posted at the same moment, on PostgreSQL (SQLite serialises every
writer): the unique invitation column keeps one row, and neither request fails."""

import pytest
from django.test import Client

from careerrelay.common.tokens import hash_token, new_token
from careerrelay.surveys.models import SurveyInvitation, SurveyResponse
from careerrelay.surveys.services import save_answer
from tests.factories import EmployerFactory
from tests.helpers.concurrency import at_once
from tests.surveys.helpers import invitation

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_answers_at_once_leave_one():
    invited = invitation(EmployerFactory())
    results = at_once(lambda score: save_answer(invitation=invited, score=score), list(range(8)))
    assert len(results) == 8
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().score in range(8)


def test_two_posts_through_the_page_at_once_leave_one():
    token = new_token(18)
    invited = invitation(EmployerFactory())
    SurveyInvitation.objects.filter(pk=invited.pk).update(token_hash=hash_token(token))
    statuses = at_once(
        lambda score: (
            Client().post(f"/s/{token}/", {"score": str(score)}, REMOTE_ADDR=f"198.51.100.{score}").status_code
        ),
        [3, 10],
    )
    assert statuses == [302, 302]
    assert SurveyResponse.objects.filter(invitation=invited).count() == 1
