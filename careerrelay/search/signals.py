"""Hooks that keep the index in step: a profile or consent change queues the candidate for
indexing once its transaction commits; a withdrawal or a deletion removes them at once, inside
the same transaction (a rollback keeps the entry, a commit leaves nothing behind)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from careerrelay.candidates.models import Candidate, CandidateSkill, Consent, WorkHistory
from careerrelay.privacy.deletion import candidate_deleted
from careerrelay.search import index
from careerrelay.search.models import Synonym


def queue_reindex(candidate_id: int) -> None:
    """Queue one index task per candidate per transaction, however many rows of theirs changed."""
    from careerrelay.search.tasks import index_candidate

    connection = transaction.get_connection()
    flush = getattr(connection, "_search_flush", None)
    # A rolled-back block drops its on_commit callbacks: start a new batch then.
    if flush is not None and any(entry[1] is flush for entry in connection.run_on_commit):
        flush.pending.add(candidate_id)
        return

    def flush():
        if getattr(connection, "_search_flush", None) is flush:
            del connection._search_flush
        for pending_id in sorted(flush.pending):
            index_candidate.enqueue(pending_id)

    flush.pending = {candidate_id}
    if connection.in_atomic_block:
        connection._search_flush = flush
    transaction.on_commit(flush)


@receiver(post_save, sender=Candidate, dispatch_uid="search_candidate_saved")
def _candidate_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        queue_reindex(instance.pk)


@receiver(post_save, sender=WorkHistory, dispatch_uid="search_history_saved")
@receiver(post_delete, sender=WorkHistory, dispatch_uid="search_history_deleted")
@receiver(post_save, sender=CandidateSkill, dispatch_uid="search_skill_saved")
@receiver(post_delete, sender=CandidateSkill, dispatch_uid="search_skill_deleted")
def _profile_part_changed(sender, instance, raw=False, **kwargs):
    if not raw and Candidate.objects.filter(pk=instance.candidate_id).exists():
        queue_reindex(instance.candidate_id)


@receiver(post_save, sender=Consent, dispatch_uid="search_consent_saved")
def _consent_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    if instance.purpose == Consent.Purpose.AGENCY_SHARING and instance.action == Consent.Action.WITHDRAW:
        # Out of every agency's search in the same transaction as the withdrawal.
        index.remove_candidate(instance.candidate_id)
    queue_reindex(instance.candidate_id)


@receiver(candidate_deleted, dispatch_uid="search_candidate_deleted")
def _candidate_deleted(sender, candidate, **kwargs):
    index.remove_candidate(candidate.pk)


@receiver(post_delete, sender=Candidate, dispatch_uid="search_candidate_row_deleted")
def _candidate_row_deleted(sender, instance, **kwargs):
    # Deletions that do not go through delete_candidate (the admin, a cascade) leave nothing either.
    index.remove_candidate(instance.pk)


@receiver(post_save, sender=Synonym, dispatch_uid="search_synonym_saved")
@receiver(post_delete, sender=Synonym, dispatch_uid="search_synonym_deleted")
def _synonyms_changed(sender, **kwargs):
    from careerrelay.search.services import forget_synonyms

    transaction.on_commit(forget_synonyms)
