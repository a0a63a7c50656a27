"""Substring search over names and texts in Chinese, fast at millions of rows.

Chinese has no spaces between words and users type any fragment ("美的", "电器"), so
a word index does not fit and ``LIKE '%…%'`` scans every row. Instead each indexed
text is stored as its overlapping *character pairs* plus its last character
("美的集团" -> "美的 的集 集团 团") and searched with PostgreSQL's full-text search
(``simple`` configuration, GIN index) or SQLite's FTS5:

- a fragment of two or more characters is the phrase of its pairs ("的集团" ->
  "的集" then "集团" at consecutive positions): exactly the rows containing it;
- one character is a prefix query ("集*"): every occurrence starts a pair, or is the
  final character.

Pairs, not single characters: GIN keeps no positions, so PostgreSQL rechecks every
candidate row of a phrase query. With single characters the candidates of "江市"
were all rows holding both characters anywhere (tens of thousands at a million
enterprises); a pair is one lexeme, whose posting list is the answer. Punctuation and
spaces are dropped from both sides, so "甲（集团）" is found by "甲集团" too.

On PostgreSQL the tsvector is a stored generated column (``search_vector``) with the
GIN index on it, so a recheck reads the stored vector instead of parsing the text.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

_NOT_SEARCHABLE_RE = re.compile(r"[\W_]+")
# A fragment with at least this many matches is searched in page order (see condition).
DENSE_MATCHES = 2000
# PostgreSQL: a fragment found in at least DENSE_SAMPLE_HITS of the newest
# DENSE_SAMPLE rows is searched in page order (see condition).
DENSE_SAMPLE = 5000
DENSE_SAMPLE_HITS = 25


def _searchable(text):
    return _NOT_SEARCHABLE_RE.sub("", str(text or "").lower())


def _pairs(chars):
    return [chars[i : i + 2] for i in range(len(chars) - 1)]


def indexed_text(text):
    """"美的集团 TCL" -> "美的 的集 集团 团t tc cl l" (what the index stores)."""
    chars = _searchable(text)
    return " ".join(_pairs(chars) + [chars[-1:]]) if chars else ""


def _query_terms(query):
    """(terms, is_prefix): the pairs of a fragment, or its one character as a prefix."""
    chars = _searchable(query)
    if len(chars) == 1:
        return [chars], True
    return _pairs(chars), False


@dataclass(frozen=True)
class SearchIndex:
    """A character-pair index on ``table.column`` (holding ``indexed_text``)."""

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

    def condition(self, query, within=None):
        """A boolean expression: the row's text contains ``query``. ``within`` (the
        queryset the page comes from) lets the plan choice look at the rows the
        actor may see: a regulator's city, not the whole province."""
        terms, is_prefix = _query_terms(query)
        if connection.vendor == "postgresql":
            t, v, pk = self.table, self.vector_column, self.pk
            # Terms are letters and digits only (see _searchable): safe inside to_tsquery.
            tsquery, param = (
                ("to_tsquery('simple', %s)", f"'{terms[0]}':*") if is_prefix
                else ("phraseto_tsquery('simple', %s)", " ".join(terms))
            )
            # The planner estimates a fragment's matches badly (by 30x either way);
            # for a newest-first page it then walks the whole table for a rare one or
            # rechecks every match of a common one. So count the matches among the
            # newest DENSE_SAMPLE rows (cheap: no index) and pick the plan: a common
            # fragment is tested row by row in page order (``ts_match_vq`` is ``@@``
            # called as a function: not indexable, estimated as unselective), a rare
            # one is collected from the GIN index first into an array of ids.
            if within is None:
                sample, sample_params = f"SELECT {pk} FROM {t} ORDER BY {pk} DESC LIMIT {DENSE_SAMPLE}", ()
            else:
                sample, sample_params = (
                    within.order_by(f"-{pk}").values_list(pk)[:DENSE_SAMPLE].query.sql_with_params()
                )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT count(*) FROM {t} WHERE {pk} IN ({sample}) AND ts_match_vq({t}.{v}, {tsquery})",
                    [*sample_params, param],
                )
                dense = cursor.fetchone()[0] >= DENSE_SAMPLE_HITS
            if dense:
                return RawSQL(f"ts_match_vq({t}.{v}, {tsquery})", [param], output_field=BooleanField())
            # The ids are collected inside the actor's scope, so a city regulator's
            # search reads only its city's matches (one scan of the (city, vector)
            # GIN index) instead of every match in the province.
            matching = RawSQL(f"{t}.{v} @@ {tsquery}", [param], output_field=BooleanField())
            if within is None:
                ids_sql, ids_params = f"SELECT {pk} FROM {t} WHERE {v} @@ {tsquery}", [param]
            else:
                ids_sql, ids_params = within.order_by().values_list(pk).filter(matching).query.sql_with_params()
            return RawSQL(f"{t}.{pk} = ANY(ARRAY({ids_sql}))", ids_params, output_field=BooleanField())
        if connection.vendor == "sqlite":
            fts_query = f'"{terms[0]}"*' if is_prefix else '"' + " ".join(terms) + '"'
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
        pattern = terms[0] if is_prefix else " ".join(terms)
        return RawSQL(f"{self.table}.{self.column} LIKE %s", [f"%{pattern}%"], output_field=BooleanField())

    def filter(self, queryset, query):
        if not str(query or "").strip():
            return queryset
        if not _searchable(query):
            return queryset.none()  # only punctuation: the index keeps none
        return queryset.filter(self.condition(query, within=queryset))
