import datetime

import pytest
from django.core.cache import cache

from qualityhub.credit.choices import RecordChannel, RecordKind
from qualityhub.credit.services import record_submit

_serial = iter(range(1, 1_000_000))


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def record_data(subject, *, kind=RecordKind.SAMPLING_PASS, fact_date=None, reference=None, department="深圳市市场监督管理局",
                product=None, amount=None, summary="电热水壶监督抽查", note=""):
    return {
        "subject": subject, "product": product, "kind": kind,
        "fact_date": fact_date or datetime.date(2026, 3, 2),
        "source_department": department, "reference": reference or f"深市监抽〔2026〕{next(_serial)}号",
        "summary": summary, "penalty_amount": amount, "internal_note": note,
    }


def add_record(person, subject, *, channel=RecordChannel.API, **kwargs):
    """A record reported by a system: in effect at once."""
    return record_submit(actor=person.actor, data=record_data(subject, **kwargs), channel=channel)[0]
