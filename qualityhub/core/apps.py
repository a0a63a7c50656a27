from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qualityhub.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from qualityhub.core import audit, navigation

        audit.connect_signals()
        navigation.register(_("工作台"), "core:dashboard", order=0)
        navigation.register(_("导入"), "core:import-list", order=80,
                            visible=lambda a: a.is_authenticated and (a.is_regulator or a.is_enterprise or a.is_platform_admin))
        navigation.register(_("通知"), "core:notification-list", order=85,
                            visible=lambda a: a.is_authenticated and a.organisation is not None)
        # API tokens live in the user menu (base.html), for organisation admins.
