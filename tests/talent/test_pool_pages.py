"""The pool's write side through the employer pages: the applicant form's new fields, the detail
page (skills, tags, notes, history), evaluation notes and the reason list settings."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from careerrelay.audit.actor import Actor
from careerrelay.talent import services
from careerrelay.talent.models import Applicant, ApplicantNote, RejectionReason
from tests.helpers.talent import SYSTEM

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _reason(employer, kind):
    return services.rejection_reasons_for(employer).get(kind=kind)


def test_a_member_adds_an_applicant_with_skills_tags_reason_and_ats_id(member_client, employer):
    reason = _reason(employer, RejectionReason.Kind.SKILLS_GAP)
    response = member_client.post(
        reverse("employer:applicant_add"),
        {
            "family_name": "山﨑",
            "email": "taro@example.jp",
            "stage": "first_interview",
            "reason": str(reason.pk),
            "rejection_reason": "Go の経験が浅い",
            "skills": "ＰＹＴＨＯＮ、python, Go，簿記２級",
            "tags": "ＰＭ候補、pm候補, ｴﾝｼﾞﾆｱ",
            "years_experience": "5",
            "ats_id": "ＡＴＳ-００１",
        },
    )
    applicant = Applicant.objects.get(organisation=employer)
    assert response.status_code == 302
    assert [s.name for s in applicant.skill_set.all()] == ["PYTHON", "Go", "簿記2級"]
    assert sorted(t.name for t in applicant.tags.all()) == ["PM候補", "エンジニア"]
    assert (applicant.reason, applicant.rejection_reason, applicant.years_experience, applicant.ats_id) == (
        reason,
        "Go の経験が浅い",
        5,
        "ATS-001",
    )
    assert services.latest_application(applicant).reason == reason
    page = member_client.get(response["Location"]).text
    for shown in ("PYTHON", "簿記2級", "PM候補", "経験・スキル不足", "Go の経験が浅い", "ATS-001", "5年"):
        assert shown in page


def test_the_edit_form_shows_what_is_stored_and_keeps_a_retired_reason(member_client, employer, applicant):
    retired = _reason(employer, RejectionReason.Kind.CULTURE)
    services.update_applicant(applicant=applicant, data={"reason": retired, "skills": ["Excel", "営業"]}, actor=SYSTEM)
    services.set_reason_active(reason=retired, active=False, actor=SYSTEM)
    form = member_client.get(reverse("employer:applicant_edit", args=[applicant.pk])).context["form"]
    assert form["skills"].value() == "Excel、営業"
    assert retired in form.fields["reason"].queryset
    # A new applicant is not offered the retired reason.
    new_form = member_client.get(reverse("employer:applicant_add")).context["form"]
    assert retired not in new_form.fields["reason"].queryset


def test_another_companys_reason_cannot_be_chosen(member_client, employer, outsider):
    foreign = services.rejection_reasons_for(outsider.memberships.get().organisation).first()
    response = member_client.post(
        reverse("employer:applicant_add"),
        {
            "family_name": "山﨑",
            "email": "taro@example.jp",
            "stage": "other",
            "reason": str(foreign.pk),
            "skills": "Go",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["選び直してください。"]
    assert 'value="Go"' in response.text  # what was typed is kept
    assert not Applicant.objects.filter(organisation=employer).exists()


def test_an_ats_id_taken_and_a_bad_years_value_are_explained(member_client, employer, applicant):
    services.update_applicant(applicant=applicant, data={"ats_id": "A-1"}, actor=SYSTEM)
    response = member_client.post(
        reverse("employer:applicant_add"),
        {
            "family_name": "山﨑",
            "email": "taro@example.jp",
            "stage": "other",
            "ats_id": "Ａ-1",
            "years_experience": "99",
        },
    )
    errors = response.context["form"].errors
    assert errors["ats_id"] == ["このATS IDの応募者はすでに登録されています。"]
    assert errors["years_experience"] == ["経験年数は80以下で入力してください。"]
    assert Applicant.objects.filter(organisation=employer).count() == 1


def test_the_detail_page_lists_every_application_and_note_with_author_and_date(
    member_client, employer, applicant, owner
):
    services.record_application(
        applicant=applicant,
        data={
            "job_title": "カスタマーサクセス",
            "stage": "second_interview",
            "rejected_on": date(2027, 3, 31),
            "reason": _reason(employer, RejectionReason.Kind.OTHER_CANDIDATE),
        },
        actor=SYSTEM,
    )
    services.add_note(applicant=applicant, body="説明が分かりやすい", actor=Actor.for_user(owner, "employer"))
    response = member_client.get(reverse("employer:applicant_detail", args=[applicant.pk]))
    page = response.text
    history = page[page.index('id="applications"') : page.index("</table>", page.index('id="applications"'))]
    assert history.index("カスタマーサクセス") < history.index("法人営業")  # latest first
    assert "2027/03/31" in history and "他の候補者を採用" in history and "一次面接" in history
    assert "説明が分かりやすい" in page
    assert owner.name in page


def test_a_member_adds_and_edits_their_own_note_but_not_an_admins(employer, applicant, member, owner):
    member_client = _client(member)
    url = reverse("employer:applicant_note_add", args=[applicant.pk])
    empty = member_client.post(url, {"body": "   "})
    assert empty.status_code == 400
    assert "評価コメントを入力してください。" in empty.text
    assert member_client.post(url, {"body": "技術面は十分"}).status_code == 302
    own = ApplicantNote.objects.get(applicant=applicant)
    assert (own.author, own.body) == (member, "技術面は十分")

    edit = reverse("employer:applicant_note_edit", args=[applicant.pk, own.pk])
    assert member_client.post(edit, {"body": "技術面は十分。設計も良い"}).status_code == 302
    own.refresh_from_db()
    assert own.body == "技術面は十分。設計も良い"

    admins = services.add_note(applicant=applicant, body="役員面接の所感", actor=Actor.for_user(owner, "employer"))
    page = member_client.get(reverse("employer:applicant_detail", args=[applicant.pk])).text
    assert reverse("employer:applicant_note_edit", args=[applicant.pk, admins.pk]) not in page
    assert reverse("employer:applicant_note_edit", args=[applicant.pk, own.pk]) in page
    for name in ("employer:applicant_note_edit", "employer:applicant_note_delete"):
        response = member_client.post(reverse(name, args=[applicant.pk, admins.pk]), {"body": "改ざん"})
        assert response.status_code == 403
    admins.refresh_from_db()
    assert admins.body == "役員面接の所感"

    # The admin may tidy up anyone's note.
    owner_client = _client(owner)
    delete = reverse("employer:applicant_note_delete", args=[applicant.pk, own.pk])
    assert owner_client.post(delete).status_code == 302
    assert list(ApplicantNote.objects.filter(applicant=applicant)) == [admins]


NOTE_URLS = [
    ("employer:applicant_note_add", False),
    ("employer:applicant_note_edit", True),
    ("employer:applicant_note_delete", True),
]


@pytest.mark.parametrize(("name", "with_note"), NOTE_URLS)
def test_an_outsider_reaches_no_note_of_another_company(outsider_client, applicant, owner, name, with_note):
    note = services.add_note(applicant=applicant, body="社外秘", actor=Actor.for_user(owner, "employer"))
    args = [applicant.pk, note.pk] if with_note else [applicant.pk]
    assert outsider_client.get(reverse(name, args=args)).status_code in (404, 405)
    assert outsider_client.post(reverse(name, args=args), {"body": "乗っ取り"}).status_code == 404
    assert list(ApplicantNote.objects.values_list("body", flat=True)) == ["社外秘"]


def test_a_note_is_reached_only_through_its_own_applicant(owner_client, employer, applicant, owner):
    other = services.create_applicant(
        organisation=employer, data={"family_name": "山﨑", "email": "y@example.jp"}, actor=SYSTEM
    )
    note = services.add_note(applicant=applicant, body="花子さんの評価", actor=Actor.for_user(owner, "employer"))
    response = owner_client.post(reverse("employer:applicant_note_delete", args=[other.pk, note.pk]))
    assert response.status_code == 404
    assert ApplicantNote.objects.filter(pk=note.pk).exists()


# --- The reason list settings ------------------------------------------------------------------


def test_the_menu_links_to_the_reason_settings(member_client):
    page = member_client.get(reverse("employer:applicants")).text
    assert reverse("employer:rejection_reasons") in page


def test_an_admin_adds_renames_moves_and_retires_reasons(owner_client, employer, applicant):
    url = reverse("employer:rejection_reasons")
    assert "経験・スキル不足" in owner_client.get(url).text
    response = owner_client.post(url, {"new-label": "ｶﾙﾁｬｰﾌｨｯﾄ", "new-kind": "culture"})
    assert response.status_code == 302
    added = RejectionReason.objects.get(organisation=employer, label="カルチャーフィット")
    duplicate = owner_client.post(url, {"new-label": "カルチャー フィット", "new-kind": "culture"})
    assert duplicate.status_code == 400
    assert "すでに不採用理由の一覧にあります" in duplicate.text

    skills_gap = _reason(employer, RejectionReason.Kind.SKILLS_GAP)
    services.set_reason(applicant=applicant, reason=skills_gap, actor=SYSTEM)
    edit = reverse("employer:rejection_reason_edit", args=[skills_gap.pk])
    assert owner_client.post(edit, {"label": "スキル要件に届かず", "kind": "skills_gap"}).status_code == 302
    detail = owner_client.get(reverse("employer:applicant_detail", args=[applicant.pk])).text
    assert "スキル要件に届かず" in detail

    owner_client.post(reverse("employer:rejection_reason_move", args=[added.pk]), {"direction": "up"})
    labels = [r.label for r in services.rejection_reasons_for(employer)]
    assert labels.index("カルチャーフィット") == len(labels) - 2

    owner_client.post(reverse("employer:rejection_reason_set_active", args=[skills_gap.pk]), {"active": "0"})
    skills_gap.refresh_from_db()
    assert not skills_gap.active
    applicant.refresh_from_db()
    assert applicant.reason == skills_gap  # kept on the old application
    assert "（使用をやめた理由）" in owner_client.get(reverse("employer:applicant_detail", args=[applicant.pk])).text


def test_a_member_sees_the_reason_list_but_may_not_change_it(member_client, employer):
    url = reverse("employer:rejection_reasons")
    page = member_client.get(url)
    assert page.status_code == 200
    assert "他の候補者を採用" in page.text
    assert member_client.post(url, {"new-label": "新しい理由", "new-kind": "other"}).status_code == 403
    reason = _reason(employer, RejectionReason.Kind.DECLINED)
    for name, data in [
        ("employer:rejection_reason_edit", {"label": "改名", "kind": "other"}),
        ("employer:rejection_reason_move", {"direction": "up"}),
        ("employer:rejection_reason_set_active", {"active": "0"}),
    ]:
        assert member_client.post(reverse(name, args=[reason.pk]), data).status_code == 403
    reason.refresh_from_db()
    assert (reason.label, reason.active) == ("辞退", True)
    assert not RejectionReason.objects.filter(label="新しい理由").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("employer:rejection_reason_edit", {"label": "乗っ取り", "kind": "other"}),
        ("employer:rejection_reason_move", {"direction": "down"}),
        ("employer:rejection_reason_set_active", {"active": "0"}),
    ],
)
def test_an_outsider_reaches_no_reason_of_another_company(outsider_client, employer, name, data):
    reason = _reason(employer, RejectionReason.Kind.DECLINED)
    assert outsider_client.post(reverse(name, args=[reason.pk]), data).status_code == 404
    reason.refresh_from_db()
    assert (reason.label, reason.position, reason.active) == ("辞退", 5, True)
    # Their own list page shows their own list, not this company's.
    assert "株式会社山﨑製作所" not in outsider_client.get(reverse("employer:rejection_reasons")).text


@pytest.mark.parametrize("name", ["employer:rejection_reasons"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
