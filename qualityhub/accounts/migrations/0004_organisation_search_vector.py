"""PostgreSQL: name search reads a stored tsvector column instead of an expression
index, so the phrase recheck does not re-parse each candidate name (see
qualityhub.core.search). Replaces the expression index of 0003 on existing databases;
on a fresh database 0003 already built the new form and this is a no-op rebuild."""

from django.db import migrations

from qualityhub.core.search import SearchIndex

INDEX = SearchIndex(table="accounts_organisation")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # 0003 made the GIN index on to_tsvector(search_text); drop it (same name) and
    # build the column and its index.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX.table}_search_gin")
    for sql in INDEX.create_sql("postgresql"):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEX.drop_sql("postgresql"):
        schema_editor.execute(sql)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX.table}_search_gin ON {INDEX.table} "
        f"USING gin (to_tsvector('simple'::regconfig, search_text))"
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_organisation_search_index")]
    operations = [migrations.RunPython(forwards, backwards)]
