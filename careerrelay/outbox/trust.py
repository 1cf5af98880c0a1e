"""The outbox's last check before a message of a company's send goes out: the company must still
be active and approved (Organisation.may_send), whenever the message was queued. Who may send
and how much in the first place is decided by the bulk sends (sends/trust.py)."""

from math import inf
from time import monotonic

from careerrelay.organisations.models import Organisation
from careerrelay.outbox.models import OutboundEmail

State = OutboundEmail.State


class SenderCheck:
    """Which companies of a batch may send, asked again at most every `fresh_for` seconds.

    The worker asks before each few messages it claims; asking the database every time cost one
    round trip per ten messages (bench/RESULTS.md). A suspension still stops a running batch
    within a second, and every batch starts with a fresh answer."""

    def __init__(self, fresh_for: float = 1.0):
        self.fresh_for = fresh_for
        self._answers: dict[int, tuple[float, bool]] = {}

    def may_send(self, organisation_ids) -> set[int]:
        now = monotonic()
        stale = [pk for pk in organisation_ids if now - self._answers.get(pk, (-inf, False))[0] >= self.fresh_for]
        if stale:
            allowed = set(
                Organisation.objects.filter(
                    pk__in=stale, is_active=True, status=Organisation.Status.APPROVED
                ).values_list("pk", flat=True)
            )
            for pk in stale:
                self._answers[pk] = (now, pk in allowed)
        return {pk for pk in organisation_ids if self._answers[pk][1]}


def cancel_if_stopped(messages, check: SenderCheck | None = None) -> set[int]:
    """At delivery, just before a few messages are claimed: those of a company that may no
    longer send are cancelled (whatever let them be queued) and their ids returned."""
    by_org: dict[int, list[int]] = {}
    for message in messages:
        if message.send_id:
            by_org.setdefault(message.send.organisation_id, []).append(message.pk)
    if not by_org:
        return set()
    may_send = (check or SenderCheck()).may_send(by_org)
    refused = {pk for org_id, ids in by_org.items() if org_id not in may_send for pk in ids}
    if refused:
        OutboundEmail.objects.filter(pk__in=refused, state=State.QUEUED).update(state=State.CANCELLED)
    return refused
