"""Organisations, users, members and organisation API tokens."""

import hashlib

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qualityhub.accounts.choices import MembershipRole, OrganisationKind, RegionLevel
from qualityhub.accounts.models import ApiToken, Membership, Organisation, User
from qualityhub.accounts.services import api_token_create, api_token_revoke, organisation_create, user_create
from qualityhub.core.scoping import Actor, visible
from qualityhub.core.testing.factories import EnterpriseFactory, UserFactory, region, unique_uscc
from qualityhub.core.validators import uscc_check_character, validate_uscc

pytestmark = pytest.mark.django_db

# Valid codes from the reference list (GB 32100 check character verified there).
VALID_DIGIT_FIRST = "914403001922038216"
VALID_STDNUM = "91310115591693856A"
# An "other authority" (Y) code: letters in the first two positions are allowed.
LETTER_FIRST_17 = "Y1440305MA5D0QXJ4"
LETTER_FIRST = LETTER_FIRST_17 + uscc_check_character(LETTER_FIRST_17)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _messages(exc_info):
    return " ".join(exc_info.value.messages)


def _create(**overrides):
    values = {"name": "深圳市测试电器有限公司", "uscc": unique_uscc("440305"), "kind": OrganisationKind.ENTERPRISE,
              "region": region("440305")}
    values.update(overrides)
    return organisation_create(**values)


# --- organisation_create -------------------------------------------------------------------


def test_it_creates_an_organisation_with_its_city_and_search_text():
    organisation = _create(name="深圳市甲电器有限公司", uscc=VALID_DIGIT_FIRST)
    organisation.refresh_from_db()
    assert organisation.uscc == VALID_DIGIT_FIRST
    assert organisation.region_id == "440305"
    assert organisation.city_id == "440300"
    assert organisation.status == "active"
    assert organisation.search_text == "深圳 圳市 市甲 甲电 电器 器有 有限 限公 公司 司"


@pytest.mark.parametrize(
    "code, message",
    [
        ("91440300192203821", "应为18位，实际为17位"),
        ("9144030019220382161", "应为18位，实际为19位"),
        ("914403001922038217", "校验位错误：末位应为 6"),
        ("91110000600037341N", "校验位错误"),
        ("9111000060003IOZSV", "不允许的字符"),
        ("91AB0300192203821X", "第3-8位应为行政区划代码"),
        ("", "不能为空"),
    ],
)
def test_an_invalid_credit_code_is_rejected_and_nothing_is_saved(code, message):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        _create(uscc=code)
    assert "uscc" in exc_info.value.message_dict
    assert message in _messages(exc_info)
    assert Organisation.objects.count() == before


def test_a_valid_code_whose_first_characters_are_letters_is_accepted():
    validate_uscc(LETTER_FIRST)
    organisation = _create(uscc=LETTER_FIRST, kind=OrganisationKind.ASSOCIATION)
    assert Organisation.objects.get(pk=organisation.pk).uscc == LETTER_FIRST


@pytest.mark.parametrize("code", [VALID_DIGIT_FIRST, VALID_STDNUM, "121200004013590816", "92340621MA2UK2Q24Y"])
def test_valid_reference_codes_are_accepted(code):
    organisation = _create(uscc=code)
    assert organisation.pk is not None


def test_a_duplicate_credit_code_is_rejected_and_nothing_is_saved():
    _create(uscc=VALID_DIGIT_FIRST)
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        _create(name="另一家公司", uscc=VALID_DIGIT_FIRST)
    assert "已存在" in " ".join(exc_info.value.message_dict["uscc"])
    assert Organisation.objects.count() == before


def test_the_database_refuses_a_duplicate_credit_code_even_past_validation():
    first = _create()
    duplicate = Organisation(name="重复", uscc=first.uscc, kind=OrganisationKind.ENTERPRISE, region=first.region,
                             city=first.city)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Organisation.objects.filter(uscc=first.uscc).count() == 1


def test_every_organisation_kind_exists():
    assert set(OrganisationKind.values) == {
        "enterprise", "lab", "certifier", "metrology", "standards", "product_hospital", "association", "bank",
        "regulator",
    }
    labels = dict(OrganisationKind.choices)
    assert labels["enterprise"] == "企业"
    assert labels["regulator"] == "市场监管部门"
    assert OrganisationKind.providers() == {"lab", "certifier", "metrology", "standards", "product_hospital",
                                             "association"}


