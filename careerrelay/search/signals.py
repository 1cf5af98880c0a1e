"""Hooks that keep the index in step.

A profile or consent change queues the candidate for indexing once its transaction commits (skills
and work history are saved together with the Candidate row — update_profile() and the admin both
save it — so that one signal covers them). A withdrawal or a deletion removes the entry at once,
inside the same transaction: a rollback keeps it, a commit leaves nothing behind."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from careerrelay.candidates.models import Candidate, Consent
from careerrelay.privacy.deletion import candidate_deleted
from careerrelay.search import index
from careerrelay.search.models import Synonym


def queue_reindex(candidate_id: int) -> None:
    from careerrelay.search.tasks import index_candidate

    transaction.on_commit(partial(index_candidate.enqueue, candidate_id))


@receiver(post_save, sender=Candidate, dispatch_uid="search_candidate_saved")
def _candidate_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        queue_reindex(instance.pk)


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
