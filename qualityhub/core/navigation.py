"""The navigation per role. Apps add entries with ``register`` so the shell does not
import them; entries sharing a ``group`` (declared with ``register_group``) appear as
one dropdown, so the bar stays on one line as apps are added."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass
class NavItem:
    label: str
    url_name: str
    order: int
    visible: object  # callable(actor) -> bool
    group: str = ""


@dataclass
class NavGroup:
    key: str
    label: str
    order: int


_ITEMS = []
_GROUPS = {}


def register(label, url_name, *, order=100, visible=lambda actor: actor.is_authenticated, group=""):
    _ITEMS.append(NavItem(label, url_name, order, visible, group))


def register_group(key, label, *, order=100):
    _GROUPS[key] = NavGroup(key, label, order)


def _entry(item, current_path):
    url = reverse(item.url_name)
    active = current_path == url or (url != "/" and current_path.startswith(url))
    return {"label": item.label, "url": url, "active": active}


def navigation_for(actor, current_path=""):
    """Top-level entries in order; a group is {"label", "children", "active"} (a group
    with a single visible entry shows as that entry)."""
    slots = []  # (order, entry)
    grouped = {}
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if not item.visible(actor):
            continue
        if item.group and item.group in _GROUPS:
            grouped.setdefault(item.group, []).append(_entry(item, current_path))
        else:
            slots.append((item.order, _entry(item, current_path)))
    for key, children in grouped.items():
        group = _GROUPS[key]
        if len(children) == 1:
            slots.append((group.order, children[0]))
        else:
            slots.append((group.order, {"label": group.label, "children": children,
                                        "active": any(c["active"] for c in children)}))
    return [entry for _order, entry in sorted(slots, key=lambda s: s[0])]
