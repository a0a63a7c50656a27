"""What every API endpoint shares: the actor, scoping and auditing of writes.

Pagination and the error shape live in ``api_conventions`` (DRF imports them from
settings while it loads, before this module can be imported)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
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


def _form_errors(form):
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


class FormBackedSerializer(serializers.Serializer):
    """Validates input with the domain's Django form, so the API accepts exactly what the
    page and the importer accept and answers with the same messages."""

    form_class = None

    def form_data(self, attrs):
        data = {}
        for name, value in self.initial_data.items():
            if isinstance(value, list):
                data[name] = "；".join(str(v) for v in value)
            elif isinstance(value, bool):
                data[name] = "是" if value else "否"
            elif value is None:
                data[name] = ""
            else:
                data[name] = str(value)
        if self.instance is not None and self.partial:
            for name, value in self.current_values().items():
                data.setdefault(name, value)
        return data

    def current_values(self):
        return {}

    def validate(self, attrs):
        actor = self.context["actor"]
        form = self.form_class(data=self.form_data(attrs), actor=actor, instance=self.instance)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        self.validated_form = form
        return attrs


class ActorContextMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["actor"] = self.actor
        return context
