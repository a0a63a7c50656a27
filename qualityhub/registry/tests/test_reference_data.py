"""Reference data loaded by migration: GB/T 2260 divisions of Guangdong, GB/T 4754-2017
sections and divisions, size classes and honour tags."""

import string

import pytest

from qualityhub.accounts.choices import RegionLevel
from qualityhub.registry.choices import EnterpriseSize, IndustryLevel
from qualityhub.registry.models import HonourTag, Industry, Region

pytestmark = pytest.mark.django_db

GUANGDONG_CITIES = {
    "440100": "广州市", "440200": "韶关市", "440300": "深圳市", "440400": "珠海市", "440500": "汕头市",
    "440600": "佛山市", "440700": "江门市", "440800": "湛江市", "440900": "茂名市", "441200": "肇庆市",
    "441300": "惠州市", "441400": "梅州市", "441500": "汕尾市", "441600": "河源市", "441700": "阳江市",
    "441800": "清远市", "441900": "东莞市", "442000": "中山市", "445100": "潮州市", "445200": "揭阳市",
    "445300": "云浮市",
}


def test_the_province_is_loaded():
    province = Region.objects.get(code="440000")
    assert province.name == "广东省"
    assert province.level == RegionLevel.PROVINCE
    assert province.parent_id is None
    assert province.city_id is None
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 1


def test_exactly_the_21_prefecture_level_cities_are_loaded():
    cities = Region.objects.filter(level=RegionLevel.CITY)
    assert cities.count() == 21
    assert dict(cities.values_list("code", "name")) == GUANGDONG_CITIES
    for city in cities:
        assert city.parent_id == "440000"
        assert city.city_id == city.code  # a city is its own city


@pytest.mark.parametrize(
    "code, name, city_code, city_name",
    [
        ("440305", "南山区", "440300", "深圳市"),
        ("440304", "福田区", "440300", "深圳市"),
        ("440106", "天河区", "440100", "广州市"),
        ("440604", "禅城区", "440600", "佛山市"),
    ],
)
def test_districts_are_linked_to_their_city(code, name, city_code, city_name):
    district = Region.objects.select_related("city", "parent").get(code=code)
    assert district.name == name
    assert district.level == RegionLevel.DISTRICT
    assert district.parent_id == city_code
    assert district.city_id == city_code
    assert district.city.name == city_name
    assert district.full_name == f"{city_name}{name}"


def test_every_district_belongs_to_a_guangdong_city_whose_code_it_shares():
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    assert districts.count() > 100
    for district in districts:
        assert district.city_id in GUANGDONG_CITIES
        assert district.parent_id == district.city_id
        assert district.code[:4] == district.city_id[:4]
    # Every city except Dongguan and Zhongshan (no county level) has districts.
    with_districts = set(districts.values_list("city_id", flat=True))
    assert set(GUANGDONG_CITIES) - with_districts == {"441900", "442000"}
    assert Region.objects.get(code="440300").children.count() == 9  # Shenzhen's nine districts


def test_industry_sections_a_to_t_are_loaded():
    sections = Industry.objects.filter(level=IndustryLevel.SECTION)
    assert set(sections.values_list("code", flat=True)) == set(string.ascii_uppercase[:20])
    assert sections.get(code="C").name == "制造业"
    assert sections.get(code="A").name == "农、林、牧、渔业"
    assert not sections.filter(parent__isnull=False).exists()


def test_industry_divisions_01_to_97_belong_to_their_sections():
    divisions = Industry.objects.filter(level=IndustryLevel.DIVISION)
    assert divisions.count() == 97
    assert set(divisions.values_list("code", flat=True)) == {f"{n:02d}" for n in range(1, 98)}
    electrical = Industry.objects.select_related("parent").get(code="38")
    assert electrical.name == "电气机械和器材制造业"
    assert electrical.parent_id == "C"
    assert Industry.objects.get(code="01").parent_id == "A"
    assert Industry.objects.get(code="97").parent_id == "T"
    # Manufacturing (C) is divisions 13 to 43.
    assert set(Industry.objects.filter(parent_id="C").values_list("code", flat=True)) == {str(n) for n in range(13, 44)}
    assert not divisions.filter(parent__isnull=True).exists()


def test_size_classes_exist_with_chinese_labels():
    assert dict(EnterpriseSize.choices) == {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def test_honour_tags_are_loaded_in_order():
    names = list(HonourTag.objects.order_by("sort").values_list("name", flat=True))
    for expected in ("专精特新中小企业", "专精特新“小巨人”企业", "制造业单项冠军企业", "产业链链主企业", "高新技术企业"):
        assert expected in names
    assert names[0] == "专精特新中小企业"
    assert HonourTag.objects.filter(code="little-giant").exists()


def test_the_reference_data_is_served_by_the_api(actors):
    client = actors.owner.client()
    regions = client.get("/api/v1/regions/", {"level": "city"}).json()
    assert len(regions) == 21
    nanshan = client.get("/api/v1/regions/440305/").json()
    assert nanshan == {"code": "440305", "name": "南山区", "level": "district", "parent": "440300", "city": "440300"}
    divisions_of_c = client.get("/api/v1/industries/", {"parent": "C"}).json()
    assert len(divisions_of_c) == 31
