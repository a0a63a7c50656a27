"""Risk-class scoring: hand-computed examples, set-based = one subject, history and
notifications, configuration validation, inspection quotas, access and query counts."""

import copy
import json
import datetime
import random
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qualityhub.core.models import Notification
from qualityhub.core.testing.factories import EnterpriseFactory, region
from qualityhub.credit.choices import RecordKind, RecordStatus
from qualityhub.credit.models import ClassChange, CreditRecord, EnterpriseScore, InspectionQuota, ScoringModel, ScoringRun
from qualityhub.credit.scoring import (
    current_class,
    explain,
    inspection_quota,
    inspection_quotas,
    rescore_all,
    rescore_subjects,
)
from qualityhub.credit.scoring_config import DEFAULT_CONFIG, validate_config
from qualityhub.credit.services_scoring import scoring_model_create
from qualityhub.credit.signals import record_changed

NOW = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0))
TODAY = timezone.localdate(NOW)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def plain_config(**changes):
    """The default structure with every attribute point zero and wide caps, so a test
    sees only the records it makes."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["basic"].update(young_points=0, unknown_established_points=0)
    config["basic"]["size_points"] = {k: 0 for k in config["basic"]["size_points"]}
    config["dynamic"]["status_points"] = {k: 0 for k in config["dynamic"]["status_points"]}
    config["dynamic"]["recent_negative_points"] = 0
    config["groups"] = {g: {"min": -1000, "max": 1000} for g in config["groups"]}
    for key, value in changes.items():
        config[key] = value
    return config


def use_model(config, actors):
    return scoring_model_create(actor=actors.platform_admin.actor, config=config, note="test")


_refs = iter(range(1, 10**6))


def record(subject, kind, days_ago, status=RecordStatus.ACTIVE, today=TODAY):
    return CreditRecord.objects.create(
        subject=subject, kind=kind, fact_date=today - datetime.timedelta(days=days_ago), source_department="测试局",
        reference=f"测试〔2026〕{next(_refs)}号", summary="测试", status=status,
        penalty_amount=Decimal("1000") if kind == RecordKind.PENALTY else None,
    )


def stored(subject):
    return EnterpriseScore.objects.get(subject=subject)


# --- Hand-computed examples -------------------------------------------------------------

def test_decay_halves_points_every_half_life(actors):
    config = plain_config()
    config["kinds"]["penalty"] = {"group": "supervision", "points": 20, "half_life_days": 365}
    config["kinds"]["sampling_fail_general"] = {"group": "supervision", "points": 16, "half_life_days": 730}
    use_model(config, actors)
    a = actors.enterprise_a
    record(a, RecordKind.PENALTY, 365)  # 20 * 0.5 = 10
    record(a, RecordKind.SAMPLING_FAIL_GENERAL, 730)  # 16 * 0.5 = 8
    record(a, RecordKind.PENALTY, 0, status=RecordStatus.REPAIRED)  # repaired: does not count
    record(a, RecordKind.PENALTY, -10)  # in the future of the scoring date: not yet
    rescore_all(now=NOW)
    score = stored(a)
    assert score.score == Decimal("18.00")
    assert score.risk_class == "B"  # 10 < 18 <= 30
    assert score.model_version == ScoringModel.objects.get(is_active=True).version
    why = explain(a)
    values = sorted(round(c.value, 6) for c in why.contributions if c.record is not None)
    assert values == [8.0, 10.0]
    assert why.score == Decimal("18.00")


def test_decay_with_default_half_life_and_quarter(actors):
    config = plain_config(half_life_days=100)
    config["kinds"]["complaint"] = {"group": "social", "points": 12}  # default half-life 100
    use_model(config, actors)
    record(actors.enterprise_a, RecordKind.COMPLAINT, 200)  # 12 * 0.25 = 3
    record(actors.enterprise_a, RecordKind.COMPLAINT, 50)  # 12 * 0.5**0.5 = 8.485…
    rescore_all(now=NOW)
    assert stored(actors.enterprise_a).score == Decimal("11.49")


def test_group_caps(actors):
    config = plain_config()
    config["groups"]["supervision"] = {"min": -10, "max": 25}
    config["groups"]["social"] = {"min": -5, "max": 20}
    config["kinds"]["penalty"] = {"group": "supervision", "points": 20, "half_life_days": 365}
    config["kinds"]["award_national"] = {"group": "social", "points": -15, "half_life_days": 365}
    use_model(config, actors)
    a, b = actors.enterprise_a, actors.enterprise_b
    for _ in range(3):
        record(a, RecordKind.PENALTY, 0)  # 60, capped at 25
    record(b, RecordKind.AWARD_NATIONAL, 0)  # -15, capped at -5
    rescore_all(now=NOW)
    assert stored(a).score == Decimal("25.00")
    assert stored(b).score == Decimal("-5.00")
    why = explain(a)
    assert why.raw["supervision"] == pytest.approx(60.0) and why.capped["supervision"] == 25.0


def test_veto_forces_d_within_veto_days(actors):
    config = plain_config(veto_days=365)
    config["kinds"]["sampling_fail_serious"] = {"group": "supervision", "points": 1}
    use_model(config, actors)
    a, b = actors.enterprise_a, actors.enterprise_b
    record(a, RecordKind.SAMPLING_FAIL_SERIOUS, 30)
    record(b, RecordKind.SAMPLING_FAIL_SERIOUS, 400)  # older than veto_days: only its points
    rescore_all(now=NOW)
    assert stored(a).risk_class == "D" and stored(a).vetoed
    assert stored(a).score < Decimal("10")  # the score alone would be A
    assert stored(b).risk_class == "A" and not stored(b).vetoed
    assert explain(a).veto_records[0].kind == RecordKind.SAMPLING_FAIL_SERIOUS


def test_thresholds_are_inclusive_upper_bounds(actors):
    config = plain_config(thresholds={"A": 10, "B": 30, "C": 60})
    for kind, points in (("penalty", 10), ("complaint", 10.01), ("cert_revoked", 60), ("recall_ordered", 60.01)):
        config["kinds"][kind] = {"group": "supervision", "points": points}
    use_model(config, actors)
    subjects = {}
    for kind in ("penalty", "complaint", "cert_revoked", "recall_ordered"):
        subjects[kind] = EnterpriseFactory()
        record(subjects[kind], kind, 0)
    rescore_all(now=NOW)
    assert [stored(subjects[k]).risk_class for k in ("penalty", "complaint", "cert_revoked", "recall_ordered")] == [
        "A", "B", "C", "D"
    ]


def test_basic_and_dynamic_indicators(actors):
    config = plain_config()
    config["basic"].update(young_years=3, young_points=6, unknown_established_points=3)
    config["basic"]["size_points"] = {"large": 0, "medium": 1, "small": 3, "micro": 5, "": 2}
    config["dynamic"]["status_points"] = {"active": 0, "suspended": 10, "revoked": 20, "deregistered": 20}
    config["dynamic"].update(window_days=180, recent_negative_points=4)
    config["kinds"]["penalty"] = {"group": "supervision", "points": 0}
    use_model(config, actors)
    young = EnterpriseFactory(status="suspended")
    young.profile.established_on = TODAY - datetime.timedelta(days=365)
    young.profile.size = "micro"
    young.profile.save()
    old = EnterpriseFactory()
    old.profile.established_on = datetime.date(2000, 1, 1)
    old.profile.size = "large"
    old.profile.save()
    record(old, RecordKind.PENALTY, 10)  # recent negative: +4
    record(old, RecordKind.PENALTY, 200)  # outside the window
    rescore_all(now=NOW)
    assert stored(young).score == Decimal("21.00")  # 6 young + 5 micro + 10 suspended
    assert stored(old).score == Decimal("4.00")
    assert stored(actors.enterprise_a).score == Decimal("6.00")  # unknown date 3 + small 3
    assert stored(actors.lab).score == Decimal("5.00")  # no profile: unknown date 3 + unknown size 2


def test_relationship_same_legal_representative_as_d(actors):
    config = plain_config()
    config["relationship"]["same_legal_representative_d_points"] = 15
    config["kinds"]["sampling_fail_serious"] = {"group": "supervision", "points": 0}
    use_model(config, actors)
    d1, mate, other = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    for enterprise, name in ((d1, "张三"), (mate, "张三"), (other, "李四")):
        enterprise.profile.legal_representative = name
        enterprise.profile.save()
    record(d1, RecordKind.SAMPLING_FAIL_SERIOUS, 10)
    rescore_all(now=NOW)
    assert stored(d1).risk_class == "D" and stored(d1).score == Decimal("0.00")  # the only D: no points for itself
    assert stored(mate).score == Decimal("15.00") and stored(mate).risk_class == "B"
    assert stored(other).score == Decimal("0.00")
    why = explain(mate)
    assert why.related_d == 1 and why.score == Decimal("15.00")
    # The D subject's record is repaired: rescoring it rescores its group mates too.
    CreditRecord.objects.filter(subject=d1).update(status=RecordStatus.REPAIRED)
    rescore_subjects([d1.pk], now=NOW)
    assert stored(d1).risk_class == "A"
    assert stored(mate).score == Decimal("0.00") and stored(mate).risk_class == "A"


# --- Set-based = one subject ---------------------------------------------------------------

def test_set_based_rescoring_equals_single_subject_computation(actors):
    rng = random.Random(7)
    subjects = [actors.enterprise_a, actors.enterprise_b, actors.enterprise_c, actors.lab]
    for n in range(30):
        e = EnterpriseFactory(status=rng.choice(["active", "active", "suspended"]))
        e.profile.size = rng.choice(["", "large", "medium", "small", "micro"])
        e.profile.established_on = rng.choice([None, datetime.date(2025, 1, 1), datetime.date(2010, 5, 5)])
        e.profile.legal_representative = rng.choice(["", "王五", "赵六"])
        e.profile.save()
        subjects.append(e)
    kinds = list(RecordKind.values)
    for subject in subjects:
        for _ in range(rng.randint(0, 8)):
            record(subject, rng.choice(kinds), rng.randint(0, 2000), status=rng.choice(
                [RecordStatus.ACTIVE, RecordStatus.EXPIRED, RecordStatus.OBJECTED, RecordStatus.REPAIRED]))
    result = rescore_all(now=NOW, chunk=7)  # several chunks
    assert result.scored >= len(subjects)
    classes = set()
    for subject in subjects:
        score = stored(subject)
        why = explain(subject)
        assert (why.score, why.risk_class) == (score.score, score.risk_class), subject
        assert why.base_class == score.base_class
        classes.add(score.risk_class)
    assert len(classes) >= 3  # the example exercises several classes
    before = {s.pk: (stored(s).score, stored(s).risk_class) for s in subjects}
    rescore_subjects([s.pk for s in subjects[:5]], now=NOW)
    assert {s.pk: (stored(s).score, stored(s).risk_class) for s in subjects} == before


# --- History, notifications, listener -------------------------------------------------------

def test_class_change_history_and_notifications(actors):
    config = plain_config()
    config["kinds"]["penalty"] = {"group": "supervision", "points": 20, "half_life_days": 365}
    use_model(config, actors)
    a = actors.enterprise_a
    rescore_all(now=NOW)
    first = ClassChange.objects.get(subject=a)
    assert (first.from_class, first.to_class) == ("", "A")
    assert not Notification.objects.exists()  # the first classification notifies nobody
    assert current_class(a) == "A"

    record(a, RecordKind.PENALTY, 0, today=timezone.localdate())  # the listener scores as of today
    record_changed.send(sender=None, subject_ids=[a.pk])  # what the record services send on commit
    assert current_class(a) == "B"
    change = ClassChange.objects.filter(subject=a).order_by("-id").first()
    assert (change.from_class, change.to_class, change.score) == ("A", "B", Decimal("20.00"))
    received = set(Notification.objects.values_list("organisation_id", flat=True))
    assert received == {a.pk, actors.shenzhen.pk, actors.nanshan.pk, actors.province.pk}  # not Guangzhou
    note = Notification.objects.get(organisation=a)
    assert "A类调整为B类" in note.body and note.url == reverse("credit:score-detail", args=[a.pk])
    assert a.name in Notification.objects.get(organisation=actors.shenzhen).body
    for regulator in (actors.shenzhen, actors.nanshan, actors.province):  # names the one change's classes
        assert "由A类调整为B类" in Notification.objects.get(organisation=regulator).body
    # Rescoring again changes nothing and notifies nobody.
    count = Notification.objects.count()
    rescore_subjects([a.pk])
    assert ClassChange.objects.filter(subject=a).count() == 2 and Notification.objects.count() == count


def test_notifying_regulators_of_single_changes_costs_no_query_per_regulator(actors):
    """enterprise_a (Nanshan) has three regulators over it, enterprise_b (Futian) two:
    each gets a note naming the one change, without a query per regulator."""
    config = plain_config()
    config["kinds"]["penalty"] = {"group": "supervision", "points": 20}
    use_model(config, actors)
    rescore_all(now=NOW)
    counts = {}
    for e in (actors.enterprise_a, actors.enterprise_b):
        record(e, RecordKind.PENALTY, 0)
        before = Notification.objects.count()
        with CaptureQueriesContext(connection) as queries:
            rescore_subjects([e.pk], now=NOW)
        counts[e.pk] = (len(queries), Notification.objects.count() - before)
    assert counts[actors.enterprise_a.pk][1] == 4 and counts[actors.enterprise_b.pk][1] == 3  # subject + regulators
    assert counts[actors.enterprise_a.pk][0] == counts[actors.enterprise_b.pk][0]


def test_many_changes_notify_each_regulator_once(actors):
    config = plain_config()
    config["kinds"]["penalty"] = {"group": "supervision", "points": 20}
    use_model(config, actors)
    rescore_all(now=NOW)
    for e in (actors.enterprise_a, actors.enterprise_b):
        record(e, RecordKind.PENALTY, 0)
    rescore_all(now=NOW + datetime.timedelta(minutes=1))
    assert Notification.objects.filter(organisation=actors.shenzhen).count() == 1
    assert "2家企业" in Notification.objects.get(organisation=actors.shenzhen).body
    assert Notification.objects.filter(organisation=actors.nanshan).count() == 1  # only enterprise_a is in Nanshan
    assert not Notification.objects.filter(organisation=actors.guangzhou).exists()


def test_full_rescore_run_from_the_page(actors, django_capture_on_commit_callbacks):
    client = actors.regulator_province.client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("credit:scoring-run-start"))
    run = ScoringRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("credit:scoring-run-detail", args=[run.pk])
    assert run.status == "done" and run.processed == run.total >= 4 and run.model_version == 1
    assert EnterpriseScore.objects.filter(subject=actors.enterprise_a).exists()
    partial = client.get(reverse("credit:scoring-run-detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b'id="run-done"' in partial.content and b"<html" not in partial.content
    assert actors.regulator_same_city.client().post(reverse("credit:scoring-run-start")).status_code == 404
    assert ScoringRun.objects.count() == 1


def test_record_changed_without_ids_starts_a_full_run(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_changed.send(sender=None, subject_ids=None)
    assert ScoringRun.objects.get().status == "done"
    assert EnterpriseScore.objects.filter(subject=actors.enterprise_b).exists()


# --- Configuration ------------------------------------------------------------------------------

def test_default_model_is_valid_and_active():
    model = ScoringModel.objects.get(is_active=True)
    assert model.version == 1
    assert validate_config(model.config) == DEFAULT_CONFIG


def test_config_validation_names_the_field(actors):
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["thresholds"]["B"] = 5  # A 10 > B 5
    config["kinds"]["penalty"]["points"] = "很多"
    config["kinds"]["nonsense"] = {"group": "social", "points": 1}
    config["groups"]["social"] = {"min": 5, "max": -5}
    config["veto_kinds"] = ["penalty", "nothing"]
    del config["kinds"]["complaint"]
    config["half_life_days"] = 0
    with pytest.raises(ValidationError) as excinfo:
        scoring_model_create(actor=actors.regulator_province.actor, config=config)
    text = "\n".join(excinfo.value.messages)
    for expected in ("thresholds", "kinds.penalty.points", "nonsense", "groups.social", "nothing", "kinds.complaint",
                     "half_life_days"):
        assert expected in text, expected
    assert "必须" in text
    assert ScoringModel.objects.count() == 1


def test_model_page_creates_versions_and_rejects_bad_input(actors):
    client = actors.regulator_province.client()
    url = reverse("credit:scoring-models")
    page = client.get(url)
    assert page.status_code == 200 and b"half_life_days" in page.content
    bad = client.post(url, {"config": "{not json", "note": "x"})
    assert bad.status_code == 400 and "不是有效的JSON".encode() in bad.content
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["thresholds"]["A"] = "x"
    invalid = client.post(url, {"config": json.dumps(config), "note": "x"})
    assert invalid.status_code == 400 and b"thresholds.A" in invalid.content
    config["thresholds"]["A"] = 12
    ok = client.post(url, {"config": json.dumps(config), "note": "提高A类阈值"})
    assert ok.status_code == 302
    active = ScoringModel.objects.get(is_active=True)
    assert active.version == 2 and active.config["thresholds"]["A"] == 12 and active.created_by == actors.regulator_province.user
    assert ScoringModel.objects.get(version=1).is_active is False
    # Roll back to version 1.
    assert client.post(reverse("credit:scoring-model-activate", args=[1])).status_code == 302
    assert ScoringModel.objects.get(is_active=True).version == 1
    for person in (actors.regulator_same_city, actors.owner, actors.bank):
        assert person.client().get(url).status_code == 404
        assert person.client().post(url, {"config": "{}"}).status_code == 404
        assert person.client().post(reverse("credit:scoring-model-activate", args=[2])).status_code == 404
    assert ScoringModel.objects.get(is_active=True).version == 1
    assert ScoringModel.objects.count() == 2


# --- Inspection quotas ------------------------------------------------------------------------

def test_quota_defaults_and_selector():
    quotas = inspection_quotas()
    assert [(c, q.min_percent, q.max_percent) for c, q in sorted(quotas.items())] == [
        ("A", 0, 5), ("B", 5, 20), ("C", 21, 60), ("D", 61, 100)
    ]
    assert inspection_quota("D").max_percent == 100
    assert inspection_quota("X") is None


def test_quota_editing(actors):
    client = actors.regulator_province.client()
    url = reverse("credit:inspection-quotas")
    data = {f"{c}-{f}": v for c, row in {
        "A": (0, 3, 1), "B": (3, 15, 1), "C": (15, 50, 2), "D": (50, 100, 6)}.items()
        for f, v in zip(("min_percent", "max_percent", "times_per_year"), row)}
    assert client.post(url, data).status_code == 302
    assert inspection_quota("A").max_percent == 3 and inspection_quota("D").times_per_year == 6
    bad = dict(data, **{"B-min_percent": "30", "C-max_percent": "120", "D-times_per_year": "0"})
    response = client.post(url, bad)
    assert response.status_code == 400
    for expected in ("B类的年度抽查比例下限不能大于上限", "C类年度抽查比例上限", "D类每年抽查频次"):
        assert expected.encode() in response.content
    assert inspection_quota("B").min_percent == 3  # nothing saved
    assert actors.regulator_same_city.client().get(url).status_code == 200  # regulators read
    assert actors.regulator_same_city.client().post(url, data).status_code == 404  # only the province edits
    assert actors.owner.client().get(url).status_code == 404
    assert InspectionQuota.objects.get(risk_class="D").max_percent == 100


# --- Access ------------------------------------------------------------------------------------------

def test_scores_are_for_regulators_and_the_subject_only(actors):
    rescore_all(now=NOW)
    a = actors.enterprise_a
    url = reverse("credit:score-detail", args=[a.pk])
    for person in (actors.owner, actors.regulator_same_city, actors.regulator_district, actors.regulator_province,
                   actors.platform_admin):
        response = person.client().get(url)
        assert response.status_code == 200, person
        assert b'id="risk-class"' in response.content
    # The relationship line speaks of other enterprises' class: regulators only.
    relationship = "同一法定代表人的D类企业".encode()
    assert relationship in actors.regulator_same_city.client().get(url).content
    assert relationship not in actors.owner.client().get(url).content
    for person in (actors.outsider, actors.far_enterprise, actors.regulator_other_city, actors.provider, actors.bank):
        assert person.client().get(url).status_code == 404, person
    assert actors.anonymous.client().get(url).status_code == 302  # to the sign-in page
    dashboard, listing = reverse("credit:dashboard"), reverse("credit:score-list")
    for person in (actors.owner, actors.outsider, actors.provider, actors.bank):
        assert person.client().get(dashboard).status_code == 404
        assert person.client().get(listing).status_code == 404
    assert actors.anonymous.client().get(dashboard).status_code == 302
    guangzhou_list = actors.regulator_other_city.client().get(listing)
    assert guangzhou_list.status_code == 200
    assert a.name.encode() not in guangzhou_list.content and actors.enterprise_c.name.encode() in guangzhou_list.content
    # The enterprise's own pages and the public enterprise page never show a class.
    assert b"A\xe7\xb1\xbb" not in actors.outsider.client().get(reverse("registry:enterprise-list")).content


def test_dashboard_shows_distribution_changes_and_pending(actors):
    from qualityhub.registry.models import Industry

    division = Industry.objects.filter(level="division", parent__isnull=False).select_related("parent").first()
    profile = actors.enterprise_a.profile
    profile.industry = division
    profile.save()
    record(actors.enterprise_a, RecordKind.PENALTY, 0, status=RecordStatus.PENDING)
    rescore_all(now=NOW)
    score = stored(actors.enterprise_a)
    assert (score.city_id, score.industry_id) == ("440300", division.code)  # copied for the distributions
    response = actors.regulator_same_city.client().get(reverse("credit:dashboard"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="pending-records">1<' in content
    assert "chart-class-city-data" in content and "深圳市" in content
    assert json.dumps(division.parent.name)[1:-1] in content  # the industry chart groups divisions into sections
    assert json.dumps("深圳市")[1:-1] in content  # the city chart, from the copied city
    assert actors.enterprise_c.name not in content  # Guangzhou is outside Shenzhen
    assert actors.enterprise_a.name in content  # its first classification is a recent change
    assert "start-rescore" not in content  # only the province starts a full run


def _scores(n):
    for _ in range(n):
        e = EnterpriseFactory(region=region("440305"))
        record(e, RecordKind.PENALTY, 10)
    rescore_all(now=NOW)


@pytest.mark.parametrize("url_name", ["credit:score-list", "credit:dashboard"])
def test_query_counts_do_not_grow_with_rows(actors, url_name):
    client = actors.regulator_same_city.client()
    url = reverse(url_name)
    _scores(5)
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _scores(25)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


def test_a_stale_run_does_not_block_a_new_one(actors, django_capture_on_commit_callbacks):
    from qualityhub.credit.scoring import scoring_run_start

    stuck = ScoringRun.objects.create(status="running")
    assert scoring_run_start() == stuck  # a live run is not started twice
    ScoringRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        run = scoring_run_start(actor=actors.regulator_province.actor)
    assert run != stuck and ScoringRun.objects.get(pk=run.pk).status == "done"
    assert ScoringRun.objects.get(pk=stuck.pk).status == "failed"


def test_a_very_long_list_of_changed_subjects_queues_a_full_run(actors, monkeypatch, django_capture_on_commit_callbacks):
    from qualityhub.credit import scoring

    monkeypatch.setattr(scoring, "MANY_SUBJECTS", 1)
    with django_capture_on_commit_callbacks(execute=True):
        record_changed.send(sender=None, subject_ids=[actors.enterprise_a.pk, actors.enterprise_b.pk])
    assert ScoringRun.objects.get().status == "done"
    assert EnterpriseScore.objects.filter(subject=actors.enterprise_c).exists()  # everyone, not only the two


def test_deleting_an_organisation_deletes_its_score_and_history():
    """No database FK on the score or the history (bulk writes): Django's CASCADE
    still removes them with the organisation."""
    gone = EnterpriseFactory()
    rescore_all(now=NOW)
    assert EnterpriseScore.objects.filter(subject=gone).exists() and ClassChange.objects.filter(subject=gone).exists()
    gone.delete()
    assert not EnterpriseScore.objects.filter(subject_id=gone.pk).exists()
    assert not ClassChange.objects.filter(subject_id=gone.pk).exists()
