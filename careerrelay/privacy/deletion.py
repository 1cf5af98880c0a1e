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
- whatever other parts registered on the `candidate_deleted` signal (the agency search index).

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

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal

from careerrelay.audit.services import Action, ActorKind, record_event
from careerrelay.candidates.models import Candidate, Consent

log = logging.getLogger(__name__)

# Sent inside the deletion's transaction, before the candidate row is deleted, with
# `candidate` and `subject_key`. Receivers erase what they keep about the person (e.g. search
# index entries); an exception rolls the whole deletion back.
candidate_deleted = Signal()


def _resume_paths(candidate: Candidate) -> list[Path]:
    """Résumé files of the person, whatever model keeps them (the my-page résumé, or any
    related model with a FileField)."""
    paths = []
    for relation in candidate._meta.related_objects:
        model = relation.related_model
        rows = model._default_manager.filter(**{relation.field.name: candidate})
        for field in model._meta.fields:
            if field.get_internal_type() == "FileField":
                for row in rows:
                    name = getattr(row, field.name)
                    if name:
                        paths.append(Path(name.path))
        if model.__name__ == "Resume" and hasattr(model, "stored_name"):
            for stored_name in rows.values_list("stored_name", flat=True):
                paths.append(resume_root() / stored_name)
    return paths


def resume_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "resumes"


def _unlink(paths):
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not delete a résumé file of a deleted candidate: %s", path.name)


def _outbox_filter(candidate: Candidate) -> Q:
    addresses = {candidate.email, candidate.email_normalized}
    query = Q()
    for address in addresses:
        query |= Q(to_email__iexact=address)
    return query


def delete_candidate(candidate: Candidate, *, actor_kind: str = ActorKind.CANDIDATE, request=None, reason="") -> str:
    """Erase the person (see the module docstring). Returns the subject_key that remains."""
    from careerrelay.mailings.models import OutboundEmail

    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        subject_key = candidate.public_id
        files = _resume_paths(candidate)
        candidate_deleted.send(sender=Candidate, candidate=candidate, subject_key=subject_key)
        outbox = OutboundEmail.objects.filter(_outbox_filter(candidate), send__isnull=True).delete()[0]
        for model in (Candidate, Consent):
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(candidate.pk)]
                if model is Candidate
                else [str(pk) for pk in candidate.consents.values_list("pk", flat=True)],
            ).update(object_repr=str(subject_key)[:200], change_message="")
        Candidate.objects.filter(pk=candidate.pk).delete()
        record_event(
            actor=getattr(request, "user", None) if actor_kind == ActorKind.STAFF else None,
            actor_kind=actor_kind,
            action=Action.RETENTION_DELETE if reason == "retention" else Action.DELETE,
            subject_key=subject_key,
            request=request if actor_kind != ActorKind.SYSTEM else None,
            object_type="candidate",
            files=len(files),
            outbox_emails=outbox,
            reason=reason or "request",
        )
        transaction.on_commit(lambda: _unlink(files))
    return str(subject_key)


def delete_orphaned_resume_files() -> int:
    """Résumé files that no row points to (a crash between commit and unlink). Run by the retention job."""
    from django.apps import apps

    root = resume_root()
    if not root.is_dir():
        return 0
    try:
        resume_model = apps.get_model("candidates", "Resume")
    except LookupError:
        return 0
    known = set(resume_model._default_manager.values_list("stored_name", flat=True))
    # An upload writes its file just before its row commits: leave recent files alone.
    cutoff = time.time() - 3600
    removed = 0
    for path in root.iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            _unlink([path])
            removed += 1
    return removed
