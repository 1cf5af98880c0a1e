"""Settings for the worker subprocess of test_worker_crash.py: short timeouts so that the
restarted worker picks up what the killed one left within seconds."""

from careerrelay.settings import *  # noqa: F403

# Must stay above the time a live worker needs for a claimed chunk, also on a busy machine.
MAILINGS_STALE_SENDING_SECONDS = 10
MAILINGS_CLAIM_CHUNK = 2
MAILINGS_BATCH_LEASE_SECONDS = 3
MAILINGS_PERIODIC_SECONDS = 0.5
MAILINGS_BATCH_SIZE = 10
