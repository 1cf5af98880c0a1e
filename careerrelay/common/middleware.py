from django.utils.cache import add_never_cache_headers

# Pages a signed-in person sees about their company, their agency, themselves or the whole site:
# never kept by the browser's back/forward cache on a shared PC, nor by a proxy.
NO_STORE_PREFIXES = ("/employer/", "/agency/", "/me/", "/operator/", "/accounts/")


class NoStoreForSignedInPages:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(NO_STORE_PREFIXES):
            add_never_cache_headers(response)
        return response
