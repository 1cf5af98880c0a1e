from django.conf import settings
from django.utils.cache import add_never_cache_headers

# Pages a signed-in person sees about their company, their agency, themselves or the whole site:
# never kept by the browser's back/forward cache on a shared PC, nor by a proxy.
DEFAULT_NO_STORE_PREFIXES = ("/employer/", "/agency/", "/me/", "/operator/", "/accounts/")


class NoStoreForSignedInPages:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "NO_STORE_PATH_PREFIXES", DEFAULT_NO_STORE_PREFIXES))

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefixes):
            add_never_cache_headers(response)
        return response
