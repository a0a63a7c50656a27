"""API conventions: one error shape, pagination, the pages' FilterSets, the OpenAPI
schema and self-hosted docs, organisation tokens and rate limiting."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.throttling import SimpleRateThrottle

from qualityhub.accounts.models import ApiToken
from qualityhub.accounts.services import api_token_create, api_token_revoke
from qualityhub.core.models import AuditAction, AuditEntry
from qualityhub.core.testing.factories import ProductFactory
from qualityhub.registry import views as registry_views
from qualityhub.registry.api import EnterpriseViewSet, ProductViewSet
from qualityhub.registry.models import EnterpriseProfile, HonourTag, Industry, Product

ERROR_KEYS = {"code", "message", "fields"}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _error(response, status, code):
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    for messages in error["fields"].values():
        assert isinstance(messages, list) and all(isinstance(m, str) and m for m in messages)
    return error


def _token_client(secret):
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


# --- One error shape -----------------------------------------------------------------


def test_400_names_each_invalid_field_in_chinese(actors):
    count = Product.objects.count()
    response = actors.owner.client().post("/api/v1/products/", {"hs_code": "12"}, content_type="application/json")
    error = _error(response, 400, "invalid")
    assert error["message"] == "提交的数据有误，请检查各字段。"
    assert set(error["fields"]) == {"name", "model"}
    assert error["fields"]["name"] == ["该字段是必填项。"]
    response = actors.owner.client().post(
        "/api/v1/products/", {"name": "水壶", "model": "K-1", "hs_code": "12"}, content_type="application/json"
    )
    error = _error(response, 400, "invalid")
    assert set(error["fields"]) == {"hs_code"}
    assert "HS" in error["fields"]["hs_code"][0] and re.search(r"[\u4e00-\u9fff]", error["fields"]["hs_code"][0])
    assert Product.objects.count() == count


def test_400_for_a_bad_filter_value_has_the_same_shape(actors):
    response = actors.regulator_province.client().get("/api/v1/enterprises/", {"city": "999999"})
    error = _error(response, 400, "invalid")
    assert set(error["fields"]) == {"city"}


def test_400_for_malformed_json_has_the_same_shape(actors):
    response = actors.owner.client().post("/api/v1/products/", "{not json", content_type="application/json")
    error = _error(response, 400, "invalid")
    assert error["fields"] == {}


def test_401_without_credentials(actors):
    response = actors.anonymous.client().get("/api/v1/products/")
    error = _error(response, 401, "not_authenticated")
    assert error["fields"] == {}
    assert response["WWW-Authenticate"] == "Token"


def test_403_when_the_action_is_not_allowed(actors):
    response = actors.owner.client().delete(f"/api/v1/enterprises/{actors.enterprise_a.pk}/")
    error = _error(response, 403, "permission_denied")
    assert error["message"] == "企业登记记录不能删除，请将状态改为注销。"


def test_an_enterprise_trying_to_register_an_enterprise_is_told_why(actors):
    from qualityhub.core.testing.factories import unique_uscc

    count = ApiToken.objects.count(), Product.objects.count()
    orgs = actors.enterprise_a.__class__.objects.count()
    response = actors.owner.client().post(
        "/api/v1/enterprises/", {"uscc": unique_uscc("440305"), "name": "深圳市冒登企业有限公司", "region": "440305"},
        content_type="application/json",
    )
    error = _error(response, 400, "invalid")
    # The form's own (non-field) error under DRF's key, next to the field errors.
    assert error["fields"]["non_field_errors"] == ["只有市场监管部门可以登记新企业。"]
    assert "__all__" not in error["fields"]
    assert actors.enterprise_a.__class__.objects.count() == orgs
    assert (ApiToken.objects.count(), Product.objects.count()) == count


def test_404_for_objects_out_of_scope_and_unknown_pages(actors):
    client = actors.outsider.client()
    error = _error(client.get(f"/api/v1/products/{actors.product_a.pk}/"), 404, "not_found")
    assert error["message"] == "未找到。"
    _error(client.get("/api/v1/products/999999/"), 404, "not_found")
    _error(client.get("/api/v1/products/", {"page": 99}), 404, "not_found")


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_endpoint_answers_404_in_the_same_shape(db, method):
    error = _error(getattr(Client(), method)("/api/v1/no-such-thing/42/"), 404, "not_found")
    assert error["message"] == "接口不存在。"


def test_405_for_a_method_the_endpoint_does_not_take(actors):
    client = actors.owner.client()
    _error(client.post("/api/v1/regions/", {}, content_type="application/json"), 405, "method_not_allowed")
    _error(client.delete("/api/v1/me/"), 405, "method_not_allowed")


def test_415_for_an_unsupported_body_type(actors):
    response = actors.owner.client().post("/api/v1/products/", "name=x", content_type="text/plain")
    _error(response, 415, "unsupported_media_type")


def test_errors_follow_the_requested_language(actors):
    client = actors.anonymous.client()
    chinese = client.get("/api/v1/products/").json()["error"]["message"]
    english = client.get("/api/v1/products/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    assert english == "Authentication credentials were not provided."


# --- Pagination ----------------------------------------------------------------------


def test_lists_are_paginated_with_count_next_previous_and_results(actors):
    Product.objects.bulk_create(
        [Product(enterprise=actors.enterprise_a, name="批量产品", model=f"BULK-{n:03d}") for n in range(30)]
    )
    client = actors.owner.client()
    body = client.get("/api/v1/products/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 32
    assert len(body["results"]) == 25  # PAGE_SIZE
    assert body["previous"] is None and "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 7 and second["next"] is None
    ids = [p["id"] for p in body["results"] + second["results"]]
    assert len(set(ids)) == 32
    small = client.get("/api/v1/products/", {"page_size": 5}).json()
    assert len(small["results"]) == 5 and "page_size=5" in small["next"]


def test_page_size_is_capped_at_200(actors):
    Product.objects.bulk_create(
        [Product(enterprise=actors.enterprise_a, name="批量产品", model=f"BULK-{n:03d}") for n in range(205)]
    )
    body = actors.owner.client().get("/api/v1/products/", {"page_size": 10000}).json()
    assert body["count"] == 207
    assert len(body["results"]) == 200
    assert body["next"] is not None


def test_a_nonsense_page_size_falls_back_to_the_default(actors):
    Product.objects.bulk_create(
        [Product(enterprise=actors.enterprise_a, name="批量产品", model=f"BULK-{n:03d}") for n in range(30)]
    )
    for value in ("0", "-3", "abc"):
        assert len(actors.owner.client().get("/api/v1/products/", {"page_size": value}).json()["results"]) == 25


# --- Filtering with the pages' FilterSets --------------------------------------------


def test_the_api_and_the_pages_share_one_filterset():
    assert EnterpriseViewSet.filterset_class is registry_views.EnterpriseListView.filterset_class
    assert ProductViewSet.filterset_class is registry_views.ProductListView.filterset_class


@pytest.fixture
def varied(actors):
    profile_b = EnterpriseProfile.objects.get(pk=actors.enterprise_b.pk)
    profile_b.size = "large"
    profile_b.industry = Industry.objects.get(code="38")
    profile_b.save()
    profile_b.honours.set([HonourTag.objects.get(code="high-tech")])
    ProductFactory(enterprise=actors.enterprise_b, model="LAMP-1", hs_code="9405100000", standards=["GB 7000.1-2015"])
    return actors


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"city": "440300"}, {"enterprise_a", "enterprise_b"}),
        ({"city": "440100"}, {"enterprise_c"}),
        ({"region": "440304"}, {"enterprise_b"}),
        ({"size": "large"}, {"enterprise_b"}),
        ({"honour": "high-tech"}, {"enterprise_b"}),
        ({"industry": "38"}, {"enterprise_b"}),
        ({"industry": "C"}, {"enterprise_b"}),  # a section: every division under it
        ({"q": "甲电器"}, {"enterprise_a"}),
        ({"city": "440300", "size": "small"}, {"enterprise_a"}),
    ],
)
def test_enterprise_filters_give_the_same_rows_on_the_api_and_the_page(varied, params, expected):
    client = varied.regulator_province.client()
    api = {e["id"] for e in client.get("/api/v1/enterprises/", {**params, "page_size": 200}).json()["results"]}
    page = {o.pk for o in client.get(reverse("registry:enterprise-list"), params).context["filter"].qs}
    assert api == page == {getattr(varied, name).pk for name in expected}


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"hs_code": "9405"}, {"LAMP-1"}),
        ({"standard": "GB 7000.1-2015"}, {"LAMP-1"}),
        ({"city": "440100"}, {"C-300"}),
        ({"q": "B-2"}, {"B-200"}),
        ({"enterprise": "ENTERPRISE_B"}, {"B-200", "LAMP-1"}),
    ],
)
def test_product_filters_give_the_same_rows_on_the_api_and_the_page(varied, params, expected):
    if params.get("enterprise") == "ENTERPRISE_B":
        params = {"enterprise": varied.enterprise_b.pk}
    client = varied.regulator_province.client()
    api = {p["model"] for p in client.get("/api/v1/products/", {**params, "page_size": 200}).json()["results"]}
    page = {p.model for p in client.get(reverse("registry:product-list"), params).context["filter"].qs}
    assert api == page == expected


def test_ordering_by_a_listed_field(actors):
    client = actors.regulator_province.client()
    ids = [e["id"] for e in client.get("/api/v1/enterprises/", {"ordering": "id"}).json()["results"]]
    assert ids == sorted(ids) and len(ids) == 3
    ids = [e["id"] for e in client.get("/api/v1/enterprises/", {"ordering": "-id"}).json()["results"]]
    assert ids == sorted(ids, reverse=True)


# --- Schema and docs -----------------------------------------------------------------


def test_the_schema_is_valid_openapi_3_listing_enterprises_and_products(actors):
    response = actors.anonymous.client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    paths = schema["paths"]
    for path in ("/api/v1/enterprises/", "/api/v1/enterprises/{id}/", "/api/v1/products/", "/api/v1/products/{id}/"):
        assert path in paths, sorted(paths)
    assert {"get", "post"} <= set(paths["/api/v1/products/"])
    assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/products/{id}/"])
    list_params = {p["name"] for p in paths["/api/v1/enterprises/"]["get"]["parameters"]}
    assert {"q", "city", "industry", "size", "honour", "page", "page_size"} <= list_params
    assert "OrganisationToken" in schema["components"]["securitySchemes"]


def test_the_schema_in_yaml_by_default(actors):
    response = actors.anonymous.client().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def _external_urls(text):
    return [u for u in re.findall(r"""https?://[^\s"'<>)]+""", text) if not u.startswith("http://testserver")]


