"""What every API endpoint shares: the actor, scoping and auditing of writes.

Pagination and the error shape live in ``api_conventions`` (DRF imports them from
settings while it loads, before this module can be imported)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from qualityhub.core import audit
from qualityhub.core.scoping import actor_from_request, changeable, visible


class ScopedViewSet(viewsets.ModelViewSet):
    """A viewset whose queryset is always scoped to the acting user or token.

    Reads use ``visible``; writes use ``changeable``; objects outside scope answer
    404. Writes run inside the audit context of the actor. Subclasses call their
    domain services from ``perform_create`` / ``perform_update``.
    """

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @property
    def actor(self):
        return actor_from_request(self.request)

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return visible(self.base_queryset(), self.actor)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Visible but not the actor's to change (a regulator of another city reads
            # a public product, say): refuse rather than pretend it does not exist.
            if not changeable(type(obj), self.actor).filter(pk=obj.pk).exists():
                raise exceptions.PermissionDenied(_("无权修改此记录。"))
        return obj

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._audit_token = audit.push(self.actor, via="api", request_id=getattr(request._request, "request_id", None))

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_audit_token", None)
        if token is not None:
            audit.pop(token)
            self._audit_token = None
        return super().finalize_response(request, response, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
