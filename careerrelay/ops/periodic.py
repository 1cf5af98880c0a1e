"""The worker's periodic loop: scheduled sends that have come due, and messages left in
`sending` by a worker that died. It runs in a thread of `manage.py worker`, so no extra process
or cron entry is needed; running it in several workers at once is safe because every step is a
conditional UPDATE that only one of them wins."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from careerrelay.accounts.services import forget_old_staff_signins
from careerrelay.analytics.aggregation import aggregate_yesterday_once
from careerrelay.candidates.services import delete_expired_unconfirmed
from careerrelay.candidates.signin import delete_spent_links
from careerrelay.followups.services import queue_due_followups
from careerrelay.integrations.services import sweep_deliveries
from careerrelay.matching.services import expire_due_requests, remind_lapsing
from careerrelay.privacy.retention import run_if_due
from careerrelay.relay.services import flush_views
from careerrelay.sends.mailbox import read_if_due as read_unsubscribe_mailbox
from careerrelay.sends.services import run_periodic
from careerrelay.sends.trust import check_complaints_if_due
from careerrelay.webhooks.services import delete_old_events, send_due_retries

log = logging.getLogger(__name__)


def _retention():
    return run_if_due() is not None


def _free_referrals():
    return expire_due_requests()


def _lapse_reminders():
    return remind_lapsing()


def _spent_links():
    return delete_spent_links()


def _unconfirmed_registrations():
    return delete_expired_unconfirmed()


def _followups():
    return queue_due_followups()


def _ats_deliveries():
    return sweep_deliveries()


def _staff_signin_addresses():
    return forget_old_staff_signins()


def _webhook_retries():
    return send_due_retries()


def _webhook_log():
    return delete_old_events()


def run_once() -> dict:
    """Each job on its own: one that fails is logged and the others still run."""
    result = {}
    jobs = [
        # Re-challenge mails (follow-up steps) that came due: queued as sends, or recorded as skipped.
        # Before "mail", so a send due now is dispatched in the same round.
        ("followups", _followups),
        # ATS webhook deliveries: failed bodies past INTEGRATIONS_FAILED_BODY_DAYS lose their contact
        # data; pending ones whose task was lost are enqueued again.
        ("ats_deliveries", _ats_deliveries),
        # Scheduled sends that came due; messages left in `sending` by a dead worker.
        ("mail", run_periodic),
        # Candidate retention (reminders, deletions after the grace period): at most once an hour.
        ("retention", _retention),
        # Free-referral requests past their deadline: expire and return the credit (each exactly once).
        ("free_referrals_expired", _free_referrals),
        # Claims and requests two days before they lapse: the agency / the employer is told, once each.
        ("lapse_reminders", _lapse_reminders),
        # Candidate sign-in and email-change links a day past expiry (an email-change row holds an address).
        ("spent_links_deleted", _spent_links),
        # Registrations never confirmed, once their newest link has expired (with their consents).
        ("unconfirmed_registrations_deleted", _unconfirmed_registrations),
        # Addresses staff signed in from, kept STAFF_SIGNIN_IP_DAYS for the referral-fraud holds.
        ("staff_signin_addresses_deleted", _staff_signin_addresses),
        # Companies whose recipients report too much of their mail as spam: sends paused, operators told
        # (at most every sends.trust.COMPLAINT_CHECK_SECONDS).
        ("complaint_rate", check_complaints_if_due),
        # The mailto: unsubscribe mailbox (UNSUBSCRIBE_IMAP_URL), at most every UNSUBSCRIBE_IMAP_INTERVAL_SECONDS.
        ("unsubscribe_mailbox", read_unsubscribe_mailbox),
        # Outbound webhook deliveries whose back-off is over (and any whose task was lost).
        ("webhook_retries", _webhook_retries),
        # The webhook delivery log (events, deliveries, the servers' answers) after 30 days.
        ("webhook_log_deleted", _webhook_log),
        # Landing-page views counted in Redis (or this process's buffer) added to the campaigns' counters.
        ("landing_views_flushed", flush_views),
        # The employers' funnel figures of yesterday (Japan time), once a day for all workers.
        ("analytics_aggregated", aggregate_yesterday_once),
    ]
    for name, job in jobs:
        try:
            value = job()
        except Exception:
            log.exception("periodic job %s failed", name)
            value = None
        if name == "mail" and value is not None:
            result.update(value)
        else:
            result[name] = value
    return result


def _loop(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            run_once()
        except Exception:
            log.exception("periodic mail jobs failed; trying again in %s s", interval)
        finally:
            close_old_connections()
        stop.wait(interval)


def start_periodic_thread(interval: float | None = None) -> threading.Event:
    """Starts the loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    interval = interval or settings.MAILINGS_PERIODIC_SECONDS
    threading.Thread(target=_loop, args=(stop, interval), name="periodic-mail", daemon=True).start()
    return stop
