"""The built-in presets are installed by `migrate` (migration 0003 and the post_migrate handler),
so pages that list or show templates only read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.presets import PRESETS
from tests.helpers.migrations import migrate

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.django_db
def test_the_presets_are_there_after_migrate():
    rows = RejectionTemplate.objects.filter(organisation=None)
    assert sorted(rows.values_list("preset_key", flat=True)) == sorted(p.key for p in PRESETS)
    for preset in PRESETS:
        assert rows.get(preset_key=preset.key).subject == preset.subject


@pytest.mark.django_db
def test_the_templates_pages_write_nothing(owner_client):
    owner_client.get(reverse("employer:template_list"))  # the session is settled on the first page
    preset = RejectionTemplate.objects.filter(organisation=None).first()
    # Out of step with presets.py, as if the code had changed: a page used to rewrite it.
    RejectionTemplate.objects.filter(pk=preset.pk).update(subject="古い件名")
    RejectionTemplate.objects.filter(organisation=None).exclude(pk=preset.pk).first().delete()
    with CaptureQueriesContext(connection) as listing:
        response = owner_client.get(reverse("employer:template_list"))
    assert response.status_code == 200
    assert preset.name in response.content.decode()
    with CaptureQueriesContext(connection) as showing:
        assert owner_client.get(reverse("employer:template_ats", args=[preset.pk])).status_code == 200
    assert writes(listing.captured_queries) == []
    assert writes(showing.captured_queries) == []
    assert RejectionTemplate.objects.get(pk=preset.pk).subject == "古い件名"
    assert RejectionTemplate.objects.filter(organisation=None).count() == len(PRESETS) - 1


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_installs_missing_presets():
    # tests.helpers.migrations moves every app back to its latest migration afterwards: going back
    # to 0002 also unapplies the apps that depend on rejections (sends, followups, the outbox's
    # later migrations), which the next test needs.
    old_apps = migrate([("rejections", "0002_one_body_for_text_and_html")])
    # The model as of that migration: today's model also knows the tables of apps migrated
    # back with it (follow-up steps point at templates) and would look for them.
    old_apps.get_model("rejections", "RejectionTemplate").objects.filter(organisation=None).delete()
    migrate([("rejections", "0003_install_presets")])
    assert RejectionTemplate.objects.filter(organisation=None).count() == len(PRESETS)
