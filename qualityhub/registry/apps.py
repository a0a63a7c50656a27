from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qualityhub.registry"
    label = "registry"
    verbose_name = _("企业与产品登记")

    def ready(self):
        from qualityhub.registry import importers, shell  # noqa: F401  (registers imports, navigation, cards)
