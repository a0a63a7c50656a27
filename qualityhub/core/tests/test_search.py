"""Enterprise search by name fragment or credit code: the character-phrase index
(``qualityhub.core.search``) behind ``registry.selectors.organisation_search``."""

import pytest
from django.urls import reverse

from qualityhub.accounts.models import Organisation
from qualityhub.core.search import indexed_text
from qualityhub.core.testing.factories import EnterpriseFactory, region
from qualityhub.registry import selectors, services
from qualityhub.registry.forms import EnterpriseForm
from qualityhub.registry.selectors import ORGANISATION_NAME_INDEX, enterprise_queryset, organisation_search


@pytest.fixture
def names(actors):
    """Enterprises whose names share characters but not fragments."""
    made = {
        "midea": EnterpriseFactory(name="广东美的电器股份有限公司", region=region("440606")),
        "gree": EnterpriseFactory(name="珠海格力电器股份有限公司", region=region("440402")),
        "parts": EnterpriseFactory(name="深圳市电子器件有限公司", region=region("440305")),
        "tcl": EnterpriseFactory(name="TCL科技集团股份有限公司", region=region("441302")),
        "threem": EnterpriseFactory(name="3M中国有限公司", region=region("440106")),
    }
    actors.search_names = made
    return actors


def _search(query, queryset=None):
    queryset = enterprise_queryset() if queryset is None else queryset
    return set(organisation_search(queryset, query).values_list("name", flat=True))


def test_the_index_holds_overlapping_character_pairs_and_the_last_character():
    assert indexed_text("美的集团 TCL") == "美的 的集 集团 团t tc cl l"
    assert indexed_text("甲（集团）") == "甲集 集团 团"  # punctuation is not searchable
    assert indexed_text("美") == "美"
    assert indexed_text("") == ""
    assert indexed_text(None) == ""


def test_a_two_character_fragment_finds_every_name_containing_it(names):
    assert _search("美的") == {"广东美的电器股份有限公司"}
    assert _search("格力") == {"珠海格力电器股份有限公司"}
    assert _search("电器") == {
        "广东美的电器股份有限公司", "珠海格力电器股份有限公司", "深圳市甲电器有限公司",
    }


def test_a_four_character_fragment_matches_only_consecutive_characters(names):
    assert _search("美的电器") == {"广东美的电器股份有限公司"}
    assert _search("电子器件") == {"深圳市电子器件有限公司"}
    assert _search("格力电器") == {"珠海格力电器股份有限公司"}


def test_one_character_finds_it_anywhere_in_the_name_including_the_end(names):
    assert _search("格") == {"珠海格力电器股份有限公司"}
    assert _search("M") == {"3M中国有限公司"}
    assert "珠海格力电器股份有限公司" in _search("司")  # only ever the last character
    assert _search("龘") == set()


def test_odd_length_fragments_and_fragments_at_either_end(names):
    assert _search("的电器") == {"广东美的电器股份有限公司"}
    assert _search("珠海格") == {"珠海格力电器股份有限公司"}
    assert _search("中国有限公司") == {"3M中国有限公司"}
    assert _search("有限公司司") == set()


def test_punctuation_in_a_name_or_a_query_does_not_get_in_the_way(actors):
    EnterpriseFactory(name="深圳市甲（集团）有限公司", region=region("440305"))
    assert _search("甲（集团）") == {"深圳市甲（集团）有限公司"}
    assert _search("甲集团") == {"深圳市甲（集团）有限公司"}
    assert _search("（集团") == {"深圳市甲（集团）有限公司"}


def test_characters_present_but_not_adjacent_are_no_match(names):
    # "电子器件" holds 电 and 器, but not "电器".
    assert "深圳市电子器件有限公司" not in _search("电器")
    assert _search("器电") == set()
    assert _search("美格") == set()
    assert _search("广东格力") == set()
    assert _search("不存在的企业") == set()


def test_latin_letters_digits_and_chinese_mix_in_one_query(names):
    assert _search("TCL科技") == {"TCL科技集团股份有限公司"}
    assert _search("tcl") == {"TCL科技集团股份有限公司"}  # case-insensitive
    assert _search("3M中国") == {"3M中国有限公司"}
    assert _search("  美的 电器 ") == {"广东美的电器股份有限公司"}  # spaces typed by the user are ignored


