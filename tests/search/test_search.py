"""Candidate search: what agencies may find, filters, ranking explanations, pages, synonyms, and the
index following profile changes, consent withdrawals and deletions."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from careerrelay.audit.services import Actor
from careerrelay.candidates import profiles
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import services as privacy
from careerrelay.privacy.deletion import delete_candidate
from careerrelay.search.index import postings
from careerrelay.search.models import Posting, SearchDocument, SearchTerm, Synonym
from careerrelay.search.services import search_candidates
from careerrelay.search.text import document_terms, query_words
from tests.factories import OperatorFactory
from tests.helpers.search import make_candidate

pytestmark = pytest.mark.django_db
SHARING = Consent.Purpose.AGENCY_SHARING


def found(q="", **filters) -> list[int]:
    return [hit.candidate_id for hit in search_candidates(q=q, **filters).results]


def keys(q):
    return [key for _raw, words in query_words(q) for _shown, key in words]


def test_text_analysis_folds_width_kana_and_long_vowels():
    assert keys("ｴﾝｼﾞﾆｱ") == ["エンジニア"]
    assert keys("えんじにあ") == ["エンジニア"]
    assert keys("ＰＹＴＨＯＮ Engineers") == ["python", "engineer"]
    assert keys("サーバ") == keys("サーバー")
    assert keys("マネージャ") == keys("マネージャー")
    terms, _length = document_terms("Javaでの開発経験")
    assert {"java", "開発", "経験"} <= set(terms)
    assert "で" not in terms


def test_only_candidates_agencies_may_find_are_returned(django_capture_on_commit_callbacks):
    shared = make_candidate(django_capture_on_commit_callbacks, summary="Kotlinでアプリ開発")
    make_candidate(django_capture_on_commit_callbacks, consent=False, summary="Kotlinでアプリ開発")
    make_candidate(django_capture_on_commit_callbacks, status=Candidate.Status.PENDING, summary="Kotlinでアプリ開発")
    assert found("Kotlin") == [shared.pk]
    assert found() == [shared.pk]
    assert SearchDocument.objects.count() == 1


def test_a_profile_change_is_searchable_after_it_commits(django_capture_on_commit_callbacks):
    candidate = make_candidate(django_capture_on_commit_callbacks, summary="経理の仕事をしてきました")
    assert found("Rust") == []
    with django_capture_on_commit_callbacks(execute=True):
        profiles.update_profile(
            candidate=candidate,
            data={name: getattr(candidate, name) for name in profiles.PROFILE_FIELDS} | {"summary": "Rustで組込み開発"},
            skills=["Rust"],
            work_history=[],
        )
    assert found("Rust") == [candidate.pk]
    assert found("経理") == []


def test_withdrawing_consent_removes_the_candidate_in_the_same_transaction(django_capture_on_commit_callbacks):
    candidate = make_candidate(django_capture_on_commit_callbacks, summary="COBOLの保守")
    with django_capture_on_commit_callbacks(execute=False):
        privacy.withdraw_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
        # Before the commit's callbacks run, the rows are already gone.
        assert postings(document_ids=[candidate.pk]) == []
    assert found("COBOL") == []
    with django_capture_on_commit_callbacks(execute=True):
        privacy.grant_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    assert found("COBOL") == [candidate.pk]


def test_a_notice_change_hides_everyone_until_they_consent_again(django_capture_on_commit_callbacks, settings):
    candidate = make_candidate(django_capture_on_commit_callbacks, summary="Haskellで開発")
    settings.PRIVACY_NOTICE_VERSION = "2099-01-01"
    assert found("Haskell") == []
    assert search_candidates(q="Haskell").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        privacy.grant_consent(candidate=candidate, purpose=SHARING, actor=Actor.for_candidate(candidate))
    # The consent is recorded under the notice text the code knows; visible again only if that
    # is the current one, which is what agency_visible_candidates() decides.
    assert found("Haskell") == list(privacy.agency_visible_candidates().values_list("pk", flat=True))


def test_deletion_leaves_no_term_of_the_person_in_the_index(django_capture_on_commit_callbacks):
    other = make_candidate(django_capture_on_commit_callbacks, skills="Java", summary="Java開発")
    candidate = make_candidate(
        django_capture_on_commit_callbacks,
        skills="Java, Zyxwvlang",
        summary="Java開発と蘂田式ペンギン操縦",
    )
    assert len(postings(terms=["zyxwvlang"])) == 1
    with django_capture_on_commit_callbacks(execute=True):
        delete_candidate(candidate, actor=Actor.for_candidate(candidate))
    assert found("Zyxwvlang") == []
    assert found("Java") == [other.pk]
    assert SearchDocument.objects.filter(candidate_id=candidate.pk).count() == 0
    assert postings(document_ids=[candidate.pk]) == []
    # Terms only the deleted person had are gone from the whole index, the term dictionary
    # included, not just their rows; the terms others still have stay.
    terms = set(SearchTerm.objects.values_list("term", flat=True))
    assert {t for t in terms if "zyxwv" in t or "ペンギン" in t or "蘂" in t} == set()
    assert "java" in terms
    assert [p for p in postings() if "zyxwv" in p[1]] == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1  # freed pages are zeroed, not left in the file


def test_a_candidate_deleted_outside_delete_candidate_leaves_the_index_too(django_capture_on_commit_callbacks):
    candidate = make_candidate(django_capture_on_commit_callbacks, summary="Fortran")
    Candidate.objects.filter(pk=candidate.pk).delete()
    assert postings() == []
    assert SearchDocument.objects.count() == 0


def test_filters(django_capture_on_commit_callbacks):
    tokyo = make_candidate(
        django_capture_on_commit_callbacks,
        prefecture="13",
        job_category="engineer_software",
        years_experience=8,
        desired_salary_min=600,
        desired_salary_max=800,
        remote_preference="remote",
        summary="Go開発",
    )
    osaka = make_candidate(
        django_capture_on_commit_callbacks,
        prefecture="27",
        desired_prefectures=["13"],
        job_category="sales",
        desired_job_categories=["sales", "marketing"],
        years_experience=2,
        desired_salary_min=350,
        remote_preference="office",
        summary="Go開発",
    )
    assert set(found("Go")) == {tokyo.pk, osaka.pk}
    assert set(found("Go", prefecture="13")) == {tokyo.pk, osaka.pk}  # Osaka wants to work in Tokyo
    assert found("Go", prefecture="27") == [osaka.pk]
    assert found("Go", job_category="marketing") == [osaka.pk]
    assert found("Go", min_years=5) == [tokyo.pk]
    assert found("Go", max_years=5) == [osaka.pk]
    assert set(found("Go", salary_min=500, salary_max=700)) == {tokyo.pk, osaka.pk}
    assert found("Go", salary_min=900) == [osaka.pk]  # Tokyo wants at most 800
    assert found("Go", salary_max=400) == [osaka.pk]  # Tokyo wants at least 600
    assert found("Go", remote=True) == [tokyo.pk]
    assert found("Go", remote="office") == [osaka.pk]
    # Changed behind the services' back, so the index is rebuilt by hand.
    Candidate.objects.filter(pk=osaka.pk).update(profile_updated_at=timezone.now() - timedelta(days=40))
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found("Go", updated_since=date.today() - timedelta(days=7)) == [tokyo.pk]
    assert found(prefecture="27") == [osaka.pk]


def test_each_hit_explains_terms_synonyms_filters_and_recency(django_capture_on_commit_callbacks):
    candidate = make_candidate(
        django_capture_on_commit_callbacks, skills="Java", summary="プロジェクトマネージャーとして開発を推進"
    )
    page = search_candidates(q="Java PM", prefecture="13")
    assert [hit.candidate_id for hit in page.results] == [candidate.pk]
    hit = page.results[0]
    assert hit.public_id == candidate.public_id
    assert hit.score > 0
    assert [(t.query, t.term, t.fields, t.synonym) for t in hit.matched_terms] == [
        ("Java", "Java", ["skills"], False),
        ("PM", "プロジェクトマネージャー", ["summary"], True),
    ]
    assert [f.name for f in hit.filters] == ["prefecture"]
    assert hit.explanation == [
        "「Java」がスキルに一致",
        "「PM」の同義語「プロジェクトマネージャー」が自己紹介に一致",
        "勤務地・居住地: 東京都",
        f"プロフィール更新: 今日({timezone.localdate().isoformat()})",
    ]


def test_ranking_prefers_more_and_better_placed_matches(django_capture_on_commit_callbacks):
    weak = make_candidate(django_capture_on_commit_callbacks, summary="趣味でDjangoを少し触りました。営業が本業です。")
    strong = make_candidate(django_capture_on_commit_callbacks, skills="Django, Python", summary="Djangoで開発")
    assert found("Django") == [strong.pk, weak.pk]
    page = search_candidates(q="Django")
    assert page.results[0].score > page.results[1].score


def test_every_word_must_match_unless_any_is_asked_for(django_capture_on_commit_callbacks):
    both = make_candidate(django_capture_on_commit_callbacks, skills="Java, AWS")
    one = make_candidate(django_capture_on_commit_callbacks, skills="Java")
    assert found("Java AWS") == [both.pk]
    assert found("Java AWS", match="any") == [both.pk, one.pk]
    assert found("Java Fortran") == []
    assert set(found("Java Fortran", match="any")) == {both.pk, one.pk}
    with pytest.raises(ValueError):
        search_candidates(q="Java", match="some")


def test_pages(django_capture_on_commit_callbacks):
    made = [make_candidate(django_capture_on_commit_callbacks, summary="Elixirで開発") for _ in range(5)]
    first = search_candidates(q="Elixir", per_page=2)
    third = search_candidates(q="Elixir", per_page=2, page=3)
    beyond = search_candidates(q="Elixir", per_page=2, page=9)
    assert (first.total, first.num_pages, first.has_next, first.has_previous) == (5, 3, True, False)
    assert (len(third.results), third.has_next) == (1, False)
    assert (beyond.results, beyond.total) == ([], 5)
    seen = [h.candidate_id for p in (1, 2, 3) for h in search_candidates(q="Elixir", per_page=2, page=p).results]
    assert sorted(seen) == sorted(c.pk for c in made)


def test_staff_adding_and_deleting_a_synonym_in_the_operator_console_changes_searches_at_once(
    client, django_capture_on_commit_callbacks
):
    candidate = make_candidate(django_capture_on_commit_callbacks, summary="ケアマネジャーとして勤務")
    assert found("ケアマネ") == []  # the synonym map is cached from here on
    client.force_login(OperatorFactory(email="operator@careerrelay.example"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:search_synonym_add"), {"terms": "ケアマネ, ケアマネジャー, 介護支援専門員", "note": ""}
        )
    assert response.status_code == 302
    assert found("ケアマネ") == [candidate.pk]
    assert found("介護支援専門員") == [candidate.pk]
    synonym = Synonym.objects.get(terms__startswith="ケアマネ")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:search_synonym_delete", args=[synonym.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert found("ケアマネ") == []


def test_the_default_synonyms_are_installed():
    rows = [s.term_list() for s in Synonym.objects.all()]
    assert ["PM", "プロジェクトマネージャー", "プロマネ", "project manager"] in rows
    assert any("セールス" in row and "営業" in row for row in rows)


def test_load_candidates_refuses_with_debug_off(tmp_path, settings):
    settings.DEBUG = False
    path = tmp_path / "c.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_candidates", str(path), stdout=io.StringIO())
    assert Candidate.objects.count() == 0


def test_load_candidates_creates_verified_consenting_indexed_candidates(tmp_path):
    profile = {
        "family_name": "髙橋",
        "given_name": "花子",
        "email": "ｈａｎａｋｏ@example.jp",
        "prefecture": "13",
        "job_categories": ["engineer_software"],
        "years_experience": 6,
        "skills": ["Python", "ＡＷＳ"],
        "summary": "Pythonでの開発経験",
        "work_history": [{"company": "株式会社テスト", "role": "SE", "years": 3, "description": "Web開発"}],
    }
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(profile, ensure_ascii=False) + "\n" + json.dumps(profile) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("load_candidates", str(path), "--force", stdout=out)
    candidate = Candidate.objects.get()
    assert (candidate.email_normalized, candidate.is_verified) == ("hanako@example.jp", True)
    assert privacy.may_provide(candidate) is True
    assert [s.name for s in candidate.skill_set.all()] == ["Python", "AWS"]
    assert candidate.work_history.get().role == "SE"
    assert found("AWS") == [candidate.pk]
    assert found("システムエンジニア") == [candidate.pk]
    assert "1 skipped" in out.getvalue()


def test_rebuild_search_index_writes_the_index_again(django_capture_on_commit_callbacks):
    candidate = make_candidate(django_capture_on_commit_callbacks, summary="Scalaで開発")
    Posting.objects.all().delete()
    SearchDocument.objects.all().delete()
    assert found("Scala") == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found("Scala") == [candidate.pk]


def test_unknown_remote_value_is_an_error():
    with pytest.raises(ValueError):
        search_candidates(remote="moon")


def test_a_first_page_ranked_from_the_best_text_scores_is_the_page_every_match_gives(
    django_capture_on_commit_callbacks, monkeypatch
):
    from django.test.utils import CaptureQueriesContext

    from careerrelay.search import services

    # Half of them mention Go, some more than others; close text scores, so the recency bonus
    # decides places and the pruned ranking must prove it read every document that can be on a page.
    made = [
        make_candidate(
            django_capture_on_commit_callbacks,
            prefecture="13" if n % 3 else "27",
            years_experience=n % 8,
            skills="Rust" if n % 2 else ("Go" if n % 4 == 0 else "Go, Rust"),
            summary="Rustで開発" if n % 2 else "Goで開発" + "、Goで運用" * (n % 7),
        )
        for n in range(60)
    ]
    for n, candidate in enumerate(made):
        # The Go profiles were updated within hours of each other (the pruned ranking can prove
        # its first pages), the others over two years.
        age = timedelta(hours=n % 5) if n % 2 == 0 else timedelta(days=(n * 37) % 700)
        Candidate.objects.filter(pk=candidate.pk).update(profile_updated_at=timezone.now() - age)
    call_command("rebuild_search_index", stdout=io.StringIO())

    def pages(**filters):
        return [
            ([(h.candidate_id, h.score) for h in page.results], page.total)
            for page in (search_candidates(q="Go", per_page=4, page=p, **filters) for p in (1, 2, 3, 9))
        ]

    searches = [{}, {"prefecture": "13"}, {"prefecture": "27", "min_years": 2}]
    everything = {}
    monkeypatch.setattr(services, "PRUNED_MAX_RANK", 0)
    for filters in searches:
        everything[str(filters)] = pages(**filters)
    monkeypatch.setattr(services, "PRUNED_MAX_RANK", 200)
    monkeypatch.setattr(services, "PRUNED_MINIMUM", 8)
    monkeypatch.setattr(services, "PRUNED_FROM", 8)
    monkeypatch.setattr(services, "PRUNED_CANDIDATES", 2)
    with CaptureQueriesContext(connection) as queries:
        for filters in searches:
            assert pages(**filters) == everything[str(filters)]
    # Some pages were ranked that way (the count stopping at 1,001 is only run for them). Not on
    # PostgreSQL, where the postings are in the document rows: every match is one row read there,
    # and there is no pruned ranking to compare.
    pruned = any("SELECT COUNT(*) FROM (SELECT 1 FROM" in q["sql"] for q in queries.captured_queries)
    assert pruned == (connection.vendor == "sqlite")
    assert everything["{}"][0][1] == 30


def test_the_maintenance_command_deletes_only_terms_no_document_holds(django_capture_on_commit_callbacks):
    candidate = make_candidate(django_capture_on_commit_callbacks, skills="Java, Zyxwvlang", summary="Java開発")
    SearchTerm.objects.create(term="orphanword")  # as a rolled-back index write can leave on PostgreSQL
    held = set(SearchTerm.objects.exclude(term="orphanword").values_list("term", flat=True))
    out = io.StringIO()
    call_command("rebuild_search_index", "--unused-terms", stdout=out)
    assert set(SearchTerm.objects.values_list("term", flat=True)) == held
    assert "Deleted 1 unused terms" in out.getvalue()
    assert found("Zyxwvlang") == [candidate.pk]
