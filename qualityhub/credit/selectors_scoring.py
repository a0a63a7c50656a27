"""Reads for the risk-class pages, always scoped: a regulator sees the subjects in its
jurisdiction, the subject its own score, the public nothing."""

from django.core.cache import cache
from django.db.models import Count

from qualityhub.core.scoping import access, visible
from qualityhub.credit.models import ClassChange, EnterpriseScore, ScoringModel, ScoringRun

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


def _distribution(actor, group_field, cache_name, *, names, sections=None):
    """[(label, {class: n})] grouped by ``group_field`` of the scores; ``sections(codes)``
    may map the codes to coarser groups, ``names(groups)`` labels them."""
    key = f"credit:dist:{cache_name}:{_scope_key(actor)}"
    result = cache.get(key)
    if result is None:
        rows = list(visible(EnterpriseScore, actor).order_by().values_list(group_field, "risk_class").annotate(n=Count("pk")))
        parent = sections({code for code, _c, _n in rows if code}) if sections else {}
        table = {}
        for code, risk_class, n in rows:
            group = parent.get(code, code) if code else None
            counts = table.setdefault(group, {})
            counts[risk_class] = counts.get(risk_class, 0) + n
        labels = names([g for g in table if g])
        result = sorted(((labels.get(g, "—") if g else "—", counts) for g, counts in table.items()), key=lambda i: i[0])
        cache.set(key, result, DISTRIBUTION_SECONDS)
    return result


def distribution_by_city(actor):
    from qualityhub.registry.models import Region

    return _distribution(
        actor, "city_id", "city", names=lambda codes: dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    )


def distribution_by_industry(actor):
    """By industry section (GB/T 4754 门类): the scores group by the copied division,
    and the divisions (fewer than a hundred) are summed into their sections here."""
    from qualityhub.registry.models import Industry

    def names(codes):
        return dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))

    def sections(codes):
        return dict(Industry.objects.filter(code__in=codes).values_list("code", "parent_id"))

    return _distribution(actor, "industry_id", "industry", names=names, sections=sections)


def scoring_models():
    return ScoringModel.objects.select_related("created_by").order_by("-version")


def scoring_runs(limit=10):
    """The latest full rescoring runs (province-wide: for those who manage scoring)."""
    return ScoringRun.objects.select_related("started_by")[:limit]
