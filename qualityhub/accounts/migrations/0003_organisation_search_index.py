"""The character-phrase index behind organisation name search (GIN on PostgreSQL,
FTS5 on SQLite; see qualityhub.core.search), and a pattern index for credit-code
prefixes on PostgreSQL."""

from django.db import migrations

from qualityhub.core.search import SearchIndex

INDEX = SearchIndex(table="accounts_organisation")


def uscc_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS accounts_org_uscc_pattern ON accounts_organisation (uscc varchar_pattern_ops)"
        )


def drop_uscc_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS accounts_org_uscc_pattern")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = INDEX.migration_operations() + [migrations.RunPython(uscc_pattern_index, drop_uscc_pattern_index)]