@pytest.mark.parametrize("kind", [k for k in OrganisationKind.values if k != "regulator"])
def test_an_organisation_of_every_kind_can_be_created(kind):
    organisation = _create(name=f"{kind} 机构", kind=kind)
    assert Organisation.objects.get(pk=organisation.pk).kind == kind
    assert organisation.jurisdiction is None


@pytest.mark.parametrize("code, level", [("440000", RegionLevel.PROVINCE), ("440300", RegionLevel.CITY),
                                         ("440305", RegionLevel.DISTRICT)])
def test_a_regulator_has_a_jurisdiction_of_province_city_or_district(code, level):
    area = region(code)
    regulator = _create(name=f"{area.name}市场监督管理局", uscc=unique_uscc(code, authority="1", entity_type="1"),
                        kind=OrganisationKind.REGULATOR, region=area, jurisdiction=area)
    regulator.refresh_from_db()
    assert regulator.jurisdiction_id == code
    assert regulator.jurisdiction.level == level


def test_a_regulator_without_a_jurisdiction_is_refused():
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        _create(kind=OrganisationKind.REGULATOR, region=region("440300"))
    assert "必须指定管辖范围" in " ".join(exc_info.value.message_dict["jurisdiction"])
    assert Organisation.objects.count() == before


def test_only_a_regulator_may_have_a_jurisdiction():
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        _create(kind=OrganisationKind.LAB, jurisdiction=region("440300"))
    assert "只有市场监管部门可以设置管辖范围" in " ".join(exc_info.value.message_dict["jurisdiction"])
    assert Organisation.objects.count() == before
    # The database constraint holds even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="x", uscc=unique_uscc(), kind=OrganisationKind.LAB, region=region("440305"),
                                    city=region("440300"), jurisdiction=region("440300"))


def test_the_jurisdiction_level_decides_which_enterprises_a_regulator_sees():
    nanshan = EnterpriseFactory(region=region("440305"))
    futian = EnterpriseFactory(region=region("440304"))
    tianhe = EnterpriseFactory(region=region("440106"))
    seen = {}
    for code in ("440000", "440300", "440305"):
        area = region(code)
        regulator = _create(name=f"{area.name}局", uscc=unique_uscc(code, authority="1", entity_type="1"),
                            kind=OrganisationKind.REGULATOR, region=area, jurisdiction=area)
        actor = Actor(user=UserFactory(), organisation=regulator, role=MembershipRole.ADMIN)
        enterprises = visible(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE), actor)
        seen[code] = set(enterprises.values_list("pk", flat=True))
    assert seen["440000"] == {nanshan.pk, futian.pk, tianhe.pk}
    assert seen["440300"] == {nanshan.pk, futian.pk}
    assert seen["440305"] == {nanshan.pk}


# --- user_create ----------------------------------------------------------------------------


def test_it_creates_a_member_with_an_argon2_password():
    organisation = _create()
    user = user_create(email="Zhao.Liu@Example.CN", name="赵六", password="Quality@2026", mobile="13712345678",
                       organisation=organisation, role=MembershipRole.ADMIN)
    user.refresh_from_db()
    assert user.email == "zhao.liu@example.cn"
    assert user.password.startswith("argon2")
    assert user.check_password("Quality@2026")
    assert Membership.objects.get(user=user).organisation == organisation
    assert Membership.objects.get(user=user).role == MembershipRole.ADMIN


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"mobile": "12345"}, "mobile", "手机号码应为11位"),
        ({"mobile": "23912345678"}, "mobile", "手机号码应为11位"),
        ({"email": "not-an-email"}, "email", "合法的邮件地址"),
        ({"name": ""}, "name", "不能为空"),
    ],
)
def test_user_create_rejects_bad_fields_and_saves_nothing(overrides, field, message):
    organisation = _create()
    values = {"email": "new@example.cn", "name": "新人", "password": "Quality@2026", "mobile": "13712345678",
              "organisation": organisation}
    values.update(overrides)
    users, members = User.objects.count(), Membership.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        user_create(**values)
    assert message in " ".join(exc_info.value.message_dict[field])
    assert (User.objects.count(), Membership.objects.count()) == (users, members)


