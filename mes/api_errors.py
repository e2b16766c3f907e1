"""Turns every API error into one JSON shape: {"error": {"code", "message", "fields"}}."""

import logging
import re
import sys
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mes.errors import DomainError, Forbidden, InvalidInput, NotFound, RuleViolation, Unavailable

logger = logging.getLogger(__name__)
# An id the proxy in front gave the request (nginx: proxy_set_header X-Request-ID $request_id),
# if it looks like one; anything else in that header is not echoed back.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_DOMAIN_STATUS = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    NotFound: status.HTTP_404_NOT_FOUND,
    RuleViolation: status.HTTP_409_CONFLICT,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _validation_response(exc: exceptions.ValidationError) -> Response:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    fields = {name: _flatten(errors) for name, errors in detail.items()}
    summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    message = _("Invalid input. %(summary)s") % {"summary": summary}
    return Response(_body("invalid", message, fields), status=400)


def _too_large() -> Response:
    limit_mib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
    message = _("The request body is larger than the %(limit)s MiB the API accepts; send less.") % {
        "limit": f"{limit_mib:g}"
    }
    return Response(_body("too_large", message), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return _too_large()  # Django would answer an empty HTML 400
    if isinstance(exc, DomainError):
        http = next((s for cls, s in _DOMAIN_STATUS.items() if isinstance(exc, cls)), 409)
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(_body(exc.code, exc.message, fields), status=http)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    message = " ".join(_flatten(getattr(exc, "detail", str(exc))))
    response.data = _body(code, message)
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404 (DEBUG off): a path under /api/ that no route serves answers in the error shape,
    as every API error does; screens keep the page."""
    if not request.path_info.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    message = _("No API endpoint at %(path)s. The endpoints are listed at /api/docs/.") % {
        "path": request.path_info
    }
    return JsonResponse(_body("not_found", message), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (DEBUG off): an API caller gets the error shape, not Django's HTML page (an
    integration parses JSON), with an id that finds the error in the log; screens keep the page.
    The traceback is logged by django.request right after this line, so it is not repeated."""
    if not request.path_info.startswith("/api/"):
        return defaults.server_error(request)
    given = request.headers.get("X-Request-ID", "")
    request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    failure = _current_exception()
    logger.error(
        "API server error %s on %s %s: %s",
        request_id,
        request.method,
        request.path,
        failure,
        extra={"request_id": request_id},
    )
    message = _(
        "The server failed to answer this request; the error is logged as %(id)s. Try again; "
        "if it fails again, give that id to your MES administrator."
    ) % {"id": request_id}
    body = _body("server_error", message)
    body["error"]["request_id"] = request_id
    response = JsonResponse(body, status=500)
    response["X-Request-ID"] = request_id
    return response


def _current_exception() -> str:
    exc = sys.exc_info()[1]  # handler500 runs inside Django's except block
    return f"{exc.__class__.__name__}: {exc}" if exc else "unknown error"
