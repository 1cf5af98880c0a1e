"""One adapter per ATS: check a webhook delivery's signature and read it into `base.Parsed`.

The adapters are pure (no database, no settings, no network except `lever.fetch_rejection`), so
each vendor's documented contract is tested on its own; the integrations app stores deliveries,
learns rejection reasons and turns each `base.Rejection` into a talent-pool applicant.
"""
