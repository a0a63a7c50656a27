"""Reads of the credit archive, always scoped to the acting user.

A subject sees its own records once they are in effect (not while they wait for the
second regulator, nor one the second regulator refused); regulators see every record
of the subjects in their jurisdiction, internal notes included.
"""

from django.db.models import Prefetch
from django.http import Http404

from qualityhub.core.scoping import access, visible
from qualityhub.credit.choices import DecisionStatus, RecordStatus
from qualityhub.credit.models import CreditRecord, Evidence, Objection, RepairApplication

HIDDEN_FROM_SUBJECT = (RecordStatus.PENDING, RecordStatus.REJECTED)


def sees_internal(actor):
    return actor.is_regulator or actor.is_platform_admin


def record_list(*, actor):
    qs = visible(CreditRecord, actor).select_related("subject", "subject__city", "product")
    if not sees_internal(actor):
        qs = qs.exclude(status__in=HIDDEN_FROM_SUBJECT)
    return qs


def record_get(*, actor, pk):
    qs = record_list(actor=actor).select_related("entered_by", "entered_org", "approved_by", "subject__region").prefetch_related(
        Prefetch("objections", queryset=Objection.objects.select_related("lodged_by", "decided_by").order_by("id")),
        Prefetch("repairs", queryset=RepairApplication.objects.select_related("applied_by", "decided_by").order_by("id")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("id")),
    )
    return access(qs, actor, pk)


def evidence_get(*, actor, pk):
    """An evidence file, for those who may see the record it backs."""
    evidence = access(Evidence.objects.select_related("record"), actor, pk)
    if not sees_internal(actor) and evidence.record.status in HIDDEN_FROM_SUBJECT:
        raise Http404
    return evidence


def awaiting_review(*, actor):
    return record_list(actor=actor).filter(status=RecordStatus.PENDING)


def objections_pending(*, actor):
    return visible(Objection, actor).filter(status=DecisionStatus.PENDING)


def repairs_pending(*, actor):
    return visible(RepairApplication, actor).filter(status=DecisionStatus.PENDING)


def review_counts(*, actor):
    """Work waiting for a regulator: records to approve, objections, repair applications."""
    return {
        "awaiting_review": awaiting_review(actor=actor).count(),
        "objections": objections_pending(actor=actor).count(),
        "repairs": repairs_pending(actor=actor).count(),
    }
