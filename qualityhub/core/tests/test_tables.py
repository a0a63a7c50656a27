"""The list tables' one-pass row rendering and the remembered render signatures."""

import django_tables2 as tables
from django_tables2 import utils as tables_utils

from qualityhub.core.tables import QualityTable


class NameTable(QualityTable):
    name = tables.Column()
    note = tables.Column(empty_values=())

    def render_note(self, record):
        return f"note for {record['name']}"


class OtherTable(QualityTable):
    name = tables.Column()
    note = tables.Column(empty_values=())

    def render_note(self, value, record, table):
        return f"{table.__class__.__name__}:{record['name']}"


def test_rows_are_rendered_in_column_order_and_escaped():
    table = NameTable([{"name": "<b>美的</b>"}, {"name": "格力"}])
    html = str(table.rows_html())
    assert html.count("<tr>") == 2
    assert "&lt;b&gt;美的&lt;/b&gt;" in html and "<b>" not in html
    assert html.index("格力") > html.index("美的")
    assert "<td>note for 格力</td>" in html


def test_empty_table_renders_no_rows():
    assert str(NameTable([]).rows_html()) == ""


def test_signature_cache_keeps_each_methods_own_arguments():
    # Two tables' render methods with different arguments must not share an entry, and
    # a bound method's signature leaves out self.
    first, second = NameTable([{"name": "甲"}]), OtherTable([{"name": "乙"}])
    assert tables_utils.signature(first.render_note) == (("record",), None)
    assert tables_utils.signature(second.render_note) == (("value", "record", "table"), None)
    assert "OtherTable:乙" in str(second.rows_html())
    assert "note for 甲" in str(first.rows_html())