def test_a_credit_code_or_its_prefix_finds_the_enterprise(names):
    gree = names.search_names["gree"]
    assert _search(gree.uscc) == {gree.name}
    assert _search(gree.uscc.lower()) == {gree.name}
    prefix = gree.uscc[:10]
    found = organisation_search(enterprise_queryset(), prefix)
    assert gree in found
    assert all(o.uscc.startswith(prefix) for o in found)
    # A code that is not a prefix of any finds nothing (no fuzzy or substring match).
    assert _search(gree.uscc[2:12]) == set()


def test_punctuation_and_index_syntax_never_break_the_search(names):
    for query in ['"', "*", "AND", "OR NOT", "NEAR(电器)", "--", "（）", "'; DROP TABLE x; --"]:
        assert _search(query) == set(), query
    assert _search("美的*") == {"广东美的电器股份有限公司"}  # no prefix operator: "*" is dropped
    assert _search('美的" OR "格力') == set()
    assert _search("--") == set()
    assert _search("电器-") == _search("电器")


def test_an_empty_query_filters_nothing(names):
    assert organisation_search(enterprise_queryset(), "   ").count() == enterprise_queryset().count()


def test_the_index_follows_renames_through_the_service(names):
    regulator = names.regulator_same_city
    parts = selectors.enterprise_get(actor=regulator.actor, pk=names.search_names["parts"].pk, action="change")
    data = {"uscc": parts.uscc, "name": "深圳市光年照明有限公司", "region": parts.region_id, "size": "small"}
    form = EnterpriseForm(data=data, actor=regulator.actor, instance=parts)
    assert form.is_valid(), form.errors
    services.enterprise_save(actor=regulator.actor, data=form.cleaned_data, instance=parts)

    assert _search("电子器件") == set()
    assert _search("光年照明") == {"深圳市光年照明有限公司"}
    assert _search("照明") == {"深圳市光年照明有限公司"}


def test_the_index_forgets_deleted_enterprises(names):
    gree = names.search_names["gree"]
    Organisation.objects.filter(pk=gree.pk).delete()
    assert _search("格力") == set()
    # A new enterprise reusing the name is found once, as itself.
    newcomer = EnterpriseFactory(name="珠海格力电器股份有限公司", region=region("440402"))
    assert list(organisation_search(enterprise_queryset(), "格力").values_list("pk", flat=True)) == [newcomer.pk]


def test_search_results_stay_within_the_actors_scope(names):
    midea = names.search_names["midea"]  # Foshan
    outsider_scope = selectors.enterprise_list(actor=names.outsider.actor)
    assert _search("电器", outsider_scope) == set()  # enterprise B is not an 电器 firm
    assert _search("五金", outsider_scope) == {"深圳市乙五金有限公司"}
    assert _search(midea.uscc, outsider_scope) == set()
    shenzhen_scope = selectors.enterprise_list(actor=names.regulator_same_city.actor)
    assert _search("电器", shenzhen_scope) == {"深圳市甲电器有限公司"}
    province_scope = selectors.enterprise_list(actor=names.regulator_province.actor)
    assert "广东美的电器股份有限公司" in _search("电器", province_scope)


def test_search_through_the_api_and_the_page_is_scoped(names):
    midea = names.search_names["midea"]
    outsider = names.outsider.client()
    assert outsider.get("/api/v1/enterprises/", {"q": "美的"}).json()["count"] == 0
    assert outsider.get("/api/v1/enterprises/", {"q": midea.uscc}).json()["count"] == 0
    page = outsider.get(reverse("registry:enterprise-list"), {"q": "美的"})
    assert midea.name not in page.content.decode()

    province = names.regulator_province.client()
    body = province.get("/api/v1/enterprises/", {"q": "美的电器"}).json()
    assert [e["id"] for e in body["results"]] == [midea.pk]
    page = province.get(reverse("registry:enterprise-list"), {"q": "美的电器"})
    assert [o.pk for o in page.context["filter"].qs] == [midea.pk]

    shenzhen = names.regulator_same_city.client()
    assert shenzhen.get("/api/v1/enterprises/", {"q": "美的"}).json()["count"] == 0
    ids = [e["id"] for e in shenzhen.get("/api/v1/enterprises/", {"q": "电器"}).json()["results"]]
    assert ids == [names.enterprise_a.pk]


def test_the_index_filter_on_any_queryset_returns_only_matching_rows(names):
    qs = ORGANISATION_NAME_INDEX.filter(Organisation.objects.all(), "市场监督")
    assert qs.exists()
    assert all("市场监督" in o.name for o in qs)
