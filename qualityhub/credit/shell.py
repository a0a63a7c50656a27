"""What the credit app contributes to the shared shell: navigation and dashboard cards."""

from django.utils.translation import gettext_lazy as _

from qualityhub.core import navigation

navigation.register(_("信用记录"), "credit:record-list", order=40, visible=lambda a: a.is_authenticated and a.organisation is not None)
navigation.register(_("贷款信用报告授权"), "credit:lending-consent-list", order=45, visible=lambda a: a.is_enterprise)
navigation.register(_("已授权企业"), "credit:lending-bank-list", order=45, visible=lambda a: a.is_bank)
