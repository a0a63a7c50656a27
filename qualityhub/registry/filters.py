"""FilterSets shared by the HTML lists and the API."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import OrganisationStatus, RegionLevel
from qualityhub.accounts.models import Organisation
from qualityhub.core.forms import FilterForm
from qualityhub.registry.choices import EnterpriseSize
from qualityhub.registry.models import HonourTag, Industry, Product, Region
from qualityhub.registry.selectors import organisation_search


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或信用代码"), method="filter_q")
    city = django_filters.ModelChoiceFilter(
        label=_("地市"), queryset=Region.objects.filter(level=RegionLevel.CITY), field_name="city"
    )
    region = django_filters.CharFilter(label=_("区县代码"), field_name="region_id")
    industry = extend_schema_field(OpenApiTypes.STR)(
        django_filters.ModelChoiceFilter(label=_("行业"), queryset=Industry.objects.all(), method="filter_industry")
    )
    size = django_filters.ChoiceFilter(label=_("规模"), choices=EnterpriseSize.choices, field_name="profile__size")
    honour = django_filters.ModelChoiceFilter(
        label=_("荣誉"), queryset=HonourTag.objects.all(), to_field_name="code", field_name="profile__honours"
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OrganisationStatus.choices)
    ordering = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(("name", "name"), ("uscc", "uscc"), ("id", "id"), ("city", "city")),
        field_labels={"name": _("名称"), "uscc": _("信用代码"), "id": _("登记顺序"), "city": _("地市")},
    )

    class Meta:
        model = Organisation
        form = FilterForm
        fields = ["q", "city", "region", "industry", "size", "honour", "status"]

    def filter_q(self, queryset, name, value):
        return organisation_search(queryset, value)

    def filter_industry(self, queryset, name, value):
        if value.level == "section":
            return queryset.filter(profile__industry__parent=value)
        return queryset.filter(profile__industry=value)


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称、品牌或型号"), method="filter_q")
    enterprise = django_filters.NumberFilter(label=_("企业"), field_name="enterprise_id")
    city = django_filters.ModelChoiceFilter(
        label=_("地市"), queryset=Region.objects.filter(level=RegionLevel.CITY), field_name="enterprise__city"
    )
    hs_code = django_filters.CharFilter(label=_("HS编码前缀"), field_name="hs_code", lookup_expr="startswith")
    standard = django_filters.CharFilter(label=_("执行标准"), field_name="standards__code", lookup_expr="iexact", distinct=True)
    ordering = django_filters.OrderingFilter(
        label=_("排序"), fields=(("name", "name"), ("model", "model"), ("id", "id")),
        field_labels={"name": _("名称"), "model": _("型号"), "id": _("登记顺序")},
    )

    class Meta:
        model = Product
        form = FilterForm
        fields = ["q", "enterprise", "city", "hs_code", "standard"]

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(brand__icontains=value) | Q(model__icontains=value))
