"""One sign-in link pressed on two tabs at the same moment signs in once (PostgreSQL only: SQLite
serialises every writer, so the race cannot happen there)."""

import pytest

from careerrelay.candidates import signin as links
from careerrelay.candidates.models import SignInToken
from careerrelay.common.tokens import hash_token
from tests.factories import CandidateFactory
from tests.helpers.concurrency import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_a_link_pressed_twice_at_once_signs_in_once():
    candidate = CandidateFactory(status="verified")
    nonce = links.new_browser_nonce()
    links.issue_signin_link(candidate_id=candidate.pk, browser_hash=hash_token(nonce))
    token_row = SignInToken.objects.get()
    # The mail holds the token; here it is made again from a known value instead.
    token = "known-token-for-the-race-0123456789abcdef"
    SignInToken.objects.filter(pk=token_row.pk).update(token_hash=hash_token(token))

    outcomes = at_once(lambda _: links.consume_signin_link(token, nonce)[0], range(8))
    assert sorted(o.value for o in outcomes) == ["used"] * 7 + ["valid"]
