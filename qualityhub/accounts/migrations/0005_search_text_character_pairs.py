"""Name search indexes character pairs instead of single characters (see
qualityhub.core.search): recompute every organisation's ``search_text``.

The index (PostgreSQL's generated vector and GIN index, SQLite's FTS5 table and
triggers) is dropped first and rebuilt once at the end: updating a million rows through
the index one by one would take far longer than building it again.
"""

from django.db import migrations

from qualityhub.core.search import SearchIndex, indexed_text

INDEX = SearchIndex(table="accounts_organisation")
BATCH = 5000


def recompute(apps, schema_editor, make_text):
    connection = schema_editor.connection
    for sql in INDEX.drop_sql(connection.vendor):
        schema_editor.execute(sql)
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, name FROM {INDEX.table} WHERE id > %s ORDER BY id LIMIT {BATCH}", [last_id]
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                f"UPDATE {INDEX.table} SET search_text = %s WHERE id = %s", [(make_text(name), pk) for pk, name in rows]
            )
            last_id = rows[-1][0]
    for sql in INDEX.create_sql(connection.vendor):
        schema_editor.execute(sql)


def to_pairs(apps, schema_editor):
    recompute(apps, schema_editor, indexed_text)


def to_characters(apps, schema_editor):
    recompute(apps, schema_editor, lambda name: " ".join("".join(str(name or "").lower().split())))


class Migration(migrations.Migration):
    atomic = False  # large tables: batches, not one transaction holding every row

    dependencies = [("accounts", "0004_organisation_search_vector")]

    operations = [migrations.RunPython(to_pairs, to_characters, elidable=False)]
