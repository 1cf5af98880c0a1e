from datetime import date

import pytest

from careerrelay.talent import services
from careerrelay.talent.cleaning import parse_bool, parse_date, parse_stage
from careerrelay.talent.models import Applicant, Stage
from tests.factories import EmployerFactory
from tests.helpers.talent import SYSTEM


def test_it_normalises_what_is_typed(employer):
    applicant = services.create_applicant(
        actor=SYSTEM,
        organisation=employer,
        data={
            "family_name": "  髙橋 ",
            "given_name": "花子",
            "family_name_kana": "たかはし",
            "given_name_kana": "ﾊﾅｺ",
            "email": "ＨＡＮＡＫＯ＠Ｅｘａｍｐｌｅ．ｊｐ",
            "job_title": "ＩＴ　営業",
        },
    )
    applicant.refresh_from_db()
    assert (applicant.family_name, applicant.given_name) == ("髙橋", "花子")
    assert (applicant.family_name_kana, applicant.given_name_kana) == ("タカハシ", "ハナコ")
    assert applicant.email == applicant.email_normalized == "hanako@example.jp"
    assert applicant.job_title == "ＩＴ　営業"  # free text is kept as typed; only keys are folded
    assert applicant.full_name == "髙橋 花子"
    assert applicant.stage == Stage.OTHER


def test_the_same_email_twice_in_a_company_is_a_duplicate(employer, applicant):
    with pytest.raises(services.DuplicateApplicant):
        services.create_applicant(
            actor=SYSTEM, organisation=employer, data={"family_name": "別人", "email": "Hanako.Takahashi@EXAMPLE.jp"}
        )
    assert Applicant.objects.filter(organisation=employer).count() == 1


def test_the_same_email_in_another_company_is_not_a_duplicate(applicant):
    other = EmployerFactory()
    services.create_applicant(actor=SYSTEM, organisation=other, data={"family_name": "髙橋", "email": applicant.email})
    assert Applicant.objects.filter(email_normalized=applicant.email).count() == 2


def test_an_update_cannot_take_another_applicants_email(employer, applicant):
    second = services.create_applicant(
        actor=SYSTEM, organisation=employer, data={"family_name": "山﨑", "email": "y@example.jp"}
    )
    with pytest.raises(services.DuplicateApplicant):
        services.update_applicant(actor=SYSTEM, applicant=second, data={"email": applicant.email})
    second.refresh_from_db()
    assert second.email == "y@example.jp"


def test_get_applicant_finds_only_the_organisations_own(employer, applicant):
    assert services.get_applicant(organisation=employer, pk=applicant.pk) == applicant
    assert services.get_applicant(organisation=EmployerFactory(), pk=applicant.pk) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01", date(2026, 11, 1)),
        ("2026/11/1", date(2026, 11, 1)),
        ("２０２６／１１／０１", date(2026, 11, 1)),
        ("2026年11月1日", date(2026, 11, 1)),
        ("20261101", date(2026, 11, 1)),
        ("2026/11/01 18:30", date(2026, 11, 1)),
        ("令和8年11月1日", date(2026, 11, 1)),
        ("", None),
    ],
)
def test_dates_as_japanese_spreadsheets_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026/02/30", "11/01/2026", "昨日"])
def test_dates_that_are_not_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_stages_and_yes_no_words():
    assert parse_stage("１次面接") == Stage.FIRST_INTERVIEW
    assert parse_stage("書類選考") == Stage.DOCUMENT
    assert parse_stage("Final interview") == Stage.FINAL_INTERVIEW
    assert parse_stage("second_interview") == Stage.SECOND_INTERVIEW
    assert parse_stage("") == Stage.OTHER
    assert [parse_bool(w) for w in ["可", "○", "はい", "TRUE", "不可", "", "×", "0"]] == [True] * 4 + [False] * 4
