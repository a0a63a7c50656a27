"""What the registry contributes to the shared shell: navigation and dashboard cards."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qualityhub.core import dashboard, navigation
from qualityhub.registry import selectors

navigation.register(_("企业"), "registry:enterprise-list", order=20,
                    visible=lambda a: a.is_regulator or a.is_platform_admin)
navigation.register(_("本企业"), "registry:enterprise-list", order=20,
                    visible=lambda a: a.is_authenticated and not (a.is_regulator or a.is_platform_admin))
navigation.register(_("产品"), "registry:product-list", order=30, visible=lambda a: a.is_authenticated)


@dashboard.register
def registry_cards(actor):
    if not actor.is_authenticated:
        return []
    counts = selectors.registry_counts(actor=actor)
    if actor.is_regulator or actor.is_platform_admin:
        label = _("辖区企业") if actor.is_regulator else _("全部企业")
        distribution = selectors.enterprise_distribution(actor=actor)
        chart = dashboard.Chart(
            _("企业分布"),
            {
                "tooltip": {},
                "grid": {"left": 48, "right": 16, "top": 24, "bottom": 72},
                "xAxis": {"type": "category", "data": [name for name, _n in distribution], "axisLabel": {"rotate": 45}},
                "yAxis": {"type": "value"},
                "series": [{"type": "bar", "name": str(label), "data": [n for _name, n in distribution]}],
            },
        )
        return [chart,
            dashboard.Card(label, counts["enterprises"], reverse("registry:enterprise-list")),
            dashboard.Card(_("辖区产品") if actor.is_regulator else _("全部产品"), counts["products"], reverse("registry:product-list")),
        ]
    return [dashboard.Card(_("本企业产品") if actor.is_enterprise else _("本机构产品"), counts["products"], reverse("registry:product-list"))]
