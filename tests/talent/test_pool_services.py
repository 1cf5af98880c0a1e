"""The write side of the talent pool as services: skills, tags, notes, reasons, applications."""

from datetime import date

import pytest

from careerrelay.audit.actor import Actor
from careerrelay.audit.models import AuditEvent
from careerrelay.talent import services
from careerrelay.talent.models import Applicant, Application, RejectionReason, Tag
from tests.factories import EmployerFactory
from tests.helpers.pool import document_of
from tests.helpers.talent import SYSTEM

pytestmark = pytest.mark.django_db


def _events(applicant, change):
    return AuditEvent.objects.filter(object_type="talent.applicant", object_id=str(applicant.pk), detail__change=change)


def test_skills_typed_in_any_width_case_or_kana_are_one_skill_each(applicant, member):
    services.set_skills(
        applicant=applicant,
        skills="ＰＹＴＨＯＮ、python, Python，ﾊﾟｲｿﾝ、ぱいそん、簿記２級",
        actor=Actor.for_user(member, "employer"),
    )
    assert [(s.name, s.key) for s in applicant.skill_set.all()] == [
        ("PYTHON", "python"),
        ("パイソン", "ぱいそん"),
        ("簿記2級", "簿記2級"),
    ]
    applicant.refresh_from_db()
    assert "python" in document_of(applicant).split("\n")
    event = _events(applicant, "updated").get()
    assert (event.actor_user, event.detail["fields"]) == (member, ["skills"])


def test_tags_are_one_per_company_however_typed(employer, applicant):
    second = services.create_applicant(
        organisation=employer, data={"family_name": "山﨑", "email": "y@example.jp", "tags": "pm候補"}, actor=SYSTEM
    )
    services.set_tags(applicant=applicant, tags=["ＰＭ候補", "pm候補", "ｴﾝｼﾞﾆｱ"], actor=SYSTEM)
    assert Tag.objects.filter(organisation=employer).count() == 2
    assert {t.key for t in applicant.tags.all()} == {"pm候補", "エンジニア"}
    assert list(second.tags.all()) == [Tag.objects.get(organisation=employer, key="pm候補")]
    # Another company's 「PM候補」 is its own tag.
    other = services.create_applicant(
        organisation=EmployerFactory(),
        data={"family_name": "髙橋", "email": "t@example.jp", "tags": ["PM候補"]},
        actor=SYSTEM,
    )
    assert other.tags.get().organisation_id == other.organisation_id != employer.pk


def test_a_note_has_its_author_and_only_they_or_an_admin_may_change_it(applicant, member, owner):
    note = services.add_note(applicant=applicant, body=" 論理的。 ", actor=Actor.for_user(member, "employer"))
    assert (note.author, note.author_name, note.body) == (member, member.name, "論理的。")
    applicant.refresh_from_db()
    assert "論理的。" in document_of(applicant)

    owners_note = services.add_note(
        applicant=applicant, body="最終面接官のコメント", actor=Actor.for_user(owner, "employer")
    )
    with pytest.raises(services.NotYourNote):
        services.edit_note(note=owners_note, body="書き換え", actor=Actor.for_user(member, "employer"), is_admin=False)
    with pytest.raises(services.NotYourNote):
        services.delete_note(note=owners_note, actor=Actor.for_user(member, "employer"), is_admin=False)
    owners_note.refresh_from_db()
    assert owners_note.body == "最終面接官のコメント"

    services.edit_note(note=note, body="論理的で丁寧。", actor=Actor.for_user(member, "employer"), is_admin=False)
    services.delete_note(note=owners_note, actor=Actor.for_user(owner, "employer"), is_admin=False)
    services.edit_note(note=note, body="管理者が整理", actor=Actor.for_user(owner, "employer"), is_admin=True)
    assert [n.body for n in services.notes_of(applicant)] == ["管理者が整理"]
    applicant.refresh_from_db()
    assert "最終面接官" not in document_of(applicant)
    assert list(_events(applicant, "note_deleted").values_list("actor_user", flat=True)) == [owner.pk]