def test_user_create_rejects_a_weak_password():
    users = User.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        user_create(email="weak@example.cn", name="弱密码", password="12345678")
    assert "密码" in _messages(exc_info)
    assert User.objects.count() == users


@pytest.mark.parametrize("overrides, field", [({"email": "TAKEN@example.cn"}, "email"), ({"mobile": "13700000001"}, "mobile")])
def test_user_create_rejects_a_taken_email_or_mobile(overrides, field):
    user_create(email="taken@example.cn", name="甲", password="Quality@2026", mobile="13700000001")
    values = {"email": "free@example.cn", "name": "乙", "password": "Quality@2026", "mobile": "13700000002"}
    values.update(overrides)
    users = User.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        user_create(**values)
    assert "已存在" in " ".join(exc_info.value.message_dict[field])
    assert User.objects.count() == users


# --- member list --------------------------------------------------------------------------------


def test_the_member_list_shows_only_the_own_organisations_members(actors):
    page = actors.owner.client().get(reverse("accounts:member-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert actors.owner.user.email in html
    assert actors.colleague.user.email in html
    for other in (actors.outsider, actors.far_enterprise, actors.regulator_same_city, actors.provider):
        assert other.user.email not in html
    assert "管理员" in html and "工作人员" in html


def test_a_regulator_does_not_see_members_of_enterprises_in_its_jurisdiction(actors):
    html = actors.regulator_same_city.client().get(reverse("accounts:member-list")).content.decode()
    assert actors.regulator_same_city.user.email in html
    assert actors.owner.user.email not in html
    assert actors.colleague.user.email not in html


def test_the_member_list_needs_a_login(actors):
    response = Client().get(reverse("accounts:member-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- API tokens ------------------------------------------------------------------------------------


@pytest.fixture
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_an_admin_creates_a_token_whose_secret_is_shown_once_and_stored_hashed(actors, fresh_throttles):
    client = actors.owner.client()
    response = client.post(reverse("accounts:token-list"), {"name": "ERP 对接", "role": "staff"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret.startswith("qh_")
    assert secret in response.content.decode()
    assert "只显示这一次" in response.content.decode()
    token = ApiToken.objects.get()
    assert token.organisation == actors.enterprise_a
    assert token.created_by == actors.owner.user
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.key_hash, token.prefix, token.name)
    assert secret.startswith(f"qh_{token.prefix}_")
    # The list shows the token but never its secret again.
    again = client.get(reverse("accounts:token-list")).content.decode()
    assert "ERP 对接" in again
    assert secret not in again
    # The secret works as an API credential for the organisation.
    me = Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert me.status_code == 200
    assert me.json()["organisation"]["id"] == actors.enterprise_a.pk
    assert me.json()["via"] == "api"


def test_a_staff_member_may_not_create_a_token(actors):
    response = actors.colleague.client().post(reverse("accounts:token-list"), {"name": "偷偷创建", "role": "admin"})
    assert response.status_code == 403
    assert ApiToken.objects.count() == 0
    assert "创建令牌" not in response.content.decode()


def test_a_staff_member_may_not_revoke_a_token(actors):
    token, _secret = api_token_create(actor=actors.owner.actor, name="ERP 对接")
    response = actors.colleague.client().post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=actors.colleague.actor, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_admin_revokes_a_token_and_it_stops_working(actors, fresh_throttles):
    token, secret = api_token_create(actor=actors.owner.actor, name="ERP 对接")
    assert Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    response = actors.owner.client().post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert refused.status_code == 401
    assert "令牌无效、已过期或已吊销" in refused.json()["error"]["message"]


def test_another_organisations_token_answers_404_to_revoke(actors):
    token, _secret = api_token_create(actor=actors.owner.actor, name="ERP 对接")
    response = actors.outsider.client().post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_list_shows_only_the_own_organisations_tokens(actors):
    api_token_create(actor=actors.owner.actor, name="甲的令牌")
    api_token_create(actor=actors.outsider.actor, name="乙的令牌")
    html = actors.colleague.client().get(reverse("accounts:token-list")).content.decode()
    assert "甲的令牌" in html
    assert "乙的令牌" not in html


def test_a_staff_member_cannot_mint_an_admin_token_through_the_service(actors):
    with pytest.raises(PermissionDenied):
        api_token_create(actor=actors.colleague.actor, name="x", role="admin")
    assert ApiToken.objects.count() == 0
