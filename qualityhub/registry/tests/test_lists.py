"""The enterprise and product lists (pages, htmx partials, exports and API): a fixed
number of queries however many rows a page shows, plus pagination, sorting, filters
and name search."""

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from qualityhub.core.testing.factories import EnterpriseFactory, ProductFactory, region
from qualityhub.registry.models import EnterpriseProfile, HonourTag, Industry

ENTERPRISES = reverse("registry:enterprise-list")
PRODUCTS = reverse("registry:product-list")
API_ENTERPRISES = "/api/v1/enterprises/"
API_PRODUCTS = "/api/v1/products/"
HTMX = {"HTTP_HX_REQUEST": "true"}
DISTRICTS = ["440305", "440304", "440306"]  # Nanshan, Futian, Bao'an (all Shenzhen)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # throttles and cached distributions from other tests
    yield
    cache.clear()


_serial = iter(range(1, 10_000))


def add_enterprises(count, *, district_codes=DISTRICTS, industry="38", name="深圳市批量{n}电器有限公司"):
    """Enterprises with everything a list row shows: region, city, industry, size and
    two honours (each would be a query per row if not prefetched)."""
    honours = list(HonourTag.objects.order_by("sort")[:2])
    created = []
    for _ in range(count):
        n = next(_serial)
        organisation = EnterpriseFactory(name=name.format(n=n), region=region(district_codes[n % len(district_codes)]))
        profile = EnterpriseProfile.objects.get(organisation=organisation)
        profile.industry = Industry.objects.get(code=industry)
        profile.save()
        profile.honours.set(honours)
        created.append(organisation)
    return created


def add_products(enterprise, count):
    return [ProductFactory(enterprise=enterprise, model=f"LIST-{next(_serial)}", export_markets=["US", "DE"])
            for _ in range(count)]


def _count_queries(client, url, params=None, **extra):
    client.get(url, params or {}, **extra)  # warm caches (content types, sessions) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {}, **extra)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _rows(response):
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        return len(list(sheet.iter_rows(values_only=True))) - 1  # minus the header row
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return len(_records(response))


def _records(response):
    return [row.record for row in response.context["table"].page.object_list]


def _same_queries_with_more_rows(client, url, params, extra, grow, assert_num_queries, *, rows_before, rows_after):
    queries = _count_queries(client, url, params, **extra)
    first = client.get(url, params, **extra)
    assert _rows(first) == rows_before
    grow()
    with assert_num_queries(queries):
        response = client.get(url, params, **extra)
    assert response.status_code == 200
    assert _rows(response) == rows_after
    return response


# (params, extra headers) for every way of asking for the list.
LIST_VARIANTS = [
    pytest.param({}, {}, id="plain"),
    pytest.param({"ordering": "name"}, {}, id="sorted-by-name"),
    pytest.param({"ordering": "-city"}, {}, id="sorted-by-city"),
    pytest.param({"industry": "38", "size": "small"}, {}, id="filtered"),
    pytest.param({"q": "批量"}, {}, id="name-search"),
    pytest.param({}, HTMX, id="htmx-partial"),
    pytest.param({"export": "xlsx"}, {}, id="export"),
]


@pytest.mark.parametrize("params, extra", LIST_VARIANTS)
def test_the_enterprise_list_runs_a_fixed_number_of_queries(actors, django_assert_num_queries, params, extra):
    client = actors.regulator_same_city.client()
    # The fixed actors already hold two Shenzhen enterprises (A and B); the rows
    # added here match every variant's filters.
    add_enterprises(5)
    base = 2 if not params.get("industry") and not params.get("q") else 0
    export = params.get("export") == "xlsx"
    _same_queries_with_more_rows(
        client, ENTERPRISES, params, extra, lambda: add_enterprises(25), django_assert_num_queries,
        rows_before=5 + base, rows_after=(30 + base) if export else 25,
    )


def test_the_second_page_of_enterprises_runs_the_same_queries(actors, django_assert_num_queries):
    client = actors.regulator_same_city.client()
    add_enterprises(28)  # 30 with A and B: page 2 holds 5
    _same_queries_with_more_rows(
        client, ENTERPRISES, {"page": 2}, {}, lambda: add_enterprises(30), django_assert_num_queries,
        rows_before=5, rows_after=25,
    )


@pytest.mark.parametrize("params, extra", [p for p in LIST_VARIANTS if p.id not in ("filtered", "name-search",
                                                                                     "sorted-by-city")]
                         + [pytest.param({"q": "LIST", "city": "440300"}, {}, id="search-and-city")])
