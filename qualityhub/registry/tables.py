"""Tables shared by the list pages and their spreadsheet exports."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.models import Organisation
from qualityhub.core.tables import QualityTable
from qualityhub.registry.countries import country_name
from qualityhub.registry.models import Product


class EnterpriseTable(QualityTable):
    name = tables.Column(verbose_name=_("企业名称"), linkify=("registry:enterprise-detail", {"pk": tables.A("pk")}))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"))
    city = tables.Column(verbose_name=_("地市"), accessor="city__name", order_by=("city",))
    region = tables.Column(verbose_name=_("区县"), accessor="region__name", orderable=False)
    industry = tables.Column(verbose_name=_("行业"), accessor="profile__industry__name", orderable=False, default="—")
    size = tables.Column(verbose_name=_("规模"), accessor="profile__size", orderable=False, default="—")
    honours = tables.Column(verbose_name=_("荣誉"), accessor="profile__honours", orderable=False, empty_values=())
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Organisation
        fields = ("name", "uscc", "city", "region", "industry", "size", "honours", "status")
        order_by = ("-id",)

    def render_size(self, record):
        return record.profile.get_size_display() if hasattr(record, "profile") and record.profile.size else "—"

    def value_size(self, record):
        return self.render_size(record)

    def render_honours(self, record):
        profile = getattr(record, "profile", None)
        names = [h.name for h in profile.honours.all()] if profile else []
        return "、".join(names) or "—"

    def value_honours(self, record):
        return self.render_honours(record)

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()


class ProductTable(QualityTable):
    name = tables.Column(verbose_name=_("产品名称"), linkify=("registry:product-detail", {"pk": tables.A("pk")}))
    brand = tables.Column(verbose_name=_("品牌"))
    model = tables.Column(verbose_name=_("型号规格"))
    category = tables.Column(verbose_name=_("类别"))
    hs_code = tables.Column(verbose_name=_("HS编码"))
    enterprise = tables.Column(verbose_name=_("生产企业"), accessor="enterprise__name", order_by=("enterprise__name",))
    export_markets = tables.Column(verbose_name=_("出口市场"), orderable=False, empty_values=())

    class Meta:
        model = Product
        fields = ("name", "brand", "model", "category", "hs_code", "enterprise", "export_markets")
        order_by = ("-id",)

    def render_export_markets(self, value):
        return "、".join(country_name(c) for c in (value or [])) or "—"

    def value_export_markets(self, value):
        return self.render_export_markets(value)
