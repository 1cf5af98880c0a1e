"""Email fingerprints are now keyed on the canonical mailbox (common.mailboxes.canonical_mailbox).

The fingerprints written before were keyed hashes of the address as typed (normalised for
case and width only), so a hash cannot be folded afterwards. For every verified candidate whose
row still exists, the canonical mailbox is fingerprinted here as well, owned by that person;
when two existing people share one canonical mailbox, the one verified first keeps it. The old
rows stay: services._claim_fingerprints still checks the as-typed hash, so a deleted person
who registered with a +tag and comes back with the same spelling is still not new. A deleted
person whose old spelling differs from the new one cannot be recognised (their address is gone).
"""

from django.db import IntegrityError, migrations, transaction


def fingerprint_canonical_mailboxes(apps, schema_editor):
    from careerrelay.common.mailboxes import canonical_mailbox
    from careerrelay.common.tokens import pseudonym

    Candidate = apps.get_model("candidates", "Candidate")
    IdentityFingerprint = apps.get_model("candidates", "IdentityFingerprint")
    verified = Candidate.objects.filter(status="verified").order_by("verified_at", "id")
    for public_id, email_normalized in verified.values_list("public_id", "email_normalized").iterator():
        digest = pseudonym(canonical_mailbox(email_normalized), "fingerprint:email")
        if IdentityFingerprint.objects.filter(kind="email", digest=digest).exists():
            continue
        try:
            with transaction.atomic():
                IdentityFingerprint.objects.create(kind="email", digest=digest, subject_key=public_id)
        except IntegrityError:
            continue


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0004_referral_holds_rejections_superseded_consents"),
    ]

    operations = [
        migrations.RunPython(fingerprint_canonical_mailboxes, migrations.RunPython.noop),
    ]
