"""Notifications: every app tells organisations what concerns them through ``notify``;
the inbox page and the unread badge read them through ``notifications_for``."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qualityhub.core.models import Notification


def notify(*, organisation, title, body="", url="", user=None):
    """Queue one notification; written with the caller's transaction, so a rolled-back
    change notifies nobody."""
    return Notification.objects.create(organisation=organisation, user=user, title=title, body=body, url=url)


def notify_many(*, organisations, title, body="", url=""):
    """The same notification to many organisations in one insert (a class change for
    thousands of enterprises after a rescoring)."""
    Notification.objects.bulk_create(
        [Notification(organisation_id=getattr(o, "pk", o), title=title, body=body, url=url) for o in organisations],
        batch_size=2000,
    )


def notifications_for(actor):
    """What the actor's organisation received (and what was sent to the user), newest
    first."""
    if actor.organisation is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(organisation=actor.organisation)
    user_id = getattr(actor.user, "pk", None)
    return qs.filter(Q(user__isnull=True) | Q(user_id=user_id)).order_by("-id")


def unread_count(actor):
    return notifications_for(actor).filter(read_at__isnull=True).count()


def mark_read(*, actor, ids=None):
    qs = notifications_for(actor).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    with transaction.atomic():
        return qs.update(read_at=timezone.now())
