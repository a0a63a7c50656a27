"""PostgreSQL: a GIN index on (city, name vector), so a city regulator's name search
reads only its city's matches instead of fetching every match in the province to
check the city (bench/registry_bench.py). Needs the btree_gin extension, shipped with
PostgreSQL; where the database user may not create it, the index is skipped and
search stays correct, only slower for city regulators."""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    except Exception as exc:  # no privilege, or the contrib package is not installed
        logger.warning("btree_gin unavailable (%s): city-scoped search index not created", exc)
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS accounts_organisation_city_search_gin "
        "ON accounts_organisation USING gin (city_id, search_vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS accounts_organisation_city_search_gin")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_search_text_character_pairs")]

    operations = [migrations.RunPython(forwards, backwards)]
