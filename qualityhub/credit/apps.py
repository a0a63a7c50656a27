from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "qualityhub.credit"
    label = "credit"
    verbose_name = _("质量信用")

    def ready(self):
        from qualityhub.credit import demo, importers, shell, standing  # noqa: F401  (registers imports, navigation, cards, listeners, demo data)
