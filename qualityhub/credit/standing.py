"""The good-standing list and the joint-discipline list, computed from the records.

A subject is in good standing when it has been under supervision sampling and no
counting sample has failed for at least 3 consecutive years; tiers at 3, 5 and 10
years. The period runs from the day of the last failed sample or, with none, from the
first sample. The list is a table (``GoodStanding``) recomputed set-based: one grouped
query over the sampling records, rows written in bulk, for all subjects or for the
subjects whose records just changed.
"""

from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.dispatch import receiver
from django.utils import timezone

from qualityhub.accounts.choices import OrganisationKind
from qualityhub.core.scoping import visible
from qualityhub.credit.choices import COUNTING_STATUSES, FAILED_SAMPLING_KINDS, SAMPLING_KINDS, SERIOUS_KINDS
from qualityhub.credit.models import CreditRecord, GoodStanding
from qualityhub.credit.signals import record_changed

TIERS = (10, 5, 3)
BATCH = 5000


def full_years(since, today):
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def tier_for(clean_since, today):
    years = full_years(clean_since, today)
    return next((t for t in TIERS if years >= t), None)


def _sampling_summary(subject_ids=None):
    """Per enterprise: the first counting sample and the last counting failed one."""
    qs = CreditRecord.objects.filter(
        kind__in=SAMPLING_KINDS, status__in=COUNTING_STATUSES, subject__kind=OrganisationKind.ENTERPRISE
    )
    if subject_ids is not None:
        qs = qs.filter(subject_id__in=subject_ids)
    return (
        qs.values("subject_id")
        .annotate(
            first_sample=Min("fact_date"),
            last_fail=Max("fact_date", filter=Q(kind__in=FAILED_SAMPLING_KINDS)),
            city_id=F("subject__city_id"),
            industry_id=F("subject__profile__industry_id"),
        )
        .order_by()
    )


def standing_refresh(*, subject_ids=None, today=None):
    """Recompute the list for the given subjects (all when None). Returns the number
    of subjects on the list afterwards among those recomputed."""
    today = today or timezone.localdate()
    now = timezone.now()
    listed = 0
    with transaction.atomic():
        stale = GoodStanding.objects.all() if subject_ids is None else GoodStanding.objects.filter(subject_id__in=subject_ids)
        stale.delete()
        batch = []
        for row in _sampling_summary(subject_ids).iterator(chunk_size=BATCH):
            since = row["last_fail"] or row["first_sample"]
            tier = tier_for(since, today)
            if tier is None:
                continue
            batch.append(
                GoodStanding(
                    subject_id=row["subject_id"], tier=tier, clean_since=since, city_id=row["city_id"],
                    industry_id=row["industry_id"], computed_at=now,
                )
            )
            if len(batch) >= BATCH:
                GoodStanding.objects.bulk_create(batch)
                listed += len(batch)
                batch = []
        GoodStanding.objects.bulk_create(batch)
        listed += len(batch)
    return listed


@receiver(record_changed, dispatch_uid="credit.standing")
def _refresh_on_record_change(sender, subject_ids, **kwargs):
    if subject_ids is None:
        from qualityhub.credit.tasks import refresh_standing

        refresh_standing.enqueue()
    else:
        standing_refresh(subject_ids=subject_ids)


def good_standing_tier(subject):
    """3, 5 or 10 (years without a failed sample), or None; as last recomputed."""
    return GoodStanding.objects.filter(subject=subject).values_list("tier", flat=True).first()


def good_standing_list(*, actor):
    """The good-standing list as the actor may see it (it is public), the longest
    tier first, newest subjects first within a tier."""
    return (
        visible(GoodStanding, actor).select_related("subject", "city", "industry").order_by("-tier", "-subject_id")
    )


def joint_discipline_records(*, actor):
    """Serious violations in force (the joint-discipline list) within the actor's
    scope."""
    return (
        visible(CreditRecord, actor)
        .filter(kind__in=SERIOUS_KINDS, status__in=COUNTING_STATUSES)
        .select_related("subject", "subject__city", "product")
        .order_by("-id")
    )
