"""The base of every list table: django-tables2 columns, sorting and exports, with
the rows rendered in one Python pass.

django-tables2's stock template renders each cell through several template tags and
inspects the render method's signature for every cell; on a 25-row page that was
about half the server time of a list page (bench/registry_bench.py). The header and
the pagination stay in the template (``core/partials/table.html``).
"""

import django_tables2 as tables
from django_tables2 import utils as tables_utils
from django.utils.html import format_html, format_html_join


# A column's render method never changes its signature, but django-tables2 inspects it
# again for every cell; remember it per function (the signature of the bound method,
# which leaves out ``self``).
_inspect_signature = tables_utils.signature
_signatures = {}


def _cached_signature(fn):
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _signatures[key]
    except KeyError:
        result = _signatures[key] = _inspect_signature(fn)
        return result
    except TypeError:  # an unhashable callable
        return _inspect_signature(fn)


tables_utils.signature = _cached_signature


class QualityTable(tables.Table):
    """Subclass this for list pages; settings.DJANGO_TABLES2_TEMPLATE renders it with
    ``core/partials/table.html``, which asks for ``rows_html``."""

    def rows_html(self):
        names = [column.name for column in self.columns]
        rows = (
            format_html("<tr>{}</tr>", format_html_join("", "<td>{}</td>", ((row.get_cell(n),) for n in names)))
            for row in self.paginated_rows
        )
        return format_html_join("\n", "{}", ((row,) for row in rows))
