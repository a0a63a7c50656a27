"""FilterSets shared by the credit lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import RegionLevel
from qualityhub.accounts.models import Organisation
from qualityhub.core.forms import FilterForm
from qualityhub.credit.choices import RecordKind, RecordStatus
from qualityhub.credit.models import CreditRecord, GoodStanding
from qualityhub.registry.models import Industry, Region
from qualityhub.registry.selectors import organisation_search


def by_subject_name_or_code(queryset, value):
    """Rows whose ``subject`` matches a name fragment or credit-code prefix, through the
    organisations' search index."""
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(subject__in=organisation_search(Organisation.objects.all(), value).values("pk"))


class RecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("主体名称或信用代码"), method="filter_q")
    reference = django_filters.CharFilter(label=_("文书编号"), field_name="reference")
    kind = django_filters.ChoiceFilter(label=_("记录类型"), choices=RecordKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RecordStatus.choices)
    city = django_filters.ModelChoiceFilter(
        label=_("地市"), queryset=Region.objects.filter(level=RegionLevel.CITY), field_name="subject__city"
    )
    fact_after = django_filters.DateFilter(label=_("发生日期起"), field_name="fact_date", lookup_expr="gte")
    fact_before = django_filters.DateFilter(label=_("发生日期止"), field_name="fact_date", lookup_expr="lte")

    class Meta:
        model = CreditRecord
        form = FilterForm
        fields = ["q", "reference", "kind", "status", "city", "fact_after", "fact_before"]

    def filter_q(self, queryset, name, value):
        return by_subject_name_or_code(queryset, value)


class GoodStandingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("企业名称或信用代码"), method="filter_q")
    city = django_filters.ModelChoiceFilter(
        label=_("地市"), queryset=Region.objects.filter(level=RegionLevel.CITY), field_name="city"
    )
    industry = django_filters.ModelChoiceFilter(
        label=_("行业"), queryset=Industry.objects.filter(level="division"), field_name="industry"
    )
    tier = django_filters.TypedChoiceFilter(
        label=_("档次"), choices=[(3, _("连续3年以上")), (5, _("连续5年以上")), (10, _("连续10年以上"))],
        coerce=int, method="filter_tier",
    )

    class Meta:
        model = GoodStanding
        form = FilterForm
        fields = ["q", "city", "industry", "tier"]

    def filter_q(self, queryset, name, value):
        return by_subject_name_or_code(queryset, value)

    def filter_tier(self, queryset, name, value):
        return queryset.filter(tier__gte=value) if value else queryset
