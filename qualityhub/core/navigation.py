"""The navigation per role. Apps add entries with ``register`` so the shell does not
import them."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass
class NavItem:
    label: str
    url_name: str
    order: int
    visible: object  # callable(actor) -> bool


_ITEMS = []


def register(label, url_name, *, order=100, visible=lambda actor: actor.is_authenticated):
    _ITEMS.append(NavItem(label, url_name, order, visible))


def navigation_for(actor, current_path=""):
    items = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if not item.visible(actor):
            continue
        url = reverse(item.url_name)
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"label": item.label, "url": url, "active": active})
    return items
