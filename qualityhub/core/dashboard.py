"""The dashboard is assembled from cards that each app contributes for the actor.

An app registers ``provider(actor) -> list[Card]`` in its AppConfig.ready (or module
import); the dashboard never reaches into other apps' models.
"""

from dataclasses import dataclass

_PROVIDERS = []


@dataclass
class Card:
    title: str
    value: object
    url: str = ""
    note: str = ""


def register(provider):
    _PROVIDERS.append(provider)
    return provider


def dashboard_for(actor):
    cards = []
    for provider in _PROVIDERS:
        cards.extend(provider(actor) or [])
    return {"cards": cards}
