"""`manage.py seed_demo`: a reproducible demo dataset with valid credit codes, the
province and 21 city regulators, providers and one login per demo role."""

import io

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from qualityhub.accounts.choices import MembershipRole, OrganisationKind, RegionLevel
from qualityhub.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts
from qualityhub.accounts.models import Membership, Organisation, User
from qualityhub.core.testing.factories import EnterpriseFactory
from qualityhub.core.validators import validate_uscc
from qualityhub.registry.models import Certification, EnterpriseProfile, Product, ProductStandard, Region

ENTERPRISES = 60
PRODUCTS = 200

pytestmark = pytest.mark.django_db


def _seed(*extra):
    out = io.StringIO()
    call_command("seed_demo", "--enterprises", str(ENTERPRISES), "--products", str(PRODUCTS), *extra, stdout=out)
    return out.getvalue()


def _snapshot():
    """The dataset without database ids, which may differ between runs."""
    return {
        "organisations": list(Organisation.objects.order_by("id").values_list("name", "uscc", "kind", "region_id")),
        "profiles": list(EnterpriseProfile.objects.order_by("organisation_id").values_list(
            "organisation__uscc", "industry_id", "size", "legal_representative", "established_on", "address")),
        "products": list(Product.objects.order_by("id").values_list(
            "enterprise__uscc", "name", "brand", "model", "hs_code", "export_markets", "is_public")),
        "standards": Product.objects.values("standards__code").count(),
        "certifications": list(Certification.objects.order_by("id").values_list("kind", "number", "valid_from")),
        "users": list(User.objects.order_by("email").values_list("email", "mobile", "is_superuser")),
    }


@pytest.fixture
def seeded():
    return _seed()


def test_the_same_arguments_build_the_same_dataset():
    with transaction.atomic():
        _seed()
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Organisation.objects.exists()
    _seed()
    second = _snapshot()
    assert first["organisations"][:30] == second["organisations"][:30]
    assert first == second


def test_it_builds_the_requested_numbers(seeded):
    assert Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).count() == ENTERPRISES
    assert EnterpriseProfile.objects.count() == ENTERPRISES
    assert Product.objects.count() == PRODUCTS
    assert ProductStandard.objects.count() >= PRODUCTS
    assert "Demo data loaded" in seeded


def test_every_generated_credit_code_is_valid_and_unique(seeded):
    codes = list(Organisation.objects.values_list("uscc", flat=True))
    assert len(codes) == len(set(codes))
    for code in codes:
        assert validate_uscc(code) == code
    # Each code carries the division code of the organisation's region.
    for uscc, region_code in Organisation.objects.values_list("uscc", "region_id"):
        assert uscc[2:8] == region_code


def test_regulators_exist_for_the_province_and_all_21_cities(seeded):
    regulators = Organisation.objects.filter(kind=OrganisationKind.REGULATOR).select_related("jurisdiction")
    jurisdictions = {r.jurisdiction_id: r for r in regulators}
    cities = set(Region.objects.filter(level=RegionLevel.CITY).values_list("code", flat=True))
    assert len(cities) == 21
    assert set(jurisdictions) == cities | {"440000"}
    assert jurisdictions["440000"].name == "广东省市场监督管理局"
    assert jurisdictions["440300"].name == "深圳市市场监督管理局"
    for code, regulator in jurisdictions.items():
        assert regulator.region_id == code


def test_enterprises_have_realistic_names_spread_over_the_cities(seeded):
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    assert enterprises.values("city").distinct().count() >= 10
    for name, city_name in enterprises.values_list("name", "city__name"):
        assert name.endswith("公司")
        assert name.startswith(city_name) or name.startswith("广东" + city_name[:-1])
    assert not enterprises.filter(search_text="").exists()


def test_providers_and_a_bank_exist(seeded):
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {OrganisationKind.LAB, OrganisationKind.CERTIFIER, OrganisationKind.PRODUCT_HOSPITAL,
            OrganisationKind.BANK, OrganisationKind.METROLOGY, OrganisationKind.STANDARDS,
            OrganisationKind.ASSOCIATION} <= kinds


