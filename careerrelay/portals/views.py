from csp.decorators import csp_exempt
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from careerrelay.organisations.brand import open_logo


def home(request):
    return render(request, "home.html", {"referrals_per_credit": settings.REFERRALS_PER_CREDIT})


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Pages link the icon from base.html; browsers and bots that ask /favicon.ico anyway get it too."""
    return redirect(static("favicon.ico"), permanent=True)


# An SVG opened on its own is a document: it may draw with its own inline styles, nothing else.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@csp_exempt()  # its own, stricter policy below
@require_http_methods(["GET", "HEAD"])
def brand_logo(request, brand_key, logo_file):
    """A company's logo, public (it is on the relay page and in mail): the URL holds a random key
    per company and the file's version, so the current version is cached for good. A URL of an
    older version still shows the current logo, cached briefly, for mail sent before a change."""
    opened = open_logo(brand_key, logo_file)
    if opened is None:
        raise Http404
    etag = f'"{opened.version}"'
    if request.headers.get("If-None-Match") == etag:
        opened.file.close()
        response = HttpResponseNotModified()
    else:
        response = FileResponse(opened.file, content_type=opened.content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=31536000, immutable" if opened.is_current else "public, max-age=3600"
    response["Content-Security-Policy"] = LOGO_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # mail clients show it from their own origin
    return response
