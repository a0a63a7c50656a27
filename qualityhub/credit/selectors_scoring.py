"""Reads for the risk-class pages, always scoped: a regulator sees the subjects in its
jurisdiction, the subject its own score, the public nothing."""

from django.core.cache import cache
from django.db.models import Count

from qualityhub.core.scoping import access, visible
from qualityhub.credit.choices import DecisionStatus, RecordStatus
from qualityhub.credit.models import ClassChange, CreditRecord, EnterpriseScore, Objection, RepairApplication, ScoringModel

DISTRIBUTION_SECONDS = 300  # the distributions group a million rows: cached per scope


def score_list(*, actor):
    return visible(EnterpriseScore, actor).select_related("subject", "subject__city", "subject__region")


def score_get(*, actor, subject_id):
    return access(EnterpriseScore.objects.select_related("subject", "subject__city", "subject__region"), actor, subject_id)


def class_changes(*, actor, subject_id=None, limit=20):
    qs = visible(ClassChange, actor).select_related("subject")
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    return qs.order_by("-id")[:limit]


def _scope_key(actor):
    if actor.is_platform_admin:
        return "all"
    return f"org{getattr(actor.organisation, 'pk', 'none')}"


def class_counts(actor):
    key = f"credit:class-counts:{_scope_key(actor)}"
    counts = cache.get(key)
    if counts is None:
        rows = visible(EnterpriseScore, actor).order_by().values_list("risk_class").annotate(n=Count("pk"))
        counts = {risk_class: n for risk_class, n in rows}
        cache.set(key, counts, DISTRIBUTION_SECONDS)
    return counts


def _distribution(actor, group_field, label_query, cache_name):
    key = f"credit:dist:{cache_name}:{_scope_key(actor)}"
    result = cache.get(key)
    if result is None:
        rows = (
            visible(EnterpriseScore, actor).order_by().values_list(group_field, "risk_class").annotate(n=Count("pk"))
        )
        table = {}
        for group, risk_class, n in rows:
            table.setdefault(group, {})[risk_class] = n
        labels = label_query([g for g in table if g is not None])
        result = sorted(
            ((labels.get(g, "—") if g is not None else "—", table[g]) for g in table), key=lambda item: item[0]
        )
        cache.set(key, result, DISTRIBUTION_SECONDS)
    return result


def distribution_by_city(actor):
    from qualityhub.registry.models import Region

    return _distribution(
        actor, "city_id",
        lambda codes: dict(Region.objects.filter(code__in=codes).values_list("code", "name")), "city",
    )


def distribution_by_industry(actor):
    """By industry section (GB/T 4754 门类): the scores group by the copied division,
    and the divisions (fewer than a hundred) are summed into their sections here."""
    from qualityhub.registry.models import Industry

    key = f"credit:dist:industry:{_scope_key(actor)}"
    result = cache.get(key)
    if result is None:
        rows = visible(EnterpriseScore, actor).order_by().values_list("industry_id", "risk_class").annotate(n=Count("pk"))
        rows = list(rows)
        divisions = {code for code, _c, _n in rows if code}
        parent = dict(Industry.objects.filter(code__in=divisions).values_list("code", "parent_id"))
        table = {}
        for code, risk_class, n in rows:
            section = parent.get(code, code) if code else None
            counts = table.setdefault(section, {})
            counts[risk_class] = counts.get(risk_class, 0) + n
        names = dict(Industry.objects.filter(code__in=[s for s in table if s]).values_list("code", "name"))
        result = sorted(((names.get(s, "—") if s else "—", counts) for s, counts in table.items()), key=lambda i: i[0])
        cache.set(key, result, DISTRIBUTION_SECONDS)
    return result


def pending_counts(actor):
    return {
        "records": visible(CreditRecord, actor).filter(status=RecordStatus.PENDING).count(),
        "objections": visible(Objection, actor).filter(status=DecisionStatus.PENDING).count(),
        "repairs": visible(RepairApplication, actor).filter(status=DecisionStatus.PENDING).count(),
    }


def scoring_models():
    return ScoringModel.objects.select_related("created_by").order_by("-version")
