"""Bearer authentication with organisation API keys, shared by every router of API v1.

A router that needs a different kind of key (agencies, later) passes its own instance:
`Router(auth=ApiKeyAuth(kinds=[Organisation.Kind.AGENCY]))`.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer

from careerrelay.organisations.models import ApiKey, Organisation
from careerrelay.organisations.services import authenticate_api_key


class ApiKeyAuth(HttpBearer):
    openapi_bearerFormat = "cr_<prefix>_<secret>"
    openapi_description = "An API key created in the employer workspace, sent as `Authorization: Bearer <key>`."

    def __init__(self, kinds=(Organisation.Kind.EMPLOYER,)):
        self.kinds = tuple(kinds)
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        token = token.strip()
        if not token:
            return None
        key = authenticate_api_key(token)
        if key is None or key.organisation.kind not in self.kinds:
            return None
        request.api_key = key
        request.organisation = key.organisation
        return key


class EmployerKeyAuth(ApiKeyAuth):
    """The default for API v1: the request acts for the employer that owns the key."""

    def __init__(self):
        super().__init__(kinds=(Organisation.Kind.EMPLOYER,))
