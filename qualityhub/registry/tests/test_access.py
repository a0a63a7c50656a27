"""The access matrix of every registry, core and accounts page and API endpoint.

Each row is (name, method, url-builder, {actor: expected status}). An actor missing
from a row expects the row's ``default``. ``LOGIN`` means "redirected to the login
page". The tests themselves are a few lines; the rows are the specification.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from qualityhub.accounts.models import ApiToken
from qualityhub.accounts.services import api_token_create
from qualityhub.core.models import ImportJob, ImportStatus
from qualityhub.registry.models import Certification, Product

LOGIN = "login"

ACTORS = [
    "owner", "colleague", "outsider", "far_enterprise", "regulator_same_city", "regulator_other_city",
    "regulator_district", "regulator_province", "provider", "bank", "platform_admin", "anonymous",
]
ENTERPRISES = {"owner", "colleague", "outsider", "far_enterprise"}
REGULATORS = {"regulator_same_city", "regulator_other_city", "regulator_district", "regulator_province"}

# Who may see (and change) enterprise A (Shenzhen, Nanshan) and its data.
SEES_A = {"owner", "colleague", "regulator_same_city", "regulator_district", "regulator_province", "platform_admin"}
# Enterprise B lies in Shenzhen, Futian: the Nanshan bureau may not see it.
SEES_B = {"outsider", "regulator_same_city", "regulator_province", "platform_admin"}


def _matrix(allowed, ok, *, denied=404, anonymous=LOGIN, overrides=None):
    """Expected status per actor: ``ok`` for ``allowed``, ``denied`` for the rest."""
    expected = {name: (ok if name in allowed else denied) for name in ACTORS}
    expected["anonymous"] = anonymous
    expected.update(overrides or {})
    return expected


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(actors):
    """The fixed actors plus the objects every row addresses."""
    actors.certification_a = Certification.objects.create(
        product=actors.product_a_private, kind="ccc", number="2024010701000001", issuer="中国质量认证中心"
    )
    actors.job_a = ImportJob.objects.create(
        spec="products", original_name="products.xlsx", organisation=actors.enterprise_a, user=actors.owner.user,
        status=ImportStatus.FAILED, errors=[{"row": 2, "column": "型号", "value": "", "message": "必填"}], error_count=1,
    )
    actors.token_a, _secret = api_token_create(actor=actors.owner.actor, name="ERP 对接")
    return actors


A = lambda w: w.enterprise_a.pk  # noqa: E731
P = lambda w: w.product_a_private.pk  # noqa: E731

PAGES = [
    # registry
    ("enterprise list", "get", lambda w: reverse("registry:enterprise-list"), _matrix(ACTORS, 200)),
    ("enterprise create form", "get", lambda w: reverse("registry:enterprise-create"), _matrix(ACTORS, 200)),
    ("enterprise A detail", "get", lambda w: reverse("registry:enterprise-detail", args=[A(w)]), _matrix(SEES_A, 200)),
    ("enterprise B detail", "get", lambda w: reverse("registry:enterprise-detail", args=[w.enterprise_b.pk]),
     _matrix(SEES_B, 200)),
    ("enterprise A edit form", "get", lambda w: reverse("registry:enterprise-update", args=[A(w)]), _matrix(SEES_A, 200)),
    ("enterprise A edit (empty post)", "post", lambda w: reverse("registry:enterprise-update", args=[A(w)]),
     _matrix(SEES_A, 400)),
    ("product list", "get", lambda w: reverse("registry:product-list"), _matrix(ACTORS, 200)),
    ("product create form", "get", lambda w: reverse("registry:product-create"), _matrix(ACTORS, 200)),
    ("product A detail", "get", lambda w: reverse("registry:product-detail", args=[P(w)]), _matrix(SEES_A, 200)),
    ("product A edit form", "get", lambda w: reverse("registry:product-update", args=[P(w)]), _matrix(SEES_A, 200)),
    ("product A edit (empty post)", "post", lambda w: reverse("registry:product-update", args=[P(w)]),
     _matrix(SEES_A, 400)),
    ("product A delete", "post", lambda w: reverse("registry:product-delete", args=[P(w)]), _matrix(SEES_A, 302)),
    ("certification create on A (empty post)", "post",
     lambda w: reverse("registry:certification-create", args=[P(w)]), _matrix(SEES_A, 400)),
    ("certification delete on A", "post",
     lambda w: reverse("registry:certification-delete", args=[w.certification_a.pk]), _matrix(SEES_A, 302)),
    # core
    ("dashboard", "get", lambda w: reverse("core:dashboard"), _matrix(ACTORS, 200)),
    ("import list", "get", lambda w: reverse("core:import-list"), _matrix(ACTORS, 200)),
    ("import new enterprises", "get", lambda w: reverse("core:import-create", args=["enterprises"]),
     _matrix(REGULATORS | {"platform_admin"}, 200)),
    ("import new products", "get", lambda w: reverse("core:import-create", args=["products"]),
     _matrix(ENTERPRISES | REGULATORS | {"platform_admin"}, 200)),
    ("import new unknown spec", "get", lambda w: reverse("core:import-create", args=["nothing"]), _matrix(set(), 200)),
    ("import template products", "get", lambda w: reverse("core:import-template", args=["products"]),
     _matrix(ENTERPRISES | REGULATORS | {"platform_admin"}, 200)),
    ("import template enterprises", "get", lambda w: reverse("core:import-template", args=["enterprises"]),
     _matrix(REGULATORS | {"platform_admin"}, 200)),
    # An import job belongs to the organisation that uploaded it, not to its regulators.
    ("import A detail", "get", lambda w: reverse("core:import-detail", args=[w.job_a.pk]),
     _matrix({"owner", "colleague", "platform_admin"}, 200)),
    ("import A errors", "get", lambda w: reverse("core:import-errors", args=[w.job_a.pk]),
     _matrix({"owner", "colleague", "platform_admin"}, 200)),
    ("import A resume", "post", lambda w: reverse("core:import-resume", args=[w.job_a.pk]),
     _matrix({"owner", "colleague", "platform_admin"}, 302)),
    # The audit trail is for regulators (and platform admins) who may see the record.
    ("audit log of product A", "get", lambda w: reverse("core:audit-log", args=["registry.product", P(w)]),
     _matrix(SEES_A - ENTERPRISES, 200)),
    ("audit log of enterprise A", "get", lambda w: reverse("core:audit-log", args=["accounts.organisation", A(w)]),
     _matrix(SEES_A - ENTERPRISES, 200)),
    # Switching to enterprise A: only its members; the view answers 404 (not a login
    # redirect) to everyone else, anonymous included, so nothing is revealed.
    ("switch organisation to A", "post", lambda w: reverse("core:organisation-switch"),
     _matrix({"owner", "colleague"}, 302, anonymous=404)),
    # accounts
    ("token list", "get", lambda w: reverse("accounts:token-list"), _matrix(ACTORS, 200)),
    # Org admins create tokens; a staff member is refused; a platform admin acts for no
    # organisation, so there is nothing to create a token for.
    ("token create", "post", lambda w: reverse("accounts:token-list"),
     _matrix(ACTORS, 200, overrides={"colleague": 403, "platform_admin": 403})),
    ("token A revoke", "post", lambda w: reverse("accounts:token-revoke", args=[w.token_a.pk]),
     _matrix({"owner", "colleague"}, 302, overrides={"platform_admin": 403})),
    ("member list", "get", lambda w: reverse("accounts:member-list"), _matrix(ACTORS, 200)),
    ("login page", "get", lambda w: reverse("accounts:login"), _matrix(set(), 200, denied=302, anonymous=200)),
    ("logout", "post", lambda w: reverse("accounts:logout"), _matrix(ACTORS, 302, anonymous=302)),
]

API = [
    ("api enterprise list", "get", lambda w: "/api/v1/enterprises/", _matrix(ACTORS, 200, anonymous=401)),
    ("api enterprise A", "get", lambda w: f"/api/v1/enterprises/{A(w)}/", _matrix(SEES_A, 200, anonymous=401)),
    ("api enterprise B", "get", lambda w: f"/api/v1/enterprises/{w.enterprise_b.pk}/", _matrix(SEES_B, 200, anonymous=401)),
    ("api enterprise A patch", "patch", lambda w: f"/api/v1/enterprises/{A(w)}/",
     _matrix(SEES_A, 200, anonymous=401)),
    # Registration records are never deleted, even by those who may change them.
    ("api enterprise A delete", "delete", lambda w: f"/api/v1/enterprises/{A(w)}/", _matrix(SEES_A, 403, anonymous=401)),
    ("api enterprise create (empty)", "post", lambda w: "/api/v1/enterprises/", _matrix(ACTORS, 400, anonymous=401)),
    ("api product list", "get", lambda w: "/api/v1/products/", _matrix(ACTORS, 200, anonymous=401)),
    ("api product A", "get", lambda w: f"/api/v1/products/{P(w)}/", _matrix(SEES_A, 200, anonymous=401)),
    ("api product A patch", "patch", lambda w: f"/api/v1/products/{P(w)}/", _matrix(SEES_A, 200, anonymous=401)),
    ("api product A put (empty)", "put", lambda w: f"/api/v1/products/{P(w)}/", _matrix(SEES_A, 400, anonymous=401)),
    ("api product A delete", "delete", lambda w: f"/api/v1/products/{P(w)}/", _matrix(SEES_A, 204, anonymous=401)),
    ("api product create (empty)", "post", lambda w: "/api/v1/products/", _matrix(ACTORS, 400, anonymous=401)),
    ("api regions", "get", lambda w: "/api/v1/regions/", _matrix(ACTORS, 200, anonymous=401)),
    ("api industries", "get", lambda w: "/api/v1/industries/", _matrix(ACTORS, 200, anonymous=401)),
    ("api me", "get", lambda w: "/api/v1/me/", _matrix(ACTORS, 200, anonymous=401)),
    ("api schema", "get", lambda w: "/api/v1/schema/", _matrix(ACTORS, 200, anonymous=200)),
    ("api docs", "get", lambda w: "/api/v1/docs/", _matrix(ACTORS, 200, anonymous=200)),
]


def _cases(rows):
    for name, method, url, expected in rows:
        for actor in ACTORS:
            yield pytest.param(method, url, actor, expected[actor], id=f"{name} | {actor}")


def _body(world, name, method, url):
    if url.endswith("/organisation/switch/"):
        return {"organisation": world.enterprise_a.pk}
    if url.endswith("/tokens/") and method == "post":
        return {"name": "对接", "role": "staff"}
    if method == "patch" and "/enterprises/" in url:
        return {"address": "深圳市南山区科技园"}
    if method == "patch" and "/products/" in url:
        return {"brand": "新品牌"}
    return {}


@pytest.mark.parametrize("method,url,actor,expected", list(_cases(PAGES)))
def test_each_page_answers_each_actor_as_the_matrix_says(world, method, url, actor, expected):
    person = getattr(world, actor)
    path = url(world)
    response = getattr(person.client(), method)(path, _body(world, actor, method, path))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("method,url,actor,expected", list(_cases(API)))
def test_each_api_endpoint_answers_each_actor_as_the_matrix_says(world, method, url, actor, expected):
    person = getattr(world, actor)
    path = url(world)
    client = person.client()
    response = getattr(client, method)(path, _body(world, actor, method, path), content_type="application/json")
    assert response.status_code == expected, response.content[:400]
    if expected >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"}


# --- Consequences, not only statuses -------------------------------------------------


def test_outsider_cannot_read_owners_data_through_pages(world):
    client = world.outsider.client()
    enterprises = client.get(reverse("registry:enterprise-list")).content.decode()
    products = client.get(reverse("registry:product-list")).content.decode()
    assert world.enterprise_b.name in enterprises
    assert world.enterprise_a.name not in enterprises
    assert world.enterprise_c.name not in enterprises
    assert "B-200" in products
    assert "A-100" not in products and "A-PRIVATE" not in products and "C-300" not in products
    assert client.get(reverse("registry:enterprise-detail", args=[world.enterprise_a.pk])).status_code == 404
    assert client.get(reverse("registry:product-detail", args=[world.product_a.pk])).status_code == 404
    members = client.get(reverse("accounts:member-list")).content.decode()
    assert world.outsider.user.email in members
    assert world.owner.user.email not in members
    tokens = client.get(reverse("accounts:token-list")).content.decode()
    assert "ERP 对接" not in tokens


def test_outsider_cannot_read_owners_data_through_the_api(world):
    client = world.outsider.client()
    enterprises = client.get("/api/v1/enterprises/").json()
    assert [e["id"] for e in enterprises["results"]] == [world.enterprise_b.pk]
    assert enterprises["count"] == 1
    products = client.get("/api/v1/products/").json()
    assert {p["model"] for p in products["results"]} == {"B-200"}
    assert client.get(f"/api/v1/enterprises/{world.enterprise_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/products/{world.product_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/products/?enterprise={world.enterprise_a.pk}").json()["count"] == 0
    assert client.get(f"/api/v1/enterprises/?q={world.enterprise_a.uscc}").json()["count"] == 0


def test_owner_sees_exactly_own_enterprise_and_products_in_lists(world):
    client = world.owner.client()
    assert [e["id"] for e in client.get("/api/v1/enterprises/").json()["results"]] == [world.enterprise_a.pk]
    assert {p["model"] for p in client.get("/api/v1/products/").json()["results"]} == {"A-100", "A-PRIVATE"}


@pytest.mark.parametrize(
    "actor,visible_names",
    [
        ("regulator_same_city", {"enterprise_a", "enterprise_b"}),
        ("regulator_other_city", {"enterprise_c"}),
        ("regulator_district", {"enterprise_a"}),
        ("regulator_province", {"enterprise_a", "enterprise_b", "enterprise_c"}),
        ("provider", set()),
        ("bank", set()),
    ],
)
def test_regulators_list_only_enterprises_in_their_jurisdiction(world, actor, visible_names):
    client = getattr(world, actor).client()
    ids = {e["id"] for e in client.get("/api/v1/enterprises/?page_size=200").json()["results"]}
    assert ids == {getattr(world, name).pk for name in visible_names}
    page = client.get(reverse("registry:enterprise-list")).content.decode()
    for name in ("enterprise_a", "enterprise_b", "enterprise_c"):
        assert (getattr(world, name).name in page) == (name in visible_names)


def test_provider_and_bank_see_only_their_own_organisation_in_me_and_members(world):
    for person, org in ((world.provider, world.lab), (world.bank, world.bank_org)):
        client = person.client()
        assert client.get("/api/v1/me/").json()["organisation"]["id"] == org.pk
        assert client.get("/api/v1/products/").json()["count"] == 0
        assert client.get(f"/api/v1/enterprises/{world.enterprise_a.pk}/").status_code == 404


def test_refused_writes_change_nothing(world):
    product = world.product_a_private
    outsider = world.outsider.client()
    outsider.post(reverse("registry:product-delete", args=[product.pk]))
    outsider.post(reverse("registry:certification-delete", args=[world.certification_a.pk]))
    outsider.patch(f"/api/v1/products/{product.pk}/", {"brand": "冒名"}, content_type="application/json")
    outsider.delete(f"/api/v1/products/{product.pk}/")
    outsider.post(reverse("accounts:token-revoke", args=[world.token_a.pk]))
    product.refresh_from_db()
    assert product.brand == "示例"
    assert Certification.objects.filter(pk=world.certification_a.pk).exists()
    assert ApiToken.objects.get(pk=world.token_a.pk).revoked_at is None


def test_a_staff_member_cannot_revoke_the_organisations_token(world):
    world.colleague.client().post(reverse("accounts:token-revoke", args=[world.token_a.pk]))
    assert ApiToken.objects.get(pk=world.token_a.pk).revoked_at is None
    world.owner.client().post(reverse("accounts:token-revoke", args=[world.token_a.pk]))
    assert ApiToken.objects.get(pk=world.token_a.pk).revoked_at is not None


def test_an_actor_who_can_see_but_not_change_a_product_is_refused_with_403(world, monkeypatch):
    """Another app may grant a provider read access (a product it was asked to test);
    reading it must not let the provider change it."""
    lab = world.lab
    monkeypatch.setattr(Product.scope, "grants", [lambda actor: _granted_to_lab(actor, lab)])
    client = world.provider.client()
    product = world.product_a_private
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 200
    response = client.patch(f"/api/v1/products/{product.pk}/", {"brand": "改"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.delete(f"/api/v1/products/{product.pk}/").status_code == 403
    product.refresh_from_db()
    assert product.brand == "示例"
    # The page refuses the edit too (as "not found", like every page outside change scope).
    assert client.get(reverse("registry:product-update", args=[product.pk])).status_code == 404
    assert Product.objects.filter(pk=product.pk).exists()


def _granted_to_lab(actor, lab):
    from django.db.models import Q

    return Q(model="A-PRIVATE") if actor.organisation is not None and actor.organisation.pk == lab.pk else None
