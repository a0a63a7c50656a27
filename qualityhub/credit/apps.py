from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "qualityhub.credit"
    label = "credit"
    verbose_name = _("质量信用")

    def ready(self):
        from qualityhub.credit import importers, shell  # noqa: F401  (registers imports, navigation, cards)
        from qualityhub.credit import scoring_listeners  # noqa: F401  (rescoring on record changes, nav, card)
