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


@dataclass
class Chart:
    """An ECharts chart: ``option`` is the ECharts option object (JSON-serialisable)."""

    title: str
    option: dict
    dom_id: str = ""

    @property
    def data_id(self):
        return f"{self.dom_id}-data"


def register(provider):
    _PROVIDERS.append(provider)
    return provider


def dashboard_for(actor):
    cards, charts = [], []
    for provider in _PROVIDERS:
        for item in provider(actor) or []:
            (charts if isinstance(item, Chart) else cards).append(item)
    for number, chart in enumerate(charts, start=1):
        chart.dom_id = chart.dom_id or f"chart-{number}"
    return {"cards": cards, "charts": charts}