@pytest.mark.parametrize("index", range(len(DEMO_ACCOUNTS)))
def test_every_demo_account_can_log_in_with_the_demo_password(seeded, index):
    email, mobile, name, _role = DEMO_ACCOUNTS[index]
    user = User.objects.get(email=email)
    assert user.password.startswith("argon2")
    for username in (mobile, email.upper()):
        client = Client()
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{username} could not log in"
        assert client.session[SESSION_KEY] == str(user.pk)
        assert client.get(reverse("core:dashboard")).status_code == 200


def test_demo_accounts_act_for_the_right_organisations(seeded):
    def membership(email):
        return Membership.objects.select_related("organisation").get(user__email=email)

    assert User.objects.get(email="admin@demo.qualityhub.cn").is_superuser
    assert not Membership.objects.filter(user__email="admin@demo.qualityhub.cn").exists()
    assert membership("province@demo.qualityhub.cn").organisation.jurisdiction_id == "440000"
    assert membership("shenzhen@demo.qualityhub.cn").organisation.jurisdiction_id == "440300"
    assert membership("shenzhen2@demo.qualityhub.cn").role == MembershipRole.STAFF
    assert membership("guangzhou@demo.qualityhub.cn").organisation.jurisdiction_id == "440100"
    enterprise = membership("enterprise@demo.qualityhub.cn")
    assert enterprise.organisation.kind == OrganisationKind.ENTERPRISE and enterprise.role == MembershipRole.ADMIN
    assert membership("staff@demo.qualityhub.cn").organisation == enterprise.organisation
    assert membership("staff@demo.qualityhub.cn").role == MembershipRole.STAFF
    assert enterprise.organisation.products.count() >= 12
    assert membership("lab@demo.qualityhub.cn").organisation.kind == OrganisationKind.LAB
    assert membership("certifier@demo.qualityhub.cn").organisation.kind == OrganisationKind.CERTIFIER
    assert membership("hospital@demo.qualityhub.cn").organisation.kind == OrganisationKind.PRODUCT_HOSPITAL
    assert membership("bank@demo.qualityhub.cn").organisation.kind == OrganisationKind.BANK


def test_the_demo_logins_are_listed_only_in_demo_mode(seeded, settings):
    settings.DEMO_MODE = True
    listed = demo_accounts()
    assert [a["email"] for a in listed] == [a[0] for a in DEMO_ACCOUNTS]
    assert all(a["password"] == DEMO_PASSWORD for a in listed)
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    assert "13800000010" in out.getvalue()
    settings.DEMO_MODE = False
    assert demo_accounts() == []


def test_if_empty_does_nothing_on_a_database_that_holds_data(seeded):
    before = _snapshot()
    output = _seed("--if-empty")
    assert "already holds data" in output
    assert _snapshot() == before


def test_if_empty_does_nothing_when_any_organisation_exists():
    EnterpriseFactory()
    output = _seed("--if-empty")
    assert "already holds data" in output
    assert Organisation.objects.count() == 1
    assert not User.objects.exists()


def test_seeding_a_non_empty_database_without_if_empty_is_refused(seeded):
    before = _snapshot()
    with pytest.raises(CommandError, match="already holds organisations"):
        _seed()
    assert _snapshot() == before


def test_at_least_one_enterprise_is_required():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", "--enterprises", "0", stdout=io.StringIO())
    assert not Organisation.objects.exists()


def test_a_small_product_count_is_respected():
    call_command("seed_demo", "--enterprises", "3", "--products", "5", stdout=io.StringIO())
    assert Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).count() == 3
    assert Product.objects.count() == 5


def test_a_negative_product_count_is_refused():
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("seed_demo", "--enterprises", "3", "--products", "-1", stdout=io.StringIO())
    assert not Organisation.objects.exists()
