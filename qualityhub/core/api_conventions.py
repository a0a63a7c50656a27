"""Pagination and the one error shape of the API (referenced from settings)."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    429: "throttled",
}


def _flatten(detail):
    if isinstance(detail, dict):
        fields = {}
        for key, value in detail.items():
            # Django forms file errors about no one field under "__all__"; DRF under
            # "non_field_errors". Clients see one key, whichever validated the input.
            key = "non_field_errors" if key == NON_FIELD_ERRORS else key
            fields.setdefault(key, []).extend(str(m) for m in (value if isinstance(value, list) else [value]))
        return fields
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def exception_handler(exc, context):
    """Every error answers ``{"error": {"code", "message", "fields"}}``."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = _("提交的数据有误，请检查各字段。")
    else:
        detail = getattr(exc, "detail", "")
        message = str(detail) if not isinstance(detail, (dict, list)) else _("请求有误。")
    response.data = {
        "error": {
            "code": _CODES.get(response.status_code, "error"),
            "message": message,
            "fields": fields,
        }
    }
    return response




class UnknownEndpointView(APIView):
    """The last route under /api/v1/: an unknown path answers in the API's error shape
    (not Django's HTML 404), whatever the method."""

    authentication_classes = []
    permission_classes = []
    schema = None  # not an endpoint of the schema

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # content negotiation and throttling
        raise exceptions.NotFound(_("接口不存在。"))
