"""Erasing a candidate: everything that identifies the person goes, and only pseudonymous rows stay.

What goes:
- the Candidate row and everything hanging off it by foreign key with CASCADE (profile
  details, work history, skills, résumé metadata, consents, verification and sign-in tokens,
  retention state);
- the résumé file on disk (after the transaction commits, so a rollback never leaves a profile
  pointing at a missing file; a crash between commit and unlink leaves a file with a random
  name that nothing points to, which the sweep in `delete_orphaned_resume_files` removes);
- every email in the outbox addressed to the person: its body contains their name;
- admin history entries about the person (their `object_repr` is the name);
- the person's entry in the agency search index (removed in the same transaction);
- the re-contact consent with it: employers' pool rows linked to the person
  (Applicant.candidate_public_id) stop being mailed (recontact_ok=False); the rows themselves
  are the employer's own records.

Why consents are deleted rather than kept anonymised: a consent row exists to prove that a
provision was allowed. Every provision record already copies the notice version and hash and
the time the consent relied on was given, so that proof survives; the consent rows themselves
carry the person's IP address and browser, which would outlive the account for no purpose.

What stays, keyed only by the candidate's public_id (subject_key):
- the referral ledger (employers' balances stay right), IdentityFingerprint (keyed hashes, so
  the same address cannot be counted as "new" twice), provision records (kept 3 years, APPI
  Art. 29), audit events and stop-use notices.
"""

import logging
import time
from pathlib import Path

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q

from careerrelay.audit.services import Action, Actor, record_event
from careerrelay.candidates import resumes
from careerrelay.candidates.models import Candidate, Consent, IdentityFingerprint, Resume
from careerrelay.common.japanese import normalize_email
from careerrelay.common.tokens import pseudonym
from careerrelay.outbox.models import OutboundEmail
from careerrelay.search import index as search_index
from careerrelay.talent import recontact as talent_recontact

log = logging.getLogger(__name__)


def _file_paths(candidate: Candidate) -> list[Path]:
    """Files of any related model with a FileField (the résumé keeps its own storage, below)."""
    paths: list[Path] = []
    for relation in candidate._meta.related_objects:
        model: type[models.Model] = relation.related_model  # type: ignore[assignment]  # a class once apps are loaded
        file_fields = [f.name for f in model._meta.fields if f.get_internal_type() == "FileField"]
        if not file_fields:
            continue
        for row in model._default_manager.filter(**{relation.field.name: candidate}):
            paths.extend(Path(getattr(row, name).path) for name in file_fields if getattr(row, name))
    return paths


def _unlink(paths):
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not delete a résumé file of a deleted candidate: %s", path.name)


def _outbox_ids(candidate: Candidate) -> list[int]:
    """Transactional emails to the person: to their current address, to any address they asked to
    change to, and to any earlier address they verified (recognised by its keyed fingerprint, as
    the address itself is no longer on the profile)."""
    addresses = {normalize_email(candidate.email), candidate.email_normalized}
    change_tokens = getattr(candidate, "email_change_tokens", None)
    if change_tokens is not None:
        addresses |= {normalize_email(e) for e in change_tokens.values_list("new_email", flat=True)}
    fingerprints = set(
        IdentityFingerprint.objects.filter(
            subject_key=candidate.public_id, kind=IdentityFingerprint.Kind.EMAIL
        ).values_list("digest", flat=True)
    )
    rows = OutboundEmail.objects.filter(send__isnull=True, created_at__gte=candidate.created_at).values_list(
        "pk", "to_email"
    )
    ids = []
    for pk, to_email in rows.iterator():
        address = normalize_email(to_email)
        if address in addresses or pseudonym(address, f"fingerprint:{IdentityFingerprint.Kind.EMAIL}") in fingerprints:
            ids.append(pk)
    return ids


def _delete_task_rows(addresses: set[str]) -> int:
    """The database task backend keeps each task's arguments; our tasks take ids, but a row that
    names the address (queued by an older release, or a future task) goes too. RQ keeps its jobs
    in Redis with an expiry."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    query = Q()
    for address in addresses:
        if address:
            query |= Q(args_kwargs__icontains=address)
    return DBTaskResult.objects.filter(query).delete()[0] if query else 0


def delete_candidate(candidate: Candidate, *, actor: Actor, reason="") -> str:
    """Erase the person (see the module docstring). Returns the subject_key that remains."""
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        subject_key = candidate.public_id
        # The résumé service removes its file once this transaction commits.
        had_resume = resumes.delete_resume(candidate=candidate)
        files = _file_paths(candidate)
        # Out of every agency's search in this transaction: a failure here rolls the deletion back.
        search_index.remove_candidate(candidate.pk)
        # No consent survives the account: no follow-up mail from a pool row linked to it either.
        pool_rows = talent_recontact.stop_recontact(candidate_public_id=subject_key)
        outbox = OutboundEmail.objects.filter(pk__in=_outbox_ids(candidate)).delete()[0]
        _delete_task_rows({candidate.email, candidate.email_normalized})
        history = {
            Candidate: [str(candidate.pk)],
            Consent: [str(pk) for pk in candidate.consents.values_list("pk", flat=True)],
        }
        for model, object_ids in history.items():
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=object_ids
            ).update(object_repr=str(subject_key), change_message="")
        Candidate.objects.filter(pk=candidate.pk).delete()
        record_event(
            actor=actor,
            action=Action.RETENTION_DELETE if reason == "retention" else Action.DELETE,
            subject_key=subject_key,
            object_type="candidate",
            files=len(files) + int(had_resume),
            outbox_emails=outbox,
            pool_rows_recontact_stopped=pool_rows,
            reason=reason or "request",
        )
        transaction.on_commit(lambda: _unlink(files))
    return str(subject_key)


def delete_orphaned_resume_files() -> int:
    """Résumé files that no row points to (a crash between commit and unlink). Run by the retention job."""
    root = Path(resumes.resume_storage().location)
    if not root.is_dir():
        return 0
    known = set(Resume.objects.values_list("stored_name", flat=True))
    # An upload writes its file just before its row commits: leave recent files alone.
    cutoff = time.time() - 3600
    removed = 0
    for path in root.iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            _unlink([path])
            removed += 1
    return removed
