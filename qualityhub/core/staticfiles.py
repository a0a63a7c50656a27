"""What collectstatic gathers: only the assets the pages use.

The drf-spectacular sidecar also ships Redoc, whose bundle loads fonts from an outside
host; the platform serves Swagger UI only and must run with no network.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "redoc", "*.md"]
