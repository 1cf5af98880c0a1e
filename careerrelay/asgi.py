import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerrelay.settings")
application = get_asgi_application()
# Landing-page views are buffered in each web process without Redis: added to the table a second
# after they came in (careerrelay/relay/counting.py), as in wsgi.py.
from careerrelay.relay.counting import flush_in_background  # noqa: E402

flush_in_background()
