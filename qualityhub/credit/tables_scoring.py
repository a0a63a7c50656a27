"""The risk-class list: table and filters (regulators only)."""

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import RegionLevel
from qualityhub.core.forms import FilterForm
from qualityhub.core.tables import QualityTable
from qualityhub.credit.models import EnterpriseScore, RiskClass
from qualityhub.registry.models import Region


class ScoreTable(QualityTable):
    subject = tables.Column(
        verbose_name=_("信用主体"), accessor="subject__name", order_by=("subject__name",),
        linkify=("credit:score-detail", {"subject_id": tables.A("subject_id")}),
    )
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), accessor="subject__uscc", orderable=False)
    city = tables.Column(verbose_name=_("地市"), accessor="subject__city__name", orderable=False)
    region = tables.Column(verbose_name=_("区县"), accessor="subject__region__name", orderable=False)
    score = tables.Column(verbose_name=_("风险分值"))
    risk_class = tables.Column(verbose_name=_("风险分类"))
    model_version = tables.Column(verbose_name=_("模型版本"), orderable=False)
    computed_at = tables.DateTimeColumn(verbose_name=_("计算时间"), format="Y-m-d H:i", orderable=False)

    class Meta:
        model = EnterpriseScore
        fields = ("subject", "uscc", "city", "region", "score", "risk_class", "model_version", "computed_at")
        # Riskiest first: the risk_class index walked backwards with an incremental sort
        # on score (a whole-province sort by score alone took 0.7 s at a million).
        order_by = ("-risk_class", "-score")

    def render_risk_class(self, record):
        return record.get_risk_class_display()

    def value_risk_class(self, record):
        return record.risk_class


class ScoreFilter(django_filters.FilterSet):
    risk_class = django_filters.ChoiceFilter(label=_("风险分类"), choices=RiskClass.choices)
    city = django_filters.ModelChoiceFilter(
        label=_("地市"), queryset=Region.objects.filter(level=RegionLevel.CITY), field_name="subject__city"
    )
    model_version = django_filters.NumberFilter(label=_("模型版本"))

    class Meta:
        model = EnterpriseScore
        form = FilterForm
        fields = ["risk_class", "city", "model_version"]
