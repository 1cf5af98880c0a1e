import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerrelay.settings")
application = get_wsgi_application()
# Landing-page views are buffered in each web process without Redis: added to the table a second
# after they came in (careerrelay/relay/counting.py).
from careerrelay.relay.counting import flush_in_background  # noqa: E402

flush_in_background()
# Import every URL module (the views, the API and its schemas) while the worker boots, not in its
# first request: that request, and the ones queued behind it, would wait seconds for the imports,
# long enough for an ATS vendor to time out a webhook (bench/RESULTS.md, "ATS webhooks").
get_resolver().url_patterns  # noqa: B018
