"""Substring search over names and texts in Chinese, fast at millions of rows.

Chinese has no spaces between words and users type any fragment ("美的", "电器"), so
a word index does not fit and ``LIKE '%…%'`` scans every row. Instead each indexed
text is stored with its characters separated by spaces and searched as a *phrase of
characters*: PostgreSQL's full-text search with the ``simple`` configuration and a
GIN index, SQLite's FTS5. A phrase of consecutive characters matches exactly the
rows containing the fragment, for fragments of any length.

On PostgreSQL the tsvector is a stored generated column (``search_vector``) with the
GIN index on it. GIN keeps no word positions, so every candidate row is rechecked for
the phrase; with an expression index that recheck re-parsed the text (about 16 µs a
row), and a province-wide search for a rare fragment, which the planner answers by
walking the primary key newest-first, took over a second at a million rows
(bench/registry_bench.py). Reading the stored vector makes the recheck cheap on
either plan.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

_SPACE_RE = re.compile(r"\s+")
# A fragment with at least this many matches is searched in page order (see condition).
DENSE_MATCHES = 2000
# PostgreSQL: a fragment found in at least DENSE_SAMPLE_HITS of the newest
# DENSE_SAMPLE rows is searched in page order (see condition).
DENSE_SAMPLE = 5000
DENSE_SAMPLE_HITS = 25


def spaced(text):
    """"美的集团 TCL" -> "美 的 集 团 t c l" (the indexed form)."""
    return " ".join(ch for ch in _SPACE_RE.sub("", str(text or "").lower()))


@dataclass(frozen=True)
class SearchIndex:
    """A character-phrase index on ``table.column`` (holding ``spaced`` text)."""

    table: str
    column: str = "search_text"
    pk: str = "id"
    vector_column: str = "search_vector"  # PostgreSQL only; generated from ``column``

    @property
    def fts_table(self):
        return f"{self.table}_fts"

    def create_sql(self, vendor):
        if vendor == "postgresql":
            return [
                f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.vector_column} tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce({self.column}, ''))) STORED",
                f"CREATE INDEX IF NOT EXISTS {self.table}_search_gin ON {self.table} USING gin ({self.vector_column})",
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
            return [
                f"DROP INDEX IF EXISTS {self.table}_search_gin",
                f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {self.vector_column}",
            ]
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
            t, v, pk = self.table, self.vector_column, self.pk
            match = f"{v} @@ phraseto_tsquery('simple', %s)"
            # The planner estimates a phrase's matches from its characters' separate
            # frequencies, often wrongly by 30x either way; for a newest-first page it
            # then walks the whole table for a rare fragment ("江市科智": 34 rows, 0.25 s)
            # or rechecks every match of a common one. So count the matches among
            # the newest DENSE_SAMPLE rows (cheap: no index, no recheck) and pick the
            # plan: a common fragment is tested row by row in page order
            # (``ts_match_vq`` is ``@@`` called as a function: not indexable, and
            # estimated as unselective), a rare one is collected from the GIN index
            # first into an array of ids.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT {v} FROM {t} ORDER BY {pk} DESC LIMIT {DENSE_SAMPLE}) r "
                    f"WHERE ts_match_vq(r.{v}, phraseto_tsquery('simple', %s))",
                    [phrase],
                )
                dense = cursor.fetchone()[0] >= DENSE_SAMPLE_HITS
            if dense:
                sql = f"ts_match_vq({t}.{v}, phraseto_tsquery('simple', %s))"
            else:
                sql = f"{t}.{pk} = ANY(ARRAY(SELECT {pk} FROM {t} WHERE {match}))"
            return RawSQL(sql, [phrase], output_field=BooleanField())
        if connection.vendor == "sqlite":
            fts_query = '"' + phrase.replace('"', '""') + '"'
            # SQLite starts from the FTS matches and sorts them for the page: right for
            # a rare fragment, slow for a common one ("深圳": 180,000 rows at a million
            # enterprises). For a common fragment a unary "+" keeps the id out of the
            # loop order, so SQLite walks the table in page order and stops after one
            # page. FTS5 reads matches lazily, so counting up to DENSE_MATCHES is cheap.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s "
                    f"LIMIT {DENSE_MATCHES})",
                    [fts_query],
                )
                dense = cursor.fetchone()[0] >= DENSE_MATCHES
            return RawSQL(
                f"{'+' if dense else ''}{self.table}.{self.pk} IN "
                f"(SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s)",
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
