"""Tables of the credit lists and their spreadsheet exports."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from qualityhub.core.tables import QualityTable
from qualityhub.credit.models import CreditRecord, GoodStanding


class RecordTable(QualityTable):
    subject = tables.Column(verbose_name=_("信用主体"), accessor="subject__name", order_by=("subject__name",),
                            linkify=("credit:record-detail", {"pk": tables.A("pk")}))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), accessor="subject__uscc", orderable=False)
    city = tables.Column(verbose_name=_("地市"), accessor="subject__city__name", orderable=False)
    kind = tables.Column(verbose_name=_("记录类型"), accessor="get_kind_display", order_by=("kind",))
    fact_date = tables.DateColumn(verbose_name=_("发生日期"), format="Y-m-d")
    source_department = tables.Column(verbose_name=_("来源部门"))
    reference = tables.Column(verbose_name=_("文书编号"))
    status = tables.Column(verbose_name=_("状态"), accessor="get_status_display", order_by=("status",))

    class Meta:
        model = CreditRecord
        fields = ("subject", "uscc", "city", "kind", "fact_date", "source_department", "reference", "status")
        order_by = ("-id",)


class GoodStandingTable(QualityTable):
    subject = tables.Column(verbose_name=_("企业名称"), accessor="subject__name", orderable=False)
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), accessor="subject__uscc", orderable=False)
    city = tables.Column(verbose_name=_("地市"), accessor="city__name", orderable=False)
    industry = tables.Column(verbose_name=_("行业"), accessor="industry__name", orderable=False, default="—")
    tier = tables.Column(verbose_name=_("档次"))
    clean_since = tables.DateColumn(verbose_name=_("起算日期"), format="Y-m-d")

    class Meta:
        model = GoodStanding
        fields = ("subject", "uscc", "city", "industry", "tier", "clean_since")
        order_by = ("-tier",)

    def render_tier(self, value):
        return _("连续%(n)d年以上无抽查不合格") % {"n": value}

    def value_tier(self, value):
        return self.render_tier(value)
