"""Applications: every applicant has its history, and the company's reason list seeds itself."""

from datetime import date

import pytest

from careerrelay.organisations.models import Organisation
from careerrelay.talent import services
from careerrelay.talent.models import Application, RejectionReason
from tests.factories import EmployerFactory
from tests.helpers.migrations import migrate
from tests.helpers.talent import SYSTEM

BEFORE = [("talent", "0002_applicant_phone")]
AFTER = [("talent", "0004_one_application_per_existing_applicant")]


@pytest.mark.django_db(transaction=True)
def test_applicants_made_before_applications_each_get_one_copied_from_their_fields():
    old = migrate(BEFORE)
    Org = old.get_model("organisations", "Organisation")
    Applicant = old.get_model("talent", "Applicant")
    org = Org.objects.create(name="旧社", kind="employer")
    applicant = Applicant.objects.create(
        organisation=org,
        family_name="髙橋",
        email="t@example.jp",
        email_normalized="t@example.jp",
        job_title="営業",
        stage="final_interview",
        rejected_on=date(2025, 4, 1),
        rejection_reason="他の方を採用",
    )

    new = migrate(AFTER)
    (application,) = new.get_model("talent", "Application").objects.filter(applicant_id=applicant.pk)
    assert (application.job_title, application.stage, application.rejected_on, application.rejection_reason) == (
        "営業",
        "final_interview",
        date(2025, 4, 1),
        "他の方を採用",
    )
    assert application.outcome == "rejected"
    migrate([("talent", "0002_applicant_phone")])
    migrate([("talent", "0004_one_application_per_existing_applicant")])


@pytest.mark.django_db
def test_a_company_starts_with_the_default_reasons_once_and_only_its_own():
    employer, other = EmployerFactory(), EmployerFactory()
    labels = [r.label for r in services.rejection_reasons_for(employer)]
    assert labels[:3] == ["他の候補者を採用", "経験・スキル不足", "条件不一致（給与・勤務地・勤務形態）"]
    assert "辞退" in labels
    services.rejection_reasons_for(employer)
    assert RejectionReason.objects.filter(organisation=employer).count() == len(labels)
    assert not RejectionReason.objects.filter(organisation=other).exists()
    assert isinstance(employer, Organisation)


@pytest.mark.django_db
def test_creating_and_editing_an_applicant_keeps_its_latest_application_in_step():
    employer = EmployerFactory()
    reason = services.rejection_reasons_for(employer).get(kind=RejectionReason.Kind.CONDITIONS)
    applicant = services.create_applicant(
        actor=SYSTEM,
        organisation=employer,
        data={"family_name": "山﨑", "email": "y@example.jp", "job_title": "経理", "rejected_on": date(2026, 5, 1)},
    )
    (application,) = applicant.applications.all()
    assert (application.job_title, application.rejected_on) == ("経理", date(2026, 5, 1))

    services.update_applicant(actor=SYSTEM, applicant=applicant, data={"stage": "second_interview", "reason": reason})
    application.refresh_from_db()
    assert (application.stage, application.reason) == ("second_interview", reason)
    assert Application.objects.filter(applicant=applicant).count() == 1


@pytest.mark.django_db
def test_a_bulk_import_gives_each_new_applicant_one_application():
    employer = EmployerFactory()
    outcome = services.import_applicants(
        actor=SYSTEM,
        organisation=employer,
        records=[
            (2, {"family_name": "髙橋", "email": "a@example.jp", "job_title": "営業"}),
            (3, {"family_name": "﨑田", "email": "b@example.jp"}),
        ],
    )
    created = list(outcome.ids.values())
    assert sorted(Application.objects.filter(applicant__in=created).values_list("job_title", flat=True)) == ["", "営業"]


@pytest.mark.django_db
def test_the_search_document_folds_width_case_and_kana_and_keeps_rare_kanji():
    employer = EmployerFactory()
    applicant = services.create_applicant(
        actor=SYSTEM,
        organisation=employer,
        data={"family_name": "髙橋", "family_name_kana": "ﾀｶﾊｼ", "email": "T@Example.jp", "job_title": "ＰＭ"},
    )
    applicant.refresh_from_db()
    assert "髙橋" in applicant.pool_document.text
    assert "たかはし" in applicant.pool_document.text
    assert "pm" in applicant.pool_document.text.split("\n")


@pytest.mark.django_db(transaction=True)
def test_applicants_made_before_the_search_document_become_searchable():
    old = migrate([("talent", "0004_one_application_per_existing_applicant")])
    Org = old.get_model("organisations", "Organisation")
    OldApplicant = old.get_model("talent", "Applicant")
    org = Org.objects.create(name="旧社", kind="employer")
    reason = old.get_model("talent", "RejectionReason").objects.create(organisation=org, label="条件不一致")
    applicant = OldApplicant.objects.create(
        organisation=org,
        family_name="髙橋",
        family_name_kana="ﾀｶﾊｼ",
        email="t@example.jp",
        email_normalized="t@example.jp",
    )
    old.get_model("talent", "Application").objects.create(applicant=applicant, job_title="ＰＭ", reason=reason)
    old.get_model("talent", "ApplicantSkill").objects.create(applicant=applicant, name="PYTHON", key="python")
    old.get_model("talent", "ApplicantNote").objects.create(applicant=applicant, body="ロジカル")
    assert OldApplicant.objects.get(pk=applicant.pk).search_text == ""

    filled = migrate([("talent", "0005_fill_search_text")]).get_model("talent", "Applicant")
    text = filled.objects.get(pk=applicant.pk).search_text
    for word in ("髙橋", "たかはし", "python", "pm", "ろじかる", "条件不一致"):
        assert word in text

    # 0006 moves the documents to their own table, unchanged.
    migrate([("talent", "0006_pool_documents")])
    from careerrelay.talent.models import Applicant

    moved = Applicant.objects.get(pk=applicant.pk)
    assert moved.pool_document.text == text