def test_the_product_list_runs_a_fixed_number_of_queries(actors, django_assert_num_queries, params, extra):
    client = actors.owner.client()
    add_products(actors.enterprise_a, 5)
    own = 0 if params.get("q") else 2  # A-100 and A-PRIVATE
    export = params.get("export") == "xlsx"
    _same_queries_with_more_rows(
        client, PRODUCTS, params, extra, lambda: add_products(actors.enterprise_a, 25), django_assert_num_queries,
        rows_before=5 + own, rows_after=(30 + own) if export else 25,
    )


@pytest.mark.parametrize("url, params", [
    pytest.param(API_ENTERPRISES, {}, id="enterprises"),
    pytest.param(API_ENTERPRISES, {"q": "批量", "city": "440300", "ordering": "name"}, id="enterprises-filtered"),
])
def test_the_enterprise_api_list_runs_a_fixed_number_of_queries(actors, django_assert_num_queries, url, params):
    client = actors.regulator_same_city.client()
    add_enterprises(5)
    base = 0 if params.get("q") else 2
    _same_queries_with_more_rows(
        client, url, params, {}, lambda: add_enterprises(25), django_assert_num_queries,
        rows_before=5 + base, rows_after=25,
    )


@pytest.mark.parametrize("params", [pytest.param({}, id="products"),
                                    pytest.param({"hs_code": "8516", "ordering": "-model"}, id="products-filtered")])
def test_the_product_api_list_runs_a_fixed_number_of_queries(actors, django_assert_num_queries, params):
    client = actors.owner.client()
    add_products(actors.enterprise_a, 5)
    _same_queries_with_more_rows(
        client, API_PRODUCTS, params, {}, lambda: add_products(actors.enterprise_a, 25), django_assert_num_queries,
        rows_before=7, rows_after=25,
    )


def test_list_pages_stay_under_a_small_query_budget(actors, django_assert_max_num_queries):
    add_enterprises(30)
    client = actors.regulator_same_city.client()
    client.get(ENTERPRISES)
    with django_assert_max_num_queries(15):
        assert client.get(ENTERPRISES).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(API_ENTERPRISES).status_code == 200


# --- what the lists show ---------------------------------------------------------------------------


def _names(response):
    return [record.name for record in _records(response)]


def test_enterprise_pages_hold_25_rows_and_page_two_the_rest(actors):
    add_enterprises(28)
    client = actors.regulator_same_city.client()
    first = client.get(ENTERPRISES)
    second = client.get(ENTERPRISES, {"page": 2})
    first_names, second_names = _names(first), _names(second)
    assert len(first_names) == 25
    assert len(second_names) == 5
    assert not set(first_names) & set(second_names)
    # Newest first by default: enterprise A (the oldest) is last.
    assert second_names[-1] == actors.enterprise_a.name


@pytest.mark.parametrize("page", ["9", "abc", "-1"])
def test_a_page_beyond_the_end_or_malformed_shows_a_page_instead_of_an_error(actors, page):
    add_enterprises(28)
    response = actors.regulator_same_city.client().get(ENTERPRISES, {"page": page})
    assert response.status_code == 200
    assert 1 <= len(_names(response)) <= 25


def test_the_enterprise_list_sorts_by_a_column(actors):
    add_enterprises(3, name="深圳市{n}号电器有限公司")
    client = actors.regulator_same_city.client()
    ascending = _names(client.get(ENTERPRISES, {"ordering": "name"}))
    descending = _names(client.get(ENTERPRISES, {"ordering": "-name"}))
    assert ascending == sorted(ascending)
    assert descending == list(reversed(ascending))
    by_code = [e.uscc for e in _records(client.get(ENTERPRISES, {"ordering": "uscc"}))]
    assert by_code == sorted(by_code)


def test_the_enterprise_list_sorts_by_a_table_header(actors):
    # The table's own sort links use ?sort=; they must sort too.
    client = actors.regulator_same_city.client()
    ascending = _names(client.get(ENTERPRISES, {"sort": "name"}))
    assert ascending == sorted(ascending)


def test_the_enterprise_list_filters_by_city(actors):
    guangzhou = add_enterprises(2, district_codes=["440106"], name="广州市筛选{n}有限公司")
    client = actors.regulator_province.client()
    names = set(_names(client.get(ENTERPRISES, {"city": "440100"})))
    assert names == {e.name for e in guangzhou} | {actors.enterprise_c.name}
    shenzhen = set(_names(client.get(ENTERPRISES, {"city": "440300"})))
    assert actors.enterprise_a.name in shenzhen and not shenzhen & names


