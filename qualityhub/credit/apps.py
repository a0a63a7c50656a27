from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "qualityhub.credit"
    label = "credit"
    verbose_name = _("质量信用")

    def ready(self):
        # Registers imports, navigation, dashboard cards, demo data and the listeners
        # of credit.signals.record_changed (good standing, rescoring, code page cache).
        from qualityhub.credit import code_scans, demo, importers, scoring_listeners, shell, standing  # noqa: F401

        code_scans.connect_signals()
