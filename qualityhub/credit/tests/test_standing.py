"""The good-standing tiers on constructed sampling histories, the public list, and
the joint-discipline list for regulators."""

import datetime

import pytest
from django.urls import reverse

from qualityhub.core.testing.factories import EnterpriseFactory, region
from qualityhub.credit import services
from qualityhub.credit.choices import RecordKind
from qualityhub.credit.models import GoodStanding
from qualityhub.credit.standing import full_years, good_standing_tier, standing_refresh, tier_for
from qualityhub.credit.tests.conftest import add_record

TODAY = datetime.date(2026, 11, 23)


def d(text):
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    "since, tier",
    [
        ("2023-11-24", None),  # one day short of three full years
        ("2023-11-23", 3),
        ("2021-11-24", 3),
        ("2021-11-23", 5),
        ("2016-11-24", 5),
        ("2016-11-23", 10),
        ("2000-01-01", 10),
    ],
)
def test_tiers_start_on_the_anniversary(since, tier):
    assert tier_for(d(since), TODAY) == tier


def test_full_years_on_29_february():
    assert full_years(d("2020-02-29"), d("2023-02-28")) == 2
    assert full_years(d("2020-02-29"), d("2023-03-01")) == 3


def test_constructed_histories(actors):
    reg = actors.regulator_province
    clean_long = actors.enterprise_a  # sampled 2014, never failed: 10 years
    failed_recently = actors.enterprise_b  # failed 2022: not yet 5 years
    never_sampled = actors.enterprise_c
    repaired = EnterpriseFactory(region=region("440305"))  # failed 2024 but repaired: counts from its first sample
    add_record(reg, clean_long, kind=RecordKind.SAMPLING_PASS, fact_date=d("2014-05-01"))
    add_record(reg, clean_long, kind=RecordKind.SAMPLING_PASS, fact_date=d("2025-05-01"))
    add_record(reg, failed_recently, kind=RecordKind.SAMPLING_PASS, fact_date=d("2010-01-01"))
    add_record(reg, failed_recently, kind=RecordKind.SAMPLING_FAIL_GENERAL, fact_date=d("2022-06-01"))
    add_record(reg, repaired, kind=RecordKind.SAMPLING_PASS, fact_date=d("2019-01-01"))
    failure = add_record(reg, repaired, kind=RecordKind.SAMPLING_FAIL_GENERAL, fact_date=d("2024-01-01"))
    application = services.repair_apply(
        actor=_subject_actor(repaired),
        record=failure, statement="已整改", files=[_pdf()], today=services.repair_available_on(failure),
    )
    services.repair_decide(actor=reg.actor, application=application, accept=True, reason="整改到位")

    standing_refresh(today=TODAY)
    assert good_standing_tier(clean_long) == 10
    assert good_standing_tier(failed_recently) == 3
    assert good_standing_tier(never_sampled) is None
    assert good_standing_tier(repaired) == 5
    row = GoodStanding.objects.get(subject=failed_recently)
    assert row.clean_since == d("2022-06-01") and row.city_id == "440300"


def test_a_new_failed_sample_takes_the_subject_off_the_list_at_once(actors, django_capture_on_commit_callbacks):
    reg = actors.regulator_province
    add_record(reg, actors.enterprise_a, kind=RecordKind.SAMPLING_PASS, fact_date=d("2015-01-01"))
    standing_refresh()
    assert good_standing_tier(actors.enterprise_a) == 10
    with django_capture_on_commit_callbacks(execute=True):
        add_record(reg, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_SERIOUS, fact_date=d("2026-01-01"))
    assert good_standing_tier(actors.enterprise_a) is None


def test_the_public_list_filters_by_city_and_tier_and_shows_no_private_data(actors):
    reg = actors.regulator_province
    add_record(reg, actors.enterprise_a, kind=RecordKind.SAMPLING_PASS, fact_date=d("2015-01-01"), note="内部：抽样员赵六")
    add_record(reg, actors.enterprise_c, kind=RecordKind.SAMPLING_PASS, fact_date=d("2022-01-01"))
    standing_refresh()
    client = actors.anonymous.client()
    response = client.get(reverse("credit:good-standing"))
    assert response.status_code == 200
    names = {row.subject.name for row in response.context["table"].data.data}
    assert names == {actors.enterprise_a.name, actors.enterprise_c.name}
    response = client.get(reverse("credit:good-standing"), {"city": "440100"})
    assert {row.subject.name for row in response.context["table"].data.data} == {actors.enterprise_c.name}
    response = client.get(reverse("credit:good-standing"), {"tier": "10"})
    assert {row.subject.name for row in response.context["table"].data.data} == {actors.enterprise_a.name}
    page = response.content.decode()
    assert "连续10年以上无抽查不合格" in page
    assert "抽样员赵六" not in page and actors.owner.user.name not in page


def test_joint_discipline_list_is_for_regulators_in_their_jurisdiction(actors):
    serious = add_record(actors.regulator_province, actors.enterprise_a, kind=RecordKind.SAMPLING_FAIL_SERIOUS)
    add_record(actors.regulator_province, actors.enterprise_c, kind=RecordKind.SAMPLING_FAIL_GENERAL)
    far = add_record(actors.regulator_province, actors.enterprise_c, kind=RecordKind.SAMPLING_FAIL_SERIOUS)
    url = reverse("credit:joint-discipline")
    for name, expected in {"regulator_same_city": {serious.pk}, "regulator_other_city": {far.pk},
                           "regulator_province": {serious.pk, far.pk}}.items():
        response = getattr(actors, name).client().get(url)
        assert {r.pk for r in response.context["table"].data.data} == expected, name
    for name in ("owner", "provider", "bank"):
        assert getattr(actors, name).client().get(url).status_code == 404
    assert actors.anonymous.client().get(url).status_code == 302


def _subject_actor(organisation):
    from qualityhub.core.testing.factories import MembershipFactory
    from qualityhub.core.testing.actors import Person

    membership = MembershipFactory(organisation=organisation, role="admin")
    return Person(membership.user, organisation, "admin").actor


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("整改.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
