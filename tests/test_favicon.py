from pathlib import Path
from urllib.request import urlopen

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_links_the_icon(client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "<svg" in Path(finders.find("favicon.svg")).read_text()


def test_favicon_ico_at_the_root_leads_to_the_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/favicon.ico")


def test_the_icon_is_served_as_a_static_file(live_server):

    with urlopen(live_server.url + "/favicon.ico") as response:  # follows the redirect
        assert response.status == 200
        assert response.read()[:4] == b"\x00\x00\x01\x00"
