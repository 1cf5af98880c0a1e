import uuid

from django.db import transaction

from careerrelay.credits.services import record_counted_referral


def count_referrals(organisation, campaign, n):
    for _ in range(n):
        with transaction.atomic():
            record_counted_referral(organisation=organisation, campaign=campaign, subject_key=uuid.uuid4())
