"""The search index under concurrent writers, on PostgreSQL: real threads, each with its own
database connection. There a document keeps its terms in `term_ids integer[]`, with no foreign key
to the term dictionary (SQLite keeps posting rows with one, and serialises every writer)."""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from careerrelay.audit.services import Actor
from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy import services as privacy
from careerrelay.privacy.deletion import delete_candidate
from careerrelay.search import index, tasks
from careerrelay.search.models import SearchDocument, SearchTerm
from careerrelay.search.services import search_candidates
from tests.factories import CandidateFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WAIT = 30  # seconds; only so that a broken test fails instead of hanging


def make_candidate(**fields) -> Candidate:
    """A verified person who consented to agency sharing (indexed by the task that follows)."""
    candidate = CandidateFactory(status=Candidate.Status.VERIFIED, **fields)
    privacy.grant_consent(
        candidate=candidate, purpose=Consent.Purpose.AGENCY_SHARING, actor=Actor.for_candidate(candidate)
    )
    return candidate


def edit_profile(candidate: Candidate, **fields) -> None:
    """A profile change committed without its index task (run by the test when it chooses)."""
    Candidate.objects.filter(pk=candidate.pk).update(**fields)


def found(q) -> set[int]:
    return {hit.candidate_id for hit in search_candidates(q=q).results}


def dangling_term_ids() -> list[int]:
    """Term ids that a document holds and the dictionary does not."""
    documents = connection.ops.quote_name(SearchDocument._meta.db_table)
    terms = connection.ops.quote_name(SearchTerm._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT u.id FROM {documents} d, unnest(d.term_ids) u(id) "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {terms} t WHERE t.id = u.id) ORDER BY 1"
        )
        return [term_id for (term_id,) in cursor.fetchall()]


def in_thread(function, *args):
    """Start function(*args) in a thread with its own connection; returns the pool's future."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


@pytest.mark.parametrize("pause", ["after the term look-up", "before the commit"])
def test_a_word_stays_in_the_dictionary_while_a_newcomer_is_being_indexed(monkeypatch, pause):
    """The newcomer's index task has looked up the id of a rare word (and, in the second case,
    written its row) but not committed; meanwhile the only other person with that word is deleted.
    The deletion sees no committed document with the word and must still not delete it from under
    the newcomer: after both commit, every term id of the newcomer's row exists and the word finds
    them."""
    holder = make_candidate(skills="Java, Zyxwvlang", summary="Zyxwvlangで開発")
    newcomer = make_candidate(skills="Java", summary="Java開発")
    assert found("Zyxwvlang") == {holder.pk}
    edit_profile(newcomer, skills="Java, Zyxwvlang", summary="Java開発とZyxwvlang")

    paused, resume = threading.Event(), threading.Event()
    newcomer_thread = []

    def hold(function):
        def held(*args, **kwargs):
            result = function(*args, **kwargs)
            if threading.get_ident() in newcomer_thread and not paused.is_set():
                paused.set()
                assert resume.wait(WAIT)
            return result

        return held

    if pause == "after the term look-up":
        monkeypatch.setattr(index, "term_ids", hold(index.term_ids))
    else:
        monkeypatch.setattr(index, "write_documents", hold(index.write_documents))

    def reindex(candidate_id):
        newcomer_thread.append(threading.get_ident())
        return tasks.index_candidate.call(candidate_id)

    newcomer_indexed = in_thread(reindex, newcomer.pk)
    try:
        assert paused.wait(WAIT)
        delete_candidate(holder, actor=Actor.for_candidate(holder))
    finally:
        resume.set()
    assert newcomer_indexed.result(WAIT) is True

    assert SearchDocument.objects.filter(candidate_id=holder.pk).count() == 0
    assert dangling_term_ids() == []
    assert found("Zyxwvlang") == {newcomer.pk}
    assert SearchTerm.objects.filter(term="zyxwvlang").count() == 1


def test_two_reindexes_that_deadlock_on_each_others_words_both_end_indexed(monkeypatch, caplog):
    """Two people swap a rare word each. Both index tasks delete their old rows and with them the
    word only they had (locked until they commit), then each looks up the word the other just
    deleted and waits for the other: PostgreSQL aborts one with a deadlock. The task tries again
    and both people end up found by their new word."""
    first = make_candidate(skills="Alphaqword", summary="Alphaqword")
    second = make_candidate(skills="Betaqword", summary="Betaqword")
    edit_profile(first, skills="Betaqword", summary="Betaqword")
    edit_profile(second, skills="Alphaqword", summary="Alphaqword")

    both_removed = threading.Barrier(2)
    waited = set()
    remove_candidate = index.remove_candidate

    def remove_then_wait(candidate_id):
        removed = remove_candidate(candidate_id)
        if candidate_id not in waited:  # the first attempt only
            waited.add(candidate_id)
            both_removed.wait(WAIT)
        return removed

    monkeypatch.setattr(index, "remove_candidate", remove_then_wait)
    caplog.set_level("WARNING", logger="careerrelay.search.tasks")

    runs = [in_thread(tasks.index_candidate.call, candidate.pk) for candidate in (first, second)]

    assert [run.result(WAIT) for run in runs] == [True, True]
    assert "deadlock detected" in caplog.text  # one of them was aborted and tried again
    assert found("Betaqword") == {first.pk}
    assert found("Alphaqword") == {second.pk}
    assert dangling_term_ids() == []


def test_a_word_left_by_a_rolled_back_index_write_is_cleared_by_the_maintenance_command(monkeypatch):
    """The deletion skips a word an unfinished index write holds; when that write then rolls back,
    the word stays in the dictionary, held by no one. `rebuild_search_index --unused-terms` deletes
    it, and only such words."""
    holder = make_candidate(skills="Java, Zyxwvlang", summary="Zyxwvlangで開発")
    newcomer = make_candidate(skills="Java", summary="Java開発")
    edit_profile(newcomer, skills="Java, Zyxwvlang", summary="Java開発とZyxwvlang")

    paused, resume = threading.Event(), threading.Event()
    write_documents = index.write_documents

    def write_then_fail(built):
        write_documents(built)
        paused.set()
        assert resume.wait(WAIT)
        raise RuntimeError("the worker died")

    monkeypatch.setattr(index, "write_documents", write_then_fail)
    newcomer_indexed = in_thread(tasks.index_candidate.call, newcomer.pk)
    try:
        assert paused.wait(WAIT)
        delete_candidate(holder, actor=Actor.for_candidate(holder))
    finally:
        resume.set()
    with pytest.raises(RuntimeError):
        newcomer_indexed.result(WAIT)
    monkeypatch.undo()

    assert SearchTerm.objects.filter(term="zyxwvlang").exists()  # held by no document
    assert found("Zyxwvlang") == set()
    before = set(SearchTerm.objects.values_list("term", flat=True))

    out = io.StringIO()
    call_command("rebuild_search_index", "--unused-terms", stdout=out)

    after = set(SearchTerm.objects.values_list("term", flat=True))
    assert "zyxwvlang" in before - after
    assert all(index.postings(terms=[term]) for term in after)  # every term left is held
    assert found("Java") == {newcomer.pk}
    assert "Deleted" in out.getvalue()
