from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from qualityhub.core.scoping import actor_from_request


class MeView(APIView):
    """Who the request acts as: the user or token, the organisation and its role."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "user": serializers.CharField(allow_null=True),
                "organisation": serializers.DictField(allow_null=True),
                "role": serializers.CharField(),
                "via": serializers.CharField(),
            },
        )
    )
    def get(self, request):
        actor = actor_from_request(request)
        org = actor.organisation
        return Response(
            {
                "user": getattr(actor.user, "email", None),
                "organisation": {"id": org.pk, "name": org.name, "uscc": org.uscc, "kind": org.kind} if org else None,
                "role": actor.role,
                "via": actor.via,
            }
        )
