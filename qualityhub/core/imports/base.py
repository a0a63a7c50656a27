"""Import specifications: what a spreadsheet of one kind holds and how a row becomes
data. A spec validates a row with the same Django form a single create uses, and
commits through the same service."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_SPECS = {}


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header in the template and files
    required: bool = False
    help: str = ""
    example: str = ""
    width: int = 18


class ImportSpec:
    """Subclass per importable thing and ``register`` an instance.

    - ``columns``: the template's columns, in order;
    - ``form_for(actor, data, existing)``: the same form as the single create/edit;
    - ``natural_key(data, actor)``: identifies a row from its cells (duplicates in one
      file are errors, and re-importing a file updates nothing that is unchanged); the
      actor fills what a cell may leave blank (an enterprise's own credit code);
    - ``find_existing(actor, key)``: the stored object for that key, if any;
    - ``current_values(existing)``: the stored object's fields as cell text, used for
      the columns a file leaves out (so they keep their values);
    - ``save(actor, form, existing)``: persist one validated row through the domain
      service and return "created", "updated" or "unchanged".
    """

    key = ""
    title = _("数据")
    columns: tuple[Column, ...] = ()
    natural_key_label = ""

    def allowed(self, actor):
        return actor.is_authenticated

    def natural_key(self, data, actor):
        raise NotImplementedError

    def find_existing(self, actor, key):
        return None

    def current_values(self, existing):
        return {}

    def form_for(self, actor, data, existing):
        raise NotImplementedError

    def save(self, actor, form, existing):
        raise NotImplementedError

    def prepare(self, actor):
        """Hook to load lookups once per run (regions, industries …)."""

    @property
    def headers(self):
        return [c.header for c in self.columns]

    def column_for_field(self, field):
        for column in self.columns:
            if column.field == field:
                return column
        return None


def register(spec):
    if not spec.key or spec.key in _SPECS:
        raise ValueError(f"import spec key {spec.key!r} is empty or already registered")
    _SPECS[spec.key] = spec
    return spec


def get_spec(key):
    return _SPECS.get(key)


def specs():
    return dict(_SPECS)