def test_the_enterprise_list_filters_by_industry_division_and_section(actors):
    electrical = add_enterprises(2, industry="38", name="深圳市电气{n}有限公司")
    garments = add_enterprises(2, industry="18", name="深圳市服装{n}有限公司")
    farm = add_enterprises(1, industry="01", name="深圳市农业{n}有限公司")
    client = actors.regulator_same_city.client()
    assert set(_names(client.get(ENTERPRISES, {"industry": "38"}))) == {e.name for e in electrical}
    # A section letter takes every division under it.
    assert set(_names(client.get(ENTERPRISES, {"industry": "C"}))) == {e.name for e in electrical + garments}
    assert set(_names(client.get(ENTERPRISES, {"industry": "A"}))) == {e.name for e in farm}


def test_an_unknown_filter_value_lists_nothing_instead_of_crashing(actors):
    response = actors.regulator_same_city.client().get(ENTERPRISES, {"industry": "ZZ", "city": "999999"})
    assert response.status_code == 200
    assert _names(response) == []
    assert "industry" in response.context["filter"].form.errors
    # The page says which filter is wrong instead of silently showing an empty list.
    warning = response.content.decode().split('id="filter-errors"')[1].split("</div>")[0]
    assert "筛选条件有误" in warning and "行业" in warning and "地市" in warning


@pytest.mark.parametrize("fragment, expected", [("甲电器", {"深圳市甲电器有限公司"}), ("乙五金", {"深圳市乙五金有限公司"}),
                                                ("电器", {"深圳市甲电器有限公司"}), ("丙", set())])
def test_the_enterprise_list_searches_by_name_fragment_within_scope(actors, fragment, expected):
    # Enterprise C (丙, Guangzhou) exists but lies outside the Shenzhen bureau's scope.
    names = set(_names(actors.regulator_same_city.client().get(ENTERPRISES, {"q": fragment})))
    assert names == expected


def test_the_enterprise_list_searches_by_credit_code_prefix(actors):
    code = actors.enterprise_b.uscc
    names = _names(actors.regulator_same_city.client().get(ENTERPRISES, {"q": code[:10]}))
    assert actors.enterprise_b.name in names
    assert _names(actors.regulator_same_city.client().get(ENTERPRISES, {"q": code})) == [actors.enterprise_b.name]


def test_the_product_list_filters_by_city_and_searches_by_model(actors):
    client = actors.regulator_province.client()
    models = {p.model for p in _records(client.get(PRODUCTS, {"city": "440100"}))}
    assert models == {"C-300"}
    found = {p.model for p in _records(client.get(PRODUCTS, {"q": "a-1"}))}
    assert found == {"A-100"}


def test_the_htmx_request_gets_only_the_results_partial(actors):
    client = actors.regulator_same_city.client()
    full = client.get(ENTERPRISES).content.decode()
    partial = client.get(ENTERPRISES, **HTMX).content.decode()
    assert "<html" in full and 'id="list-results"' in full
    assert "<html" not in partial and 'id="list-results"' not in partial
    assert actors.enterprise_a.name in partial


def test_the_export_holds_the_filtered_rows_with_the_table_columns(actors):
    add_enterprises(3, name="深圳市导出{n}有限公司")
    response = actors.regulator_same_city.client().get(ENTERPRISES, {"q": "导出", "export": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称", "统一社会信用代码", "地市")
    assert len(rows) == 4
    assert all(row[0].startswith("深圳市导出") for row in rows[1:])
    assert all(row[6] == "专精特新中小企业、专精特新“小巨人”企业" for row in rows[1:])


def test_the_api_list_paginates_filters_and_sorts(actors):
    add_enterprises(28)
    client = actors.regulator_same_city.client()
    first = client.get(API_ENTERPRISES).json()
    assert first["count"] == 30
    assert len(first["results"]) == 25
    second = client.get(API_ENTERPRISES, {"page": 2}).json()
    assert len(second["results"]) == 5
    names = [r["name"] for r in client.get(API_ENTERPRISES, {"ordering": "name", "page_size": 100}).json()["results"]]
    assert names == sorted(names) and len(names) == 30
    found = client.get(API_ENTERPRISES, {"q": "甲电器"}).json()
    assert [r["uscc"] for r in found["results"]] == [actors.enterprise_a.uscc]
    by_industry = client.get(API_ENTERPRISES, {"industry": "C", "page_size": 100}).json()
    assert by_industry["count"] == 28
