"""Writes for users, organisations' memberships and API tokens."""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityhub.accounts.choices import OrganisationKind
from qualityhub.accounts.models import ApiToken, Membership, Organisation, User
from qualityhub.core.search import indexed_text


def organisation_set_search_text(organisation):
    organisation.search_text = indexed_text(organisation.name)


def organisation_create(*, name, uscc, kind, region, status="active", jurisdiction=None):
    """Register an organisation. A regulator needs a jurisdiction (the province, one
    city or one district); no other kind may have one."""
    if kind == OrganisationKind.REGULATOR and jurisdiction is None:
        raise ValidationError({"jurisdiction": _("市场监管部门必须指定管辖范围（全省、某地市或某区县）。")})
    if kind != OrganisationKind.REGULATOR and jurisdiction is not None:
        raise ValidationError({"jurisdiction": _("只有市场监管部门可以设置管辖范围。")})
    organisation = Organisation(
        name=name, uscc=uscc, kind=kind, region=region, city=region.city or region, status=status, jurisdiction=jurisdiction
    )
    organisation_set_search_text(organisation)
    organisation.full_clean()
    organisation.save()
    return organisation


def user_create(*, email, name, password, mobile=None, organisation=None, role="staff", is_superuser=False):
    """Create a user (optionally a member of ``organisation``). The email, mobile
    number, uniqueness and the password's strength are validated before saving."""
    with transaction.atomic():
        user = User(
            email=User.objects.normalize_email(email).lower(), name=name, mobile=mobile or None,
            is_superuser=is_superuser, is_staff=is_superuser,
        )
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
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
