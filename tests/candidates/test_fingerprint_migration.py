"""Migration 0005 fingerprints the canonical mailbox of every verified candidate still on file,
so a +tag or Gmail-dot spelling of somebody counted before the rule is not new afterwards."""

import pytest

from careerrelay.common.mailboxes import canonical_mailbox
from careerrelay.common.tokens import pseudonym
from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("candidates", "0004_referral_holds_rejections_superseded_consents")]
AFTER = [("candidates", "0005_fingerprint_canonical_mailboxes")]


def email_digest(value):
    return pseudonym(value, "fingerprint:email")


def test_verified_candidates_get_their_canonical_mailbox_fingerprinted():
    old = migrate(BEFORE)
    Candidate = old.get_model("candidates", "Candidate")
    Fingerprint = old.get_model("candidates", "IdentityFingerprint")
    person = dict(prefecture="13", job_category="sales", years_experience=1, family_name="山田", given_name="太郎")
    tagged = Candidate.objects.create(
        email="me+jobs@example.com", email_normalized="me+jobs@example.com", status="verified", **person
    )
    Fingerprint.objects.create(kind="email", digest=email_digest("me+jobs@example.com"), subject_key=tagged.public_id)
    dotted = Candidate.objects.create(
        email="t.aro@gmail.com", email_normalized="t.aro@gmail.com", status="verified", **person
    )
    pending = Candidate.objects.create(email="p+1@example.com", email_normalized="p+1@example.com", **person)

    new = migrate(AFTER)
    Fingerprint = new.get_model("candidates", "IdentityFingerprint")
    owners = dict(Fingerprint.objects.values_list("digest", "subject_key"))
    assert owners[email_digest(canonical_mailbox("me+jobs@example.com"))] == tagged.public_id
    assert owners[email_digest("me+jobs@example.com")] == tagged.public_id  # the old row stays
    assert owners[email_digest("taro@gmail.com")] == dotted.public_id
    assert email_digest(canonical_mailbox(pending.email_normalized)) not in owners  # never verified
