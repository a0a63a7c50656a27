"""What the credit app contributes to the shared shell: navigation and dashboard cards."""

from django.utils.translation import gettext_lazy as _

from qualityhub.core import navigation

navigation.register(_("信用记录"), "credit:record-list", order=40, visible=lambda a: a.is_authenticated and a.organisation is not None)
navigation.register(_("信用码"), "credit:code-list", order=45, visible=lambda a: a.is_authenticated and (a.is_enterprise or a.is_regulator or a.is_platform_admin))