def test_the_reason_list_can_be_renamed_extended_reordered_and_retired(employer, applicant, owner):
    actor = Actor.for_user(owner, "employer")
    conditions = services.rejection_reasons_for(employer).get(kind=RejectionReason.Kind.CONDITIONS)
    services.set_reason(applicant=applicant, reason=conditions, actor=actor)

    services.update_reason(reason=conditions, label="給与・勤務地の条件不一致", kind=conditions.kind, actor=actor)
    applicant.refresh_from_db()
    assert "給与・勤務地の条件不一致" in document_of(applicant)

    added = services.add_reason(
        organisation=employer, label="ポテンシャル採用枠の終了", kind="position_closed", actor=actor
    )
    assert list(services.rejection_reasons_for(employer))[-1] == added
    with pytest.raises(services.DuplicateReasonLabel):
        services.add_reason(organisation=employer, label="ポテンシャル採用枠の 終了", kind="other", actor=actor)
    with pytest.raises(services.DuplicateReasonLabel):
        services.update_reason(reason=added, label="辞退", kind="declined", actor=actor)

    services.move_reason(reason=added, offset=-1, actor=actor)
    labels = [r.label for r in services.rejection_reasons_for(employer)]
    assert labels[-2:] == ["ポテンシャル採用枠の終了", "その他"]

    services.set_reason_active(reason=conditions, active=False, actor=actor)
    assert conditions not in services.rejection_reasons_for(employer)
    assert conditions in services.rejection_reasons_for(employer, include_retired=True)
    applicant.refresh_from_db()
    assert applicant.reason == conditions
    assert services.latest_application(applicant).reason == conditions
    # The other company's list is untouched.
    other = EmployerFactory()
    assert "給与・勤務地の条件不一致" not in [r.label for r in services.rejection_reasons_for(other)]


def test_a_reason_of_another_company_is_refused(applicant):
    foreign = services.rejection_reasons_for(EmployerFactory()).first()
    with pytest.raises(ValueError):
        services.set_reason(applicant=applicant, reason=foreign, actor=SYSTEM)


def test_applying_again_adds_an_application_that_the_applicant_mirrors(employer, applicant):
    reason = services.rejection_reasons_for(employer).get(kind=RejectionReason.Kind.OTHER_CANDIDATE)
    application = services.record_application(
        applicant=applicant,
        data={
            "job_title": "インサイドセールス",
            "stage": "final_interview",
            "rejected_on": date(2027, 5, 1),
            "reason": reason,
        },
        actor=SYSTEM,
    )
    applicant.refresh_from_db()
    assert applicant.applications.count() == 2
    assert services.latest_application(applicant) == application
    assert (applicant.job_title, applicant.stage, applicant.rejected_on, applicant.reason) == (
        "インサイドセールス",
        "final_interview",
        date(2027, 5, 1),
        reason,
    )
    # The free-text reason of the first application stays with it, not copied forward.
    assert applicant.rejection_reason == ""
    first = Application.objects.filter(applicant=applicant).order_by("created_at", "id").first()
    assert first.rejection_reason == "今回は経験年数が要件に届きませんでした。"
    assert _events(applicant, "applied_again").count() == 1


def test_creating_with_an_ats_id_taken_is_a_duplicate(employer, applicant):
    services.update_applicant(applicant=applicant, data={"ats_id": "Ａ-１"}, actor=SYSTEM)
    applicant.refresh_from_db()
    assert applicant.ats_id == "A-1"
    with pytest.raises(services.DuplicateApplicant) as duplicate:
        services.create_applicant(
            organisation=employer, data={"family_name": "別人", "email": "b@example.jp", "ats_id": "A-1"}, actor=SYSTEM
        )
    assert duplicate.value.field == "ats_id"
    assert Applicant.objects.filter(organisation=employer).count() == 1


def test_every_change_is_audited_with_field_names_only(applicant, member):
    services.update_applicant(
        applicant=applicant,
        data={"notes": "秘密のメモ", "years_experience": 4},
        actor=Actor.for_user(member, "employer"),
    )
    event = _events(applicant, "updated").get()
    assert event.detail == {"change": "updated", "fields": ["notes", "years_experience"]}
    assert event.organisation == applicant.organisation
    pk = applicant.pk
    services.delete_applicant(applicant=applicant, actor=Actor.for_user(member, "employer"))
    assert AuditEvent.objects.filter(action="delete", object_id=str(pk)).count() == 1
