"""The audit trail: one mechanism records every change to an ``AuditedModel``.

Views, the API, importers and tasks only say *who* acts (``acting_as``); the signal
handlers here write the entries, with before/after values of changed fields.
"""

import contextvars
import datetime
import decimal
import functools
import uuid
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

_context = contextvars.ContextVar("qualityhub_audit_context", default=None)


class AuditContext:
    __slots__ = ("user_id", "organisation_id", "via", "request_id")

    def __init__(self, *, user_id=None, organisation_id=None, via="system", request_id=""):
        self.user_id = user_id
        self.organisation_id = organisation_id
        self.via = via
        self.request_id = request_id


@contextmanager
def acting_as(actor=None, *, via="system", request_id=None):
    """Attribute every audited change inside the block to ``actor``."""
    user = getattr(actor, "user", None)
    organisation = getattr(actor, "organisation", None)
    token = _context.set(
        AuditContext(
            user_id=getattr(user, "pk", None),
            organisation_id=getattr(organisation, "pk", None),
            via=via,
            request_id=request_id or str(uuid.uuid4()),
        )
    )
    try:
        yield
    finally:
        _context.reset(token)


def write_service(func):
    """Decorates a write service taking ``actor=``: one transaction, and its changes are
    attributed to that actor unless a caller (request, API, import, task) already set
    who is acting, so a shell or task call never writes an anonymous audit entry."""

    @functools.wraps(func)
    def wrapper(*args, actor, **kwargs):
        with transaction.atomic():
            if _context.get() is not None:
                return func(*args, actor=actor, **kwargs)
            with acting_as(actor):
                return func(*args, actor=actor, **kwargs)

    return wrapper


def push(actor=None, *, via="system", request_id=None):
    """Non-context-manager form of ``acting_as`` for frameworks with begin/end hooks."""
    user = getattr(actor, "user", None)
    organisation = getattr(actor, "organisation", None)
    return _context.set(
        AuditContext(
            user_id=getattr(user, "pk", None),
            organisation_id=getattr(organisation, "pk", None),
            via=via,
            request_id=request_id or str(uuid.uuid4()),
        )
    )


def pop(token):
    _context.reset(token)


def current_context():
    return _context.get() or AuditContext()


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    return value


def _tracked_fields(instance):
    exclude = set(getattr(instance, "audit_exclude", ()))
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.attname in exclude:
            continue
        yield field


def snapshot(instance):
    return {f.attname: _jsonable(f.value_from_object(instance)) for f in _tracked_fields(instance)}


def _entry(instance, action, changes):
    from qualityhub.core.models import AuditEntry

    ctx = current_context()
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
        user_id=ctx.user_id,
        organisation_id=ctx.organisation_id,
        via=ctx.via,
        request_id=ctx.request_id,
    )


def diff(instance):
    loaded = getattr(instance, "_audit_loaded", None)
    current = snapshot(instance)
    if loaded is None:
        return {name: [None, value] for name, value in current.items()}
    changes = {}
    for name, value in current.items():
        if name not in loaded:
            continue  # deferred when loaded: nothing to compare against
        before = _jsonable(loaded[name])
        if before != value:
            changes[name] = [before, value]
    return changes


def _is_audited(sender):
    from qualityhub.core.models import AuditedModel

    return isinstance(sender, type) and issubclass(sender, AuditedModel)


def _on_pre_save(sender, instance, raw=False, using=None, **kwargs):
    """Complete the baseline from the database for fields not loaded with the instance
    (deferred with ``only()``/``defer()``, or an instance built by hand around an
    existing primary key), so their changes are recorded against the stored values."""
    if raw or not _is_audited(sender) or instance.pk is None:
        return
    loaded = getattr(instance, "_audit_loaded", None)
    missing = [f.attname for f in _tracked_fields(instance) if loaded is None or f.attname not in loaded]
    if not missing:
        return
    row = sender._base_manager.using(using).filter(pk=instance.pk).values(*missing).first()
    if row is not None:  # None: a new row whose primary key was set beforehand
        instance._audit_loaded = {**(loaded or {}), **row}


def _on_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _is_audited(sender):
        return
    from qualityhub.core.models import AuditAction

    current = snapshot(instance)
    if update_fields is not None:
        # Only these columns were written; other in-memory edits are not (yet) saved.
        written = {f.attname for f in _tracked_fields(instance) if f.name in update_fields or f.attname in update_fields}
        current = {name: value for name, value in current.items() if name in written}
    if created:
        changes = {name: [None, value] for name, value in current.items() if value not in (None, "", [], {})}
        _entry(instance, AuditAction.CREATE, changes).save()
    else:
        changes = {name: change for name, change in diff(instance).items() if name in current}
        if changes:
            _entry(instance, AuditAction.UPDATE, changes).save()
    # What is saved now is the baseline for the next save of this instance.
    instance._audit_loaded = {**(getattr(instance, "_audit_loaded", None) or {}), **current}


def _on_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    from qualityhub.core.models import AuditAction

    before = getattr(instance, "_audit_loaded", None) or snapshot(instance)
    _entry(instance, AuditAction.DELETE, {k: [_jsonable(v), None] for k, v in before.items()}).save()


def _on_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or not _is_audited(type(instance)):
        return
    if action not in {"pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"}:
        return
    field_name = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), None
    )
    if field_name is None:
        return
    manager = getattr(instance, field_name)
    if action.startswith("pre_"):
        instance.__dict__.setdefault("_audit_m2m_before", {})[field_name] = sorted(
            str(pk) for pk in manager.values_list("pk", flat=True)
        )
        return
    from qualityhub.core.models import AuditAction

    before = instance.__dict__.get("_audit_m2m_before", {}).pop(field_name, [])
    after = sorted(str(pk) for pk in manager.values_list("pk", flat=True))
    if before != after:
        _entry(instance, AuditAction.UPDATE, {field_name: [before, after]}).save()


def connect_signals():
    pre_save.connect(_on_pre_save, dispatch_uid="qualityhub_audit_pre_save")
    post_save.connect(_on_save, dispatch_uid="qualityhub_audit_save")
    post_delete.connect(_on_delete, dispatch_uid="qualityhub_audit_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="qualityhub_audit_m2m")


def entries_for(instance):
    from qualityhub.core.models import AuditEntry

    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
    ).select_related("user", "organisation")
