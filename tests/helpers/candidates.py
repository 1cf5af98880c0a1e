"""Test helpers for candidate pages (used by the privacy tests too)."""

import time

from careerrelay.portals.candidate import auth


def sign_in_candidate(client, candidate):
    """Put a fresh candidate session on a Django test client, as the email-link sign-in does."""
    session = client.session
    now = int(time.time())
    session[auth.SESSION_CANDIDATE] = candidate.pk
    session[auth.SESSION_GENERATION] = candidate.session_generation
    session[auth.SESSION_STARTED] = now
    session[auth.SESSION_SEEN] = now
    session.save()
    return client
