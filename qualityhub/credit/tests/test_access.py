"""The access matrix of every credit records page and API endpoint, over the 12 fixed
actors (see registry/tests/test_access.py for the conventions)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualityhub.credit import services
from qualityhub.credit.choices import RecordChannel, RecordKind
from qualityhub.credit.scoring import rescore_subjects, scoring_run_start
from qualityhub.credit.tests.conftest import add_record, record_data
from qualityhub.registry.tests.test_access import ACTORS, ENTERPRISES, LOGIN, REGULATORS, SEES_A, _cases, _matrix

# Regulators over enterprise A (Shenzhen, Nanshan) and the platform administrator.
OVER_A = SEES_A - ENTERPRISES
WITH_ORGANISATION = set(ACTORS) - {"anonymous", "platform_admin"}
# The scoring model, full rescoring and quotas are managed for the whole province.
MANAGERS = {"regulator_province", "platform_admin"}


@pytest.fixture
def world(actors):
    reg = actors.regulator_same_city
    actors.pending = services.record_submit(
        actor=reg.actor, data=record_data(actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_GENERAL),
        channel=RecordChannel.WEB,
    )[0]
    actors.active = add_record(reg, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_GENERAL)
    actors.objected = add_record(reg, actors.enterprise_a, kind=RecordKind.COMPLAINT)
    actors.objection = services.objection_lodge(actor=actors.owner.actor, record=actors.objected, reason="有误")
    actors.repairable = add_record(reg, actors.enterprise_a, kind=RecordKind.COMPLAINT)
    actors.repair = services.repair_apply(
        actor=actors.owner.actor, record=actors.repairable, statement="已整改",
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")], today=services.repair_available_on(actors.repairable),
    )
    actors.evidence = actors.repair.evidence.get()
    rescore_subjects([actors.enterprise_a.pk])  # on-commit listeners do not run inside a test transaction
    actors.run = scoring_run_start(actor=actors.regulator_province.actor)
    return actors


def R(name, *args):
    return lambda w: reverse(name, args=[a(w) for a in args])


PENDING = lambda w: w.pending.pk  # noqa: E731
ACTIVE = lambda w: w.active.pk  # noqa: E731

PAGES = [
    ("record list", "get", R("credit:record-list"), _matrix(ACTORS, 200)),
    ("record entry form", "get", R("credit:record-create"), _matrix(REGULATORS | {"platform_admin"}, 200)),
    ("record entry (empty post)", "post", R("credit:record-create"), _matrix(REGULATORS | {"platform_admin"}, 400)),
    # A pending record is for the regulators over the subject only, not the subject.
    ("pending record detail", "get", R("credit:record-detail", PENDING), _matrix(OVER_A, 200)),
    ("active record detail", "get", R("credit:record-detail", ACTIVE), _matrix(SEES_A, 200)),
    # The regulator who typed it may not approve it (400 with the reason); others over A may.
    ("approve pending record", "post", R("credit:record-approve", PENDING),
     _matrix(OVER_A, 302, overrides={"regulator_same_city": 400})),
    ("reject pending record (no reason)", "post", R("credit:record-reject", PENDING), _matrix(OVER_A, 400)),
    ("withdraw record (no reason)", "post", R("credit:record-withdraw", ACTIVE), _matrix(OVER_A, 400)),
    ("object to record (no reason)", "post", R("credit:objection-lodge", ACTIVE), _matrix(SEES_A, 400)),
    ("apply for repair (no statement)", "post", R("credit:repair-apply", ACTIVE), _matrix(SEES_A, 400)),
    ("decide objection (empty)", "post", lambda w: reverse("credit:objection-decide", args=[w.objection.pk]),
     _matrix(OVER_A, 400)),
    ("decide repair (empty)", "post", lambda w: reverse("credit:repair-decide", args=[w.repair.pk]), _matrix(OVER_A, 400)),
    ("evidence download", "get", lambda w: reverse("credit:evidence-download", args=[w.evidence.pk]), _matrix(SEES_A, 200)),
    ("good-standing list", "get", R("credit:good-standing"), _matrix(ACTORS, 200, anonymous=200)),
    ("joint-discipline list", "get", R("credit:joint-discipline"), _matrix(REGULATORS | {"platform_admin"}, 200)),
    ("notifications", "get", R("core:notification-list"), _matrix(ACTORS, 200)),
    # Risk classes: regulators; a subject sees its own score, never another's.
    ("credit dashboard", "get", R("credit:dashboard"), _matrix(REGULATORS | {"platform_admin"}, 200)),
    ("score list", "get", R("credit:score-list"), _matrix(REGULATORS | {"platform_admin"}, 200)),
    ("score of A", "get", lambda w: reverse("credit:score-detail", args=[w.enterprise_a.pk]), _matrix(SEES_A, 200)),
    ("scoring models", "get", R("credit:scoring-models"), _matrix(MANAGERS, 200)),
    ("new scoring model (empty)", "post", R("credit:scoring-models"), _matrix(MANAGERS, 400)),
    ("start full rescoring", "post", R("credit:scoring-run-start"), _matrix(MANAGERS, 302)),
    ("scoring run", "get", lambda w: reverse("credit:scoring-run-detail", args=[w.run.pk]), _matrix(MANAGERS, 200)),
    ("inspection quotas", "get", R("credit:inspection-quotas"), _matrix(REGULATORS | {"platform_admin"}, 200)),
    ("edit inspection quotas (empty)", "post", R("credit:inspection-quotas"), _matrix(MANAGERS, 400)),
]

API_LIST = "/api/v1/credit-records/"
API = [
    ("record list", "get", lambda w: API_LIST, _matrix(ACTORS, 200, anonymous=401)),
    ("active record", "get", lambda w: f"{API_LIST}{w.active.pk}/", _matrix(SEES_A, 200, anonymous=401)),
    ("pending record", "get", lambda w: f"{API_LIST}{w.pending.pk}/", _matrix(OVER_A, 200, anonymous=401)),
    ("report a record (empty)", "post", lambda w: API_LIST,
     _matrix(REGULATORS | {"platform_admin"}, 400, denied=403, anonymous=401)),
    ("records are not deleted", "delete", lambda w: f"{API_LIST}{w.active.pk}/", _matrix(ACTORS, 405, anonymous=401)),
]


@pytest.mark.parametrize("method,url,actor,expected", list(_cases(PAGES)))
def test_each_credit_page_answers_each_actor_as_the_matrix_says(world, method, url, actor, expected):
    response = getattr(getattr(world, actor).client(), method)(url(world))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("method,url,actor,expected", list(_cases(API)))
def test_each_credit_api_endpoint_answers_each_actor_as_the_matrix_says(world, method, url, actor, expected):
    response = getattr(getattr(world, actor).client(), method)(url(world), {}, content_type="application/json")
    assert response.status_code == expected, response.content[:400]
    if expected >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
