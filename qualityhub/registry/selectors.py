"""Reads of the registry, always scoped to the acting user."""

import re

from django.db.models import Prefetch
from django.db.models.functions import Substr

from qualityhub.accounts.choices import OrganisationKind, RegionLevel
from qualityhub.accounts.models import Organisation
from qualityhub.core.scoping import access, changeable, visible
from qualityhub.core.search import SearchIndex
from qualityhub.registry.models import Certification, HonourTag, Industry, Product, ProductStandard, Region

ORGANISATION_NAME_INDEX = SearchIndex(table="accounts_organisation")

_CODE_FRAGMENT_RE = re.compile(r"^[0-9A-Za-z]{4,18}$")
# A credit-code prefix matching at least this many organisations counts as "wide".
WIDE_CODE_PREFIX = 500


def organisation_search(queryset, query):
    """Name fragment or credit-code prefix. A credit code (or its start) is looked up
    by range on the unique index, or as a substring when it matches many rows;
    anything else goes to the name index."""
    query = (query or "").strip()
    if not query:
        return queryset
    if _CODE_FRAGMENT_RE.match(query) and any(ch.isdigit() for ch in query):
        prefix = query.upper()
        in_range = {"uscc__gte": prefix, "uscc__lt": prefix + "\U0010ffff"}
        # A short prefix (authority, type and a district's code: "91440305") matches
        # tens of thousands of rows. On the unique index SQLite then reads them all and
        # sorts them for the newest-first page (0.5 s at a million enterprises,
        # bench/registry_bench.py). Compared as a substring, which no index serves,
        # the database walks the primary key newest-first and stops after one page,
        # as the matches are dense. A probe of at most WIDE_CODE_PREFIX entries of
        # the unique index tells the two cases apart.
        probe = queryset.model._default_manager.filter(**in_range).order_by().values("pk")[:WIDE_CODE_PREFIX]
        if probe.count() >= WIDE_CODE_PREFIX:
            return queryset.alias(uscc_prefix=Substr("uscc", 1, len(prefix))).filter(uscc_prefix=prefix)
        return queryset.filter(**in_range)
    return ORGANISATION_NAME_INDEX.filter(queryset, query)


def enterprise_queryset():
    return Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)


def enterprise_list(*, actor):
    return (
        visible(enterprise_queryset(), actor)
        # Regions are prefetched, not joined: with hash joins on the region table
        # PostgreSQL joined every match of a name search before it sorted and cut the
        # page (3,755 rows for "达电" at a million enterprises, 130 ms). The
        # one-to-one profile joins keep the newest-first index order, so the scan
        # stops after one page.
        .select_related("profile", "profile__industry")
        .prefetch_related("region", "city", Prefetch("profile__honours", queryset=HonourTag.objects.order_by("sort")))
    )


def enterprise_get(*, actor, pk, action="view"):
    qs = enterprise_queryset().select_related("region", "city", "profile", "profile__industry")
    return access(qs, actor, pk, action=action)


def product_list(*, actor, enterprise=None):
    qs = visible(Product, actor).select_related("enterprise", "enterprise__city")
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return qs


def product_get(*, actor, pk, action="view"):
    qs = Product.objects.select_related("enterprise", "enterprise__city", "enterprise__region").prefetch_related(
        Prefetch("standards", queryset=ProductStandard.objects.order_by("code")),
        Prefetch("certifications", queryset=Certification.objects.order_by("kind", "number")),
    )
    return access(qs, actor, pk, action=action)


def product_changeable(*, actor):
    return changeable(Product, actor)


def regions_in_scope(*, actor):
    """Regions an actor may register enterprises in: a regulator's jurisdiction, all
    of Guangdong for platform administrators."""
    qs = Region.objects.exclude(level=RegionLevel.PROVINCE).select_related("city")
    if actor.is_platform_admin:
        return qs
    region = actor.jurisdiction
    if region is None:
        return qs.none()
    if region.level == RegionLevel.PROVINCE:
        return qs
    if region.level == RegionLevel.CITY:
        return qs.filter(city=region)
    return qs.filter(pk=region.pk)


def cities():
    return Region.objects.filter(level=RegionLevel.CITY).order_by("code")


def industries():
    return Industry.objects.order_by("code")


def honour_tags():
    return HonourTag.objects.order_by("sort", "code")


def registry_counts(*, actor):
    """Counts for the dashboard, within the actor's scope."""
    enterprises = visible(enterprise_queryset(), actor)
    return {
        "enterprises": enterprises.count(),
        "products": visible(Product, actor).count(),
    }


def enterprise_distribution(*, actor):
    """Enterprises in the actor's scope per city (province view) or per district (city
    view): one GROUP BY on the (kind, city|region) index, cached for five minutes."""
    from django.core.cache import cache
    from django.db.models import Count

    region = actor.jurisdiction
    if not (actor.is_platform_admin or actor.is_regulator):
        return []
    by_city = actor.is_platform_admin or region is None or region.level == RegionLevel.PROVINCE
    key = f"registry:distribution:{'province' if by_city else region.pk}"
    rows = cache.get(key)
    if rows is None:
        field = "city" if by_city else "region"
        counts = dict(
            visible(enterprise_queryset(), actor).values_list(field).annotate(n=Count("id")).order_by()
        )
        names = dict(Region.objects.filter(pk__in=counts).values_list("code", "name"))
        rows = sorted(((names.get(code, code), n) for code, n in counts.items()), key=lambda r: -r[1])
        cache.set(key, rows, 300)
    return rows
