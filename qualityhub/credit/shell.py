"""What the credit app contributes to the shared shell: navigation and dashboard cards."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qualityhub.core import dashboard, navigation
from qualityhub.credit import selectors

navigation.register_group("credit", _("质量信用"), order=40)
navigation.register(_("信用记录"), "credit:record-list", order=40, group="credit",
                    visible=lambda a: a.is_authenticated and (a.organisation is not None or a.is_platform_admin))
navigation.register(_("联合惩戒名单"), "credit:joint-discipline", order=46, group="credit",
                    visible=lambda a: a.is_regulator or a.is_platform_admin)
navigation.register(_("质量信用良好名单"), "credit:good-standing", order=47, group="credit", visible=lambda a: True)
navigation.register(_("信用码"), "credit:code-list", order=42, group="credit",
                    visible=lambda a: a.is_enterprise or a.is_regulator or a.is_platform_admin)
navigation.register(_("贷款信用报告授权"), "credit:lending-consent-list", order=45, group="credit", visible=lambda a: a.is_enterprise)
navigation.register(_("已授权企业"), "credit:lending-bank-list", order=45, group="credit", visible=lambda a: a.is_bank)


@dashboard.register
def credit_cards(actor):
    if not (actor.is_regulator or actor.is_platform_admin):
        return []
    counts = selectors.review_counts(actor=actor)
    url = reverse("credit:record-list")
    return [
        dashboard.Card(_("待复核信用记录"), counts["awaiting_review"], f"{url}?status=pending"),
        dashboard.Card(_("待处理异议"), counts["objections"], f"{url}?status=objected"),
        dashboard.Card(_("待处理信用修复"), counts["repairs"], url),
    ]
