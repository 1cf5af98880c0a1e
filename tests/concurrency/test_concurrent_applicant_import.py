"""Two imports of the same people at once (PostgreSQL, real threads and connections): nobody is
doubled, nothing is lost, and each import still succeeds as a whole."""

import pytest

from careerrelay.talent import services
from careerrelay.talent.models import Applicant, Application, Tag
from tests.factories import EmployerFactory
from tests.helpers.concurrency import at_once
from tests.helpers.talent import SYSTEM

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _records(batch: str):
    return [
        (
            line,
            {
                "full_name": f"髙橋 {line}",
                "email": f"person{line}@example.jp",
                "ats_id": f"A-{line}",
                "job_title": "法人営業",
                "tags": ["ＰＭ候補"],
                "notes": f"{batch}の取り込み",
            },
        )
        for line in range(2, 42)
    ]


def test_two_imports_of_the_same_new_people_at_once_create_each_person_once():
    employer = EmployerFactory()
    services.rejection_reasons_for(employer)  # seeded before the race, as any page view would

    outcomes = at_once(
        lambda batch: services.import_applicants(organisation=employer, records=_records(batch), actor=SYSTEM),
        ["一回目", "二回目"],
    )

    assert Applicant.objects.filter(organisation=employer).count() == 40
    assert Application.objects.filter(applicant__organisation=employer).count() == 40
    assert Tag.objects.filter(organisation=employer).count() == 1
    # One import created everyone; the other, having waited, found them and updated them.
    created = sorted(len(outcome.created) for outcome in outcomes)
    assert created == [0, 40]
    assert sorted(len(outcome.updated) + len(outcome.unchanged) for outcome in outcomes) == [0, 40]
    notes = set(Applicant.objects.filter(organisation=employer).values_list("notes", flat=True))
    assert len(notes) == 1  # every person carries one import's notes whole, not a mix per person
    assert all(applicant.tags.count() == 1 for applicant in Applicant.objects.filter(organisation=employer))


def test_a_refused_import_beside_a_good_one_saves_nothing_of_its_own():
    employer = EmployerFactory()
    services.rejection_reasons_for(employer)
    good = _records("良い")
    bad = [*_records("悪い"), (99, {"full_name": "", "email": "nobody@example.jp"})]

    def run(records):
        try:
            return services.import_applicants(organisation=employer, records=records, actor=SYSTEM)
        except services.ImportRefused as refused:
            return refused

    results = at_once(run, [good, bad])
    assert isinstance(results[1], services.ImportRefused)
    assert set(Applicant.objects.filter(organisation=employer).values_list("notes", flat=True)) == {"良いの取り込み"}
    assert not Applicant.objects.filter(email="nobody@example.jp").exists()