def test_the_docs_load_nothing_from_another_host(actors):
    client = actors.anonymous.client()
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert refs, html
    assert _external_urls(html) == []
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), ref
    # No inline script: the page passes a Content-Security-Policy without 'unsafe-inline'.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    script_ref = next(r for r in refs if r.startswith("/api/v1/docs/"))
    script = client.get(script_ref)
    assert script.status_code == 200
    assert _external_urls(script.content.decode()) == []
    assert "/api/v1/schema/" in script.content.decode()
    for ref in refs:
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


# --- Organisation API tokens ---------------------------------------------------------


def test_a_token_secret_is_shown_once_and_only_its_hash_is_stored(actors):
    client = actors.owner.client()
    response = client.post(reverse("accounts:token-list"), {"name": "ERP 对接", "role": "staff"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("qh_") and len(secret) > 40
    assert secret in response.content.decode()

    token = ApiToken.objects.get(organisation=actors.enterprise_a, name="ERP 对接")
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    random_part = secret.rsplit("_", 1)[1]
    for value in ApiToken.objects.filter(pk=token.pk).values().get().values():
        assert random_part not in str(value)
    assert not AuditEntry.objects.filter(changes__icontains=random_part).exists()

    again = client.get(reverse("accounts:token-list")).content.decode()
    assert token.name in again
    assert random_part not in again


def test_a_token_acts_for_its_organisation(actors):
    token, secret = api_token_create(actor=actors.owner.actor, name="ERP")
    response = _token_client(secret).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "user": None,
        "organisation": {"id": actors.enterprise_a.pk, "name": actors.enterprise_a.name,
                         "uscc": actors.enterprise_a.uscc, "kind": "enterprise"},
        "role": "staff",
        "via": "api",
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_enterprise_token_sees_only_its_own_organisations_data(actors):
    _token, secret = api_token_create(actor=actors.owner.actor, name="ERP")
    client = _token_client(secret)
    assert {p["model"] for p in client.get("/api/v1/products/").json()["results"]} == {"A-100", "A-PRIVATE"}
    assert [e["id"] for e in client.get("/api/v1/enterprises/").json()["results"]] == [actors.enterprise_a.pk]
    _error(client.get(f"/api/v1/products/{actors.product_b.pk}/"), 404, "not_found")
    _error(client.get(f"/api/v1/enterprises/{actors.enterprise_b.pk}/"), 404, "not_found")
    _error(
        client.patch(f"/api/v1/products/{actors.product_b.pk}/", {"brand": "冒名"}, content_type="application/json"),
        404, "not_found",
    )
    assert Product.objects.get(pk=actors.product_b.pk).brand == "示例"


def test_an_enterprise_token_cannot_move_data_out_of_its_organisation(actors):
    from qualityhub.core.testing.factories import unique_uscc

    _token, secret = api_token_create(actor=actors.owner.actor, name="ERP")
    client = _token_client(secret)
    enterprise = actors.enterprise_a
    response = client.patch(
        f"/api/v1/enterprises/{enterprise.pk}/",
        {"uscc": unique_uscc("440106"), "region": "440106", "status": "revoked"}, content_type="application/json",
    )
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert (enterprise.region_id, enterprise.status) == ("440305", "active")
    assert enterprise.uscc == actors.enterprise_a.uscc
    response = client.put(
        f"/api/v1/products/{actors.product_a.pk}/",
        {"name": "电热水壶", "model": "A-100", "enterprise_uscc": actors.enterprise_b.uscc}, content_type="application/json",
    )
    assert response.status_code == 200
    assert Product.objects.get(pk=actors.product_a.pk).enterprise == enterprise
    response = client.post(
        "/api/v1/products/", {"name": "代登", "model": "X-1", "enterprise_uscc": actors.enterprise_b.uscc},
        content_type="application/json",
    )
    error = _error(response, 400, "invalid")
    assert error["fields"]["enterprise_uscc"] == [f"只能登记本企业的产品（本企业代码为 {enterprise.uscc}）。"]
    assert not Product.objects.filter(model="X-1").exists()


def test_a_regulator_token_sees_its_jurisdiction(actors):
    _token, secret = api_token_create(actor=actors.regulator_other_city.actor, name="监管")
    client = _token_client(secret)
    assert [e["id"] for e in client.get("/api/v1/enterprises/").json()["results"]] == [actors.enterprise_c.pk]
    assert client.get(f"/api/v1/products/{actors.product_c.pk}/").status_code == 200
    _error(client.get(f"/api/v1/enterprises/{actors.enterprise_a.pk}/"), 404, "not_found")


def test_writes_through_a_token_are_audited_with_the_organisation(actors):
    _token, secret = api_token_create(actor=actors.owner.actor, name="ERP")
    client = _token_client(secret)
    response = client.patch(f"/api/v1/products/{actors.product_a.pk}/", {"brand": "令牌品牌"}, content_type="application/json")
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(object_id=str(actors.product_a.pk), action=AuditAction.UPDATE).latest("id")
    assert entry.changes == {"brand": ["示例", "令牌品牌"]}
    assert entry.organisation == actors.enterprise_a
    assert entry.user is None
    assert entry.via == "api"

    response = client.post(
        "/api/v1/products/", {"name": "令牌新品", "model": "TK-1"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = AuditEntry.objects.get(object_id=str(response.json()["id"]), action=AuditAction.CREATE,
                                     content_type__model="product")
    assert (created.organisation, created.via) == (actors.enterprise_a, "api")
    assert Product.objects.get(pk=response.json()["id"]).enterprise == actors.enterprise_a


def test_a_revoked_token_is_refused_with_401(actors):
    token, secret = api_token_create(actor=actors.owner.actor, name="ERP")
    client = _token_client(secret)
    assert client.get("/api/v1/products/").status_code == 200
    api_token_revoke(actor=actors.owner.actor, token=token)
    error = _error(client.get("/api/v1/products/"), 401, "not_authenticated")
    assert error["message"] == "令牌无效、已过期或已吊销。"
    count = Product.objects.count()
    _error(client.post("/api/v1/products/", {"name": "x", "model": "y"}, content_type="application/json"),
           401, "not_authenticated")
    assert Product.objects.count() == count


def test_an_expired_token_is_refused_with_401(actors):
    _token, secret = api_token_create(actor=actors.owner.actor, name="ERP", expires_at=timezone.now() - timedelta(seconds=1))
    error = _error(_token_client(secret).get("/api/v1/products/"), 401, "not_authenticated")
    assert error["message"] == "令牌无效、已过期或已吊销。"


@pytest.mark.parametrize(
    "header,message",
    [
        ("Token qh_deadbeef_notarealsecret", "令牌无效、已过期或已吊销。"),
        ("Token", "令牌格式错误。"),
        ("Token a b", "令牌格式错误。"),
    ],
)
def test_a_wrong_or_malformed_token_is_refused_with_401(actors, header, message):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/products/")
    error = _error(response, 401, "not_authenticated")
    assert error["message"] == message


def test_only_an_organisations_admin_can_revoke_its_token(actors):
    from django.core.exceptions import PermissionDenied

    token, _secret = api_token_create(actor=actors.owner.actor, name="ERP")
    for person in (actors.colleague, actors.outsider):
        with pytest.raises(PermissionDenied):
            api_token_revoke(actor=person.actor, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_staff_member_cannot_mint_an_admin_token(actors):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_create(actor=actors.colleague.actor, name="x", role="admin")
    assert not ApiToken.objects.filter(organisation=actors.enterprise_a).exists()


# --- Rate limiting -------------------------------------------------------------------


@pytest.fixture
def small_rates(settings, monkeypatch):
    """Tiny limits. DRF's throttles copy the rates onto the class when first imported,
    so overriding the setting alone would not reach them; patch both."""
    rates = {"anon": "2/min", "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def test_too_many_requests_answer_429_with_the_error_shape(actors, small_rates):
    _token, secret = api_token_create(actor=actors.owner.actor, name="ERP")
    client = _token_client(secret)
    for _ in range(3):
        assert client.get("/api/v1/products/").status_code == 200
    response = client.get("/api/v1/products/")
    error = _error(response, 429, "throttled")
    assert error["fields"] == {}
    assert int(response["Retry-After"]) > 0
    # Limits count per token: another organisation's token is unaffected.
    _other, other_secret = api_token_create(actor=actors.outsider.actor, name="ERP")
    assert _token_client(other_secret).get("/api/v1/products/").status_code == 200


def test_signed_in_users_are_limited_per_user(actors, small_rates):
    owner, colleague = actors.owner.client(), actors.colleague.client()
    for _ in range(3):
        assert owner.get("/api/v1/me/").status_code == 200
    _error(owner.get("/api/v1/me/"), 429, "throttled")
    assert colleague.get("/api/v1/me/").status_code == 200


def test_a_throttled_write_changes_nothing(actors, small_rates):
    client = actors.owner.client()
    for _ in range(3):
        client.get("/api/v1/me/")
    count = Product.objects.count()
    response = client.post("/api/v1/products/", {"name": "限流", "model": "RL-1"}, content_type="application/json")
    _error(response, 429, "throttled")
    assert Product.objects.count() == count
