"""Writes for users, organisations' memberships and API tokens."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qualityhub.accounts.models import ApiToken, Membership, Organisation, User
from qualityhub.core.search import spaced


def organisation_set_search_text(organisation):
    organisation.search_text = spaced(organisation.name)


def organisation_create(*, name, uscc, kind, region, status="active", jurisdiction=None):
    organisation = Organisation(
        name=name, uscc=uscc, kind=kind, region=region, city=region.city or region, status=status, jurisdiction=jurisdiction
    )
    organisation_set_search_text(organisation)
    organisation.full_clean()
    organisation.save()
    return organisation


def user_create(*, email, name, password, mobile=None, organisation=None, role="staff", is_superuser=False):
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, name=name, mobile=mobile, is_superuser=is_superuser, is_staff=is_superuser
        )
        if organisation is not None:
            Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def api_token_create(*, actor, name, role="staff", expires_at=None):
    """Create a token for the actor's organisation; returns (token, secret).

    The secret is shown once: only its hash is kept.
    """
    if not actor.is_org_admin or actor.organisation is None:
        raise PermissionDenied
    prefix = secrets.token_hex(4)
    secret = f"qh_{prefix}_{secrets.token_urlsafe(32)}"
    if role == "admin" and actor.role != "admin":
        role = "staff"
    token = ApiToken.objects.create(
        organisation=actor.organisation,
        created_by=actor.user,
        name=name,
        role=role,
        prefix=prefix,
        key_hash=ApiToken.hash_key(secret),
        expires_at=expires_at,
    )
    return token, secret


def api_token_revoke(*, actor, token):
    if not actor.is_org_admin or token.organisation_id != getattr(actor.organisation, "pk", None):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
