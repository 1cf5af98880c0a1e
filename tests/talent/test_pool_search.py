"""Searching and filtering the pool through the applicant list page, as a recruiter does."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from careerrelay.talent import pool_search, services
from careerrelay.talent.models import RejectionReason
from tests.factories import EmployerFactory
from tests.helpers.pool import pool_member, reason_of, tag_of
from tests.helpers.talent import SYSTEM

pytestmark = pytest.mark.django_db
Kind = RejectionReason.Kind


def names(response) -> list[str]:
    assert response.status_code == 200
    return [applicant.family_name for applicant in response.context["page"].object_list]


def search(client, **params):
    return names(client.get(reverse("employer:applicants"), params))


@pytest.fixture
def pool(employer):
    return {
        "takahashi": pool_member(
            employer,
            "髙橋",
            given_name="花子",
            family_name_kana="ﾀｶﾊｼ",
            given_name_kana="はなこ",
            email="Hanako.T@Example.jp",
            job_title="バックエンドエンジニア",
            skills="Python、AWS",
            tags=["エンジニア候補"],
            notes=["コードレビューの姿勢が素晴らしい。半年後に再アプローチしたい。"],
            reason_kind=Kind.CONDITIONS,
            years_experience=5,
            recontact_ok=True,
            rejected_on=date(2026, 3, 10),
        ),
        "takahashi_plain": pool_member(
            employer,
            "高橋",
            given_name="一郎",
            family_name_kana="タカハシ",
            job_title="法人営業",
            skills="Excel",
            reason_kind=Kind.SKILLS_GAP,
            years_experience=12,
            rejected_on=date(2025, 8, 1),
        ),
        "yamasaki": pool_member(
            employer,
            "山﨑",
            given_name="太郎",
            family_name_kana="ヤマザキ",
            job_title="バックエンドエンジニア",
            stage="final_interview",
            skills="python, Docker",
            tags=["PM候補"],
            reason_kind=Kind.OTHER_CANDIDATE,
            years_experience=2,
            outcome="hired",
            rejected_on=date(2026, 9, 1),
        ),
    }


# --- Japanese-aware free text -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["python", "ＰＹＴＨＯＮ", "PyThOn"])
def test_full_width_and_case_find_the_same_skill(owner_client, pool, typed):
    assert sorted(search(owner_client, q=typed)) == ["山﨑", "髙橋"]


@pytest.mark.parametrize("typed", ["ﾀｶﾊｼ", "たかはし", "タカハシ"])
def test_kana_in_any_width_or_script_finds_both_takahashis(owner_client, pool, typed):
    assert sorted(search(owner_client, q=typed)) == ["高橋", "髙橋"]


def test_the_rare_kanji_stays_itself(owner_client, pool):
    """髙橋 is a different character from 高橋: each finds its own person and is shown as typed."""
    response = owner_client.get(reverse("employer:applicants"), {"q": "髙橋"})
    assert names(response) == ["髙橋"]
    assert "髙橋 花子" in response.content.decode()
    assert search(owner_client, q="高橋") == ["高橋"]


def test_evaluation_notes_tags_reasons_job_titles_and_email_are_searched(owner_client, pool):
    assert search(owner_client, q="再アプローチ") == ["髙橋"]
    assert search(owner_client, q="再あぷろーち") == ["髙橋"]  # the note's katakana, typed in hiragana
    assert search(owner_client, q="ｐｍ候補") == ["山﨑"]
    assert search(owner_client, q="条件不一致") == ["髙橋"]
    assert search(owner_client, q="法人営業") == ["高橋"]
    assert search(owner_client, q="hanako.t@example") == ["髙橋"]


def test_words_are_anded_and_full_width_spaces_split_them(owner_client, pool):
    assert search(owner_client, q="python　エンジニア候補") == ["髙橋"]
    assert search(owner_client, q="python 営業") == []
    assert search(owner_client, q="髙橋花子") == ["髙橋"]  # the name written without a space


def test_one_and_two_character_words_and_fragments_keep_substring_matching(owner_client, pool):
    """The bigram index narrows, it does not change what matches: a word of one character (no
    bigram), of two (one bigram), a fragment, and not the same bigrams in another order."""
    assert sorted(search(owner_client, q="橋")) == ["高橋", "髙橋"]
    assert search(owner_client, q="﨑") == ["山﨑"]
    assert search(owner_client, q="花子") == ["髙橋"]
    assert sorted(search(owner_client, q="かは")) == ["高橋", "髙橋"]
    assert search(owner_client, q="かはた") == []
    assert search(owner_client, q="@example.j 子") == ["髙橋"]


def test_a_changed_or_deleted_applicant_is_found_by_what_it_holds_now(owner_client, pool, employer):
    services.set_skills(applicant=pool["yamasaki"], skills="Rust", actor=SYSTEM)
    assert search(owner_client, q="python") == ["髙橋"]
    assert search(owner_client, q="rust") == ["山﨑"]
    services.delete_applicant(applicant=pool["takahashi"], actor=SYSTEM)
    assert search(owner_client, q="python") == []
    assert search(owner_client, q="再アプローチ") == []
    pool_member(employer, "髙橋", given_name="次郎", skills="Python")
    assert search(owner_client, q="髙橋 python") == ["髙橋"]


def test_what_was_typed_is_kept_in_the_form(owner_client, pool):
    response = owner_client.get(reverse("employer:applicants"), {"q": "ﾀｶﾊｼ", "skills": "Python、AWS"})
    content = response.content.decode()
    assert 'value="ﾀｶﾊｼ"' in content
    assert 'value="Python、AWS"' in content


# --- Each filter ----------------------------------------------------------------------------------


def test_job_and_stage(owner_client, pool):
    assert sorted(search(owner_client, job="バックエンドエンジニア")) == ["山﨑", "髙橋"]
    assert search(owner_client, job="バックエンドエンジニア", stage="final_interview") == ["山﨑"]


def test_structured_reason_any_of_several(owner_client, pool, employer):
    conditions = reason_of(employer, Kind.CONDITIONS).pk
    skills_gap = reason_of(employer, Kind.SKILLS_GAP).pk
    assert search(owner_client, reason=[conditions]) == ["髙橋"]
    assert sorted(search(owner_client, reason=[conditions, skills_gap])) == ["高橋", "髙橋"]


def test_another_companys_reason_is_a_field_error_not_a_leak(owner_client, pool):
    other = EmployerFactory()
    foreign = reason_of(other, Kind.CONDITIONS).pk
    response = owner_client.get(reverse("employer:applicants"), {"reason": [foreign]})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert len(names(response)) == 3  # the bad field narrows nothing


def test_rejected_date_range(owner_client, pool):
    assert sorted(search(owner_client, rejected_from="2026-01-01")) == ["山﨑", "髙橋"]
    assert search(owner_client, rejected_from="2026/01/01", rejected_to="2026年6月30日") == ["髙橋"]


def test_skills_any_and_all(owner_client, pool):
    assert sorted(search(owner_client, skills="AWS, Docker")) == ["山﨑", "髙橋"]
    assert search(owner_client, skills="ＰＹＴＨＯＮ、aws", skills_mode="all") == ["髙橋"]
    assert search(owner_client, skills="Python, Excel", skills_mode="all") == []


def test_tags(owner_client, pool, employer):
    assert search(owner_client, tag=[tag_of(employer, "PM候補").pk]) == ["山﨑"]


def test_years_of_experience_range(owner_client, pool):
    assert sorted(search(owner_client, years_min="3")) == ["高橋", "髙橋"]
    assert search(owner_client, years_min="3", years_max="６") == ["髙橋"]  # full-width digits


def test_recontact_outcome_and_notes(owner_client, pool):
    assert search(owner_client, recontact="yes") == ["髙橋"]
    assert sorted(search(owner_client, recontact="no")) == ["山﨑", "高橋"]
    assert search(owner_client, outcome="hired") == ["山﨑"]
    assert search(owner_client, has_notes="yes") == ["髙橋"]
    assert sorted(search(owner_client, has_notes="no")) == ["山﨑", "高橋"]


def test_sorting(owner_client, pool):
    assert search(owner_client, sort="rejected_desc") == ["山﨑", "髙橋", "高橋"]
    assert search(owner_client, sort="rejected_asc") == ["高橋", "髙橋", "山﨑"]
    assert search(owner_client, sort="years_desc") == ["高橋", "髙橋", "山﨑"]
    assert search(owner_client, sort="kana") == ["高橋", "髙橋", "山﨑"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rejected_from": "来週"}, "rejected_from"),
        ({"years_min": "五年"}, "years_min"),
        ({"years_min": "-1"}, "years_min"),
        ({"years_min": "10", "years_max": "3"}, "years_max"),
        ({"rejected_from": "2026-12-01", "rejected_to": "2026-01-01"}, "rejected_to"),
        ({"stage": "ceo"}, "stage"),
        ({"tag": ["abc"]}, "tag"),
        ({"sort": "password"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_input_is_a_field_error_and_the_page_still_lists(owner_client, pool, params, field):
    response = owner_client.get(reverse("employer:applicants"), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert len(names(response)) == 3


def test_a_member_searches_too_and_an_outsider_finds_nothing_of_ours(member_client, pool, client, outsider):
    assert sorted(search(member_client, q="python")) == ["山﨑", "髙橋"]
    client.force_login(outsider)
    response = client.get(reverse("employer:applicants"), {"q": "hanako"})
    assert names(response) == []
    assert "Hanako.T@Example.jp".lower() not in response.content.decode().lower()


def test_pages_keep_the_filters(owner_client, employer):
    for n in range(52):
        pool_member(employer, "鈴木", email=f"s{n}@example.jp", skills="Go")
    pool_member(employer, "田中", skills="Rust")
    response = owner_client.get(reverse("employer:applicants"), {"skills": "go"})
    assert response.context["page"].count == 52
    assert 'href="?skills=go&amp;page=2"' in response.content.decode()
    second = owner_client.get(reverse("employer:applicants"), {"skills": "go", "page": "2"})
    assert names(second) == ["鈴木", "鈴木"]
    assert names(owner_client.get(reverse("employer:applicants"), {"skills": "go", "page": "abc"}))[0] == "鈴木"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's; PostgreSQL's GIN follows rows")
def test_a_deleted_applicant_leaves_nothing_in_the_bigram_index(owner_client, pool, employer):
    """The FTS5 table keeps no text, but its tokens are the characters' codes and can be read
    back: deleting a person must take them out, not leave them to match no row."""
    person = pool["takahashi"]

    def entries_for(word: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM talent_pool_bigrams WHERE talent_pool_bigrams MATCH %s",
                [f'"{pool_search.bigram_tokens(pool_search.search_form(word))}"'],
            )
            return [row[0] for row in cursor.fetchall()]

    assert person.pk in entries_for("コードレビュー")
    services.delete_applicant(applicant=person, actor=SYSTEM)
    assert entries_for("コードレビュー") == []
    assert entries_for("hanako.t@example.jp") == []
    # The index is still sound for everyone else: an integrity check and a search that finds.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO talent_pool_bigrams(talent_pool_bigrams) VALUES ('integrity-check')")
    assert search(owner_client, q="タカハシ") == ["高橋"]
