"""Employers that existed before the review keep sending: the migration approves them under their
current name, with their first admin's work domain (verified) and address (Reply-To)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.helpers.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("organisations", "0002_organisation_name_one_line")]
AFTER = [("organisations", "0003_employer_review_and_link_domains")]


def test_existing_employers_are_approved_with_their_work_domain_and_reply_to():
    old = migrate(BEFORE)
    Organisation = old.get_model("organisations", "Organisation")
    Membership = old.get_model("organisations", "Membership")
    from careerrelay.accounts.models import User  # accounts is not rolled back: today's model

    works = Organisation.objects.create(name="株式会社山﨑製作所", kind="employer")
    gmail = Organisation.objects.create(name="髙橋商店", kind="employer")
    agency = Organisation.objects.create(name="ネクストキャリア", kind="agency")
    for org, email in ((works, "owner@yamasaki.example"), (gmail, "takahashi.shoten@gmail.com")):
        user = User.objects.create_user(email=email)
        Membership.objects.create(organisation=org, user_id=user.pk, role="admin")

    new = migrate(AFTER)
    Organisation = new.get_model("organisations", "Organisation")
    works, gmail, agency = (Organisation.objects.get(pk=o.pk) for o in (works, gmail, agency))
    assert (works.status, works.approved_name, works.work_domain, works.reply_to_email) == (
        "approved",
        "株式会社山﨑製作所",
        "yamasaki.example",
        "owner@yamasaki.example",
    )
    assert works.approved_at == works.created_at
    assert list(new.get_model("organisations", "LinkDomain").objects.values_list("domain", flat=True)) == [
        "yamasaki.example"
    ]
    assert (gmail.status, gmail.work_domain) == ("approved", "")
    assert agency.status == "pending"  # agencies are reviewed on their agency profile

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
