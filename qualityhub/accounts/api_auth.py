from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from qualityhub.accounts.models import ApiToken


class TokenUser:
    """Stands in for ``request.user`` when an organisation token authenticates."""

    is_authenticated = True
    is_anonymous = False
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, token):
        self.token = token
        self.pk = self.id = f"token:{token.pk}"  # throttling counts per token

    def __str__(self):
        return f"token:{self.token.prefix}"


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token qh_<prefix>_<secret>`` — an organisation's API token."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误。"))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式错误。"))
        token = (
            ApiToken.objects.select_related("organisation", "organisation__jurisdiction")
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        if token is None or not token.is_usable:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (TokenUser(token), token)

    def authenticate_header(self, request):
        return self.keyword


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "qualityhub.accounts.api_auth.OrganisationTokenAuthentication"
    name = "OrganisationToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Token <key>"}
