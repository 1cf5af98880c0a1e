"""Every API error is JSON of one shape: {"error": {"code": ..., "message": ..., "details": [...]}}."""

import functools
import logging

from asgiref.sync import iscoroutinefunction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from pydantic import Field

logger = logging.getLogger("careerrelay.api")


class ErrorDetail(Schema):
    code: str = Field(examples=["unauthorized"])
    message: str = Field(examples=["A valid API key is required: send `Authorization: Bearer <key>`."])
    details: list[dict] | None = Field(default=None, description="Field errors, for validation errors only.")


class ErrorOut(Schema):
    error: ErrorDetail


# Responses every authenticated operation can give, for the OpenAPI document.
AUTH_ERRORS = {401: ErrorOut}

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str, details=None):
    body = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    def unauthorized(request, exc):
        response = error_response(
            api,
            request,
            status=401,
            code="unauthorized",
            message="A valid API key is required: send `Authorization: Bearer <key>`.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def forbidden(request, exc):
        return error_response(api, request, status=403, code="forbidden", message=str(exc) or "Forbidden.")

    def http_error(request, exc):
        code = _CODES.get(exc.status_code, "too_many_requests" if exc.status_code == 429 else "error")
        return error_response(api, request, status=exc.status_code, code=code, message=str(exc))

    def validation_error(request, exc):
        details = [
            {"loc": list(e.get("loc", [])), "message": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors
        ]
        return error_response(
            api,
            request,
            status=422,
            code="validation_error",
            message="The request is not valid.",
            details=details,
        )

    def not_found(request, exc):
        return error_response(api, request, status=404, code="not_found", message="Not found.")

    def server_error(request, exc):
        # The traceback goes to the log, never to the client.
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(api, request, status=500, code="server_error", message="Internal server error.")

    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(AuthorizationError, forbidden)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(Exception, server_error)


@csrf_exempt
def not_found_view(request: HttpRequest, unknown: str = "") -> HttpResponse:
    """For URLs under /api/v1/ that match no operation, so those 404s are JSON too."""
    # circular: careerrelay.api.api imports this module at import time to mount it
    from careerrelay.api.api import api

    return error_response(api, request, status=404, code="not_found", message="No such API endpoint.")


class JsonErrorsAPI(NinjaAPI):
    """django-ninja answers a wrong method with a plain-text 405 before any handler runs; this
    wraps its views so that answer is JSON of the same shape as every other error."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            callback = getattr(pattern, "callback", None)
            if callback is not None and not iscoroutinefunction(callback):
                pattern.callback = self._json_not_allowed(callback)
        return patterns

    def _json_not_allowed(self, view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = error_response(
                    self,
                    request,
                    status=405,
                    code="method_not_allowed",
                    message=f"Method {request.method} is not allowed here. Allowed: {allowed}.",
                )
                response["Allow"] = allowed
            return response

        return wrapper
