"""Substring search over names and texts in Chinese, fast at millions of rows.

Chinese has no spaces between words and users type any fragment ("美的", "电器"), so
a word index does not fit and ``LIKE '%…%'`` scans every row. Instead each indexed
text is stored with its characters separated by spaces and searched as a *phrase of
characters*: PostgreSQL's full-text search with the ``simple`` configuration and a
GIN index, SQLite's FTS5. A phrase of consecutive characters matches exactly the
rows containing the fragment, for fragments of any length.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

_SPACE_RE = re.compile(r"\s+")


def spaced(text):
    """"美的集团 TCL" -> "美 的 集 团 t c l" (the indexed form)."""
    return " ".join(ch for ch in _SPACE_RE.sub("", str(text or "").lower()))


@dataclass(frozen=True)
class SearchIndex:
    """A character-phrase index on ``table.column`` (holding ``spaced`` text)."""

    table: str
    column: str = "search_text"
    pk: str = "id"

    @property
    def fts_table(self):
        return f"{self.table}_fts"

    def create_sql(self, vendor):
        if vendor == "postgresql":
            return [
                f"CREATE INDEX IF NOT EXISTS {self.table}_search_gin ON {self.table} "
                f"USING gin (to_tsvector('simple'::regconfig, {self.column}))"
            ]
        if vendor == "sqlite":
            t, c, f = self.table, self.column, self.fts_table
            return [
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {f} USING fts5({c}, content='{t}', content_rowid='{self.pk}', "
                f"tokenize='unicode61')",
                f"CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN "
                f"INSERT INTO {f}(rowid, {c}) VALUES (new.{self.pk}, new.{c}); END",
                f"CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN "
                f"INSERT INTO {f}({f}, rowid, {c}) VALUES ('delete', old.{self.pk}, old.{c}); END",
                f"CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE OF {c} ON {t} BEGIN "
                f"INSERT INTO {f}({f}, rowid, {c}) VALUES ('delete', old.{self.pk}, old.{c}); "
                f"INSERT INTO {f}(rowid, {c}) VALUES (new.{self.pk}, new.{c}); END",
                f"INSERT INTO {f}({f}) VALUES ('rebuild')",
            ]
        return []

    def drop_sql(self, vendor):
        if vendor == "postgresql":
            return [f"DROP INDEX IF EXISTS {self.table}_search_gin"]
        if vendor == "sqlite":
            f = self.fts_table
            return [f"DROP TRIGGER IF EXISTS {f}_{s}" for s in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {f}"]
        return []

    def migration_operations(self):
        """RunPython operations that create the index for whichever database migrates."""
        from django.db import migrations

        def forwards(apps, schema_editor):
            for sql in self.create_sql(schema_editor.connection.vendor):
                schema_editor.execute(sql)

        def backwards(apps, schema_editor):
            for sql in self.drop_sql(schema_editor.connection.vendor):
                schema_editor.execute(sql)

        return [migrations.RunPython(forwards, backwards)]

    def condition(self, query):
        """A boolean expression: the row's text contains ``query``."""
        phrase = spaced(query)
        if connection.vendor == "postgresql":
            return RawSQL(
                f"to_tsvector('simple'::regconfig, {self.table}.{self.column}) @@ phraseto_tsquery('simple', %s)",
                [phrase],
                output_field=BooleanField(),
            )
        if connection.vendor == "sqlite":
            fts_query = '"' + phrase.replace('"', '""') + '"'
            return RawSQL(
                f"{self.table}.{self.pk} IN (SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s)",
                [fts_query],
                output_field=BooleanField(),
            )
        return RawSQL(f"{self.table}.{self.column} LIKE %s", [f"%{phrase}%"], output_field=BooleanField())

    def filter(self, queryset, query):
        phrase = spaced(query)
        if not phrase:
            return queryset
        if not re.search(r"\w", phrase):
            return queryset.none()  # only punctuation: neither index keeps it
        return queryset.filter(self.condition(query))
