"""The import framework: spreadsheets in, validated by the same forms as single
creates, committed whole or not at all. Domain apps register an ``ImportSpec``."""

from qualityhub.core.imports.base import Column, ImportSpec, get_spec, register, specs  # noqa: F401
