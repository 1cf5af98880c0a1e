"""Re-index cost of the term row locks (search.index._held_term_ids), with and without, in one run.

Run by hand on a PostgreSQL database loaded with load_candidates (e.g. 5,000 profiles from
bench/search_profiles.py): PYTHONPATH=. DEBUG=1 DATABASE_URL=... DJANGO_SETTINGS_MODULE=careerrelay.settings
.venv/bin/python bench/term_lock_bench.py"""

import time

import django


def main():
    django.setup()
    from careerrelay.candidates.models import Candidate
    from careerrelay.search import index

    ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    locked = index._held_term_ids

    def unlocked(terms):
        return index.term_ids(terms, create=True)

    for round_ in range(2):
        for name, held in (("with lock", locked), ("without lock", unlocked)):
            index._held_term_ids = held
            started = time.perf_counter()
            index.index_candidates(ids)
            bulk = time.perf_counter() - started
            started = time.perf_counter()
            for pk in ids[:300]:
                index.index_candidate(pk)
            single = (time.perf_counter() - started) / 300 * 1000
            with open("/proc/loadavg") as f:
                load = f.read().split()[0]
            print(f"round {round_} {name}: index_candidates({len(ids)}) {bulk:.2f} s; ", end="")
            print(f"index_candidate {single:.1f} ms each; load {load}", flush=True)


if __name__ == "__main__":
    main()
