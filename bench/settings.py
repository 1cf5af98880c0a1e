"""Production settings plus one bare view, for the benchmark only (bench/relay_bench.py)."""

import os

from careerrelay.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# collectstatic goes into a throw-away directory, so a run leaves no staticfiles/ behind.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT  # noqa: F405
