"""Registry writes: enterprise_save, product_save and certification_save behind the forms
that validate pages, API calls and imported rows. Every bad input ends with a Chinese
message and an unchanged database."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from qualityhub.accounts.models import Organisation
from qualityhub.core.testing.factories import ProductFactory, unique_uscc
from qualityhub.registry import services
from qualityhub.registry.forms import CertificationForm, EnterpriseForm, ProductForm
from qualityhub.registry.models import Certification, EnterpriseProfile, Product, ProductStandard


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _snapshot():
    """Everything the registry writes, so a refused input can be shown to change nothing."""
    return {
        "organisations": sorted(Organisation.objects.values_list("pk", "name", "uscc", "region_id", "status")),
        "profiles": sorted(EnterpriseProfile.objects.values_list("pk", "industry_id", "size", "address")),
        "products": sorted(Product.objects.values_list("pk", "enterprise_id", "name", "model", "hs_code")),
        "standards": sorted(ProductStandard.objects.values_list("product_id", "code")),
        "certifications": sorted(Certification.objects.values_list("product_id", "kind", "number", "valid_from",
                                                                   "valid_until")),
    }


def _errors(form, field):
    return " ".join(str(m) for m in form.errors.get(field, []))


# --- enterprises --------------------------------------------------------------------------------


def _enterprise_data(**overrides):
    data = {"uscc": unique_uscc("440305"), "name": "深圳市新登记电器有限公司", "region": "440305", "industry": "38",
            "size": "small", "honours": "high-tech", "legal_representative": "王伟", "established_on": "2015-03-01",
            "address": "南山区科技路1号"}
    data.update(overrides)
    return data


def test_a_city_regulator_registers_an_enterprise_in_its_city(actors):
    actor = actors.regulator_same_city.actor
    form = EnterpriseForm(data=_enterprise_data(region="南山区", size="小型", industry="电气机械和器材制造业",
                                                honours="高新技术企业"), actor=actor)
    assert form.is_valid(), form.errors
    enterprise, outcome = services.enterprise_save(actor=actor, data=form.cleaned_data)
    assert outcome == services.CREATED
    enterprise.refresh_from_db()
    assert enterprise.kind == "enterprise"
    assert (enterprise.region_id, enterprise.city_id) == ("440305", "440300")
    assert enterprise.search_text.startswith("深圳 圳市")
    assert enterprise.profile.industry_id == "38"
    assert enterprise.profile.size == "small"
    assert enterprise.profile.established_on == datetime.date(2015, 3, 1)
    assert [h.code for h in enterprise.profile.honours.all()] == ["high-tech"]


def test_saving_an_enterprise_with_the_same_data_changes_nothing(actors):
    actor = actors.regulator_same_city.actor
    data = _enterprise_data()
    form = EnterpriseForm(data=data, actor=actor)
    assert form.is_valid(), form.errors
    enterprise, _outcome = services.enterprise_save(actor=actor, data=form.cleaned_data)
    again = EnterpriseForm(data=data, actor=actor, instance=enterprise)
    assert again.is_valid(), again.errors
    before = _snapshot()
    assert services.enterprise_save(actor=actor, data=again.cleaned_data, instance=enterprise)[1] == services.UNCHANGED
    assert _snapshot() == before
    changed = EnterpriseForm(data={**data, "size": "medium"}, actor=actor, instance=enterprise)
    assert changed.is_valid(), changed.errors
    assert services.enterprise_save(actor=actor, data=changed.cleaned_data, instance=enterprise)[1] == services.UPDATED
    assert EnterpriseProfile.objects.get(pk=enterprise.pk).size == "medium"


@pytest.mark.parametrize(
    "actor_name, region, message",
    [
        ("regulator_same_city", "440106", "“广州市天河区”不在本部门的管辖范围内"),
        ("regulator_other_city", "440305", "“深圳市南山区”不在本部门的管辖范围内"),
        ("regulator_district", "440304", "“深圳市福田区”不在本部门的管辖范围内"),
    ],
)
def test_a_regulator_may_not_register_an_enterprise_outside_its_jurisdiction(actors, actor_name, region, message):
    before = _snapshot()
    form = EnterpriseForm(data=_enterprise_data(region=region), actor=getattr(actors, actor_name).actor)
    assert not form.is_valid()
    assert message in _errors(form, "region")
    assert _snapshot() == before


def test_a_regulator_posting_an_enterprise_outside_its_jurisdiction_gets_the_form_back(actors):
    before = _snapshot()
    response = actors.regulator_same_city.client().post(reverse("registry:enterprise-create"),
                                                        _enterprise_data(region="440106"))
    assert response.status_code == 400
    assert "“广州市天河区”不在本部门的管辖范围内" in response.content.decode()
    assert _snapshot() == before


def test_the_provincial_regulator_registers_enterprises_anywhere_in_guangdong(actors):
    form = EnterpriseForm(data=_enterprise_data(region="440106"), actor=actors.regulator_province.actor)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("actor_name", ["owner", "provider", "bank"])
def test_only_regulators_register_new_enterprises(actors, actor_name):
    before = _snapshot()
    form = EnterpriseForm(data=_enterprise_data(), actor=getattr(actors, actor_name).actor)
    assert not form.is_valid()
    assert "只有市场监管部门可以登记新企业" in _errors(form, "__all__")
    assert _snapshot() == before


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"uscc": "914403001922038217"}, "uscc", "统一社会信用代码校验位错误：末位应为 6"),
        ({"uscc": "9144030019220382"}, "uscc", "统一社会信用代码应为18位，实际为16位"),
        ({"region": "449999"}, "region", "未知的地区“449999”"),
        ({"region": "火星区"}, "region", "未知的地区“火星区”"),
        ({"industry": "ZZ"}, "industry", "未知的行业“ZZ”"),
        ({"established_on": "2015年13月45日"}, "established_on", "日期格式不正确"),
        ({"name": ""}, "name", "该字段是必填项"),
    ],
)
def test_bad_enterprise_input_is_refused_with_a_chinese_message(actors, overrides, field, message):
    before = _snapshot()
    form = EnterpriseForm(data=_enterprise_data(**overrides), actor=actors.regulator_same_city.actor)
    assert not form.is_valid()
    assert message in _errors(form, field)
    assert _snapshot() == before


def test_a_credit_code_registered_before_is_refused_with_the_holders_name(actors):
    before = _snapshot()
    form = EnterpriseForm(data=_enterprise_data(uscc=actors.enterprise_a.uscc.lower()), actor=actors.regulator_same_city.actor)
    assert not form.is_valid()
    assert f"该统一社会信用代码已登记（{actors.enterprise_a.name}）" in _errors(form, "uscc")
    assert _snapshot() == before


def test_an_enterprise_keeps_its_profile_but_cannot_change_its_code_or_region(actors):
    enterprise = actors.enterprise_a
    initial = {"uscc": enterprise.uscc, "region": enterprise.region_id, "status": enterprise.status}
    data = _enterprise_data(uscc=unique_uscc("440106"), region="440106", name=enterprise.name, status="revoked",
                            address="南山区新地址88号")
    form = EnterpriseForm(data=data, actor=actors.owner.actor, instance=enterprise, initial=initial)
    assert form.is_valid(), form.errors
    services.enterprise_save(actor=actors.owner.actor, data=form.cleaned_data, instance=enterprise)
    enterprise.refresh_from_db()
    assert enterprise.uscc == initial["uscc"]
    assert enterprise.region_id == "440305"
    assert enterprise.status == "active"
    assert enterprise.profile.address == "南山区新地址88号"


def test_an_enterprise_cannot_edit_another_enterprise_page(actors):
    before = _snapshot()
    url = reverse("registry:enterprise-update", args=[actors.enterprise_b.pk])
    response = actors.owner.client().post(url, _enterprise_data(name="被篡改的名称"))
    assert response.status_code == 404
    assert _snapshot() == before


# --- products -------------------------------------------------------------------------------------


def _product_data(**overrides):
    data = {"name": "电饭锅", "brand": "示例", "model": "RC-500", "category": "家用电器", "hs_code": "8516.6030.00",
            "standards": "GB/T19001-2016、GB 4706.1-2005", "export_markets": "美国、DE, 日本", "is_public": "是"}
    data.update(overrides)
    return data


def test_an_enterprise_registers_its_own_product_with_normalised_codes(actors):
    actor = actors.owner.actor
    form = ProductForm(data=_product_data(), actor=actor)
    assert form.is_valid(), form.errors
    product, outcome = services.product_save(actor=actor, data=form.cleaned_data)
    assert outcome == services.CREATED
    product.refresh_from_db()
    assert product.enterprise == actors.enterprise_a
    assert product.hs_code == "8516603000"
    assert product.export_markets == ["US", "DE", "JP"]
    assert list(product.standards.order_by("id").values_list("code", flat=True)) == ["GB/T 19001-2016", "GB 4706.1-2005"]


def test_saving_a_product_with_the_same_data_changes_nothing_and_standards_follow_the_list(actors):
    actor = actors.owner.actor
    form = ProductForm(data=_product_data(), actor=actor)
    assert form.is_valid(), form.errors
    product, _outcome = services.product_save(actor=actor, data=form.cleaned_data)
    same = ProductForm(data=_product_data(), actor=actor, instance=product)
    assert same.is_valid(), same.errors
    before = _snapshot()
    assert services.product_save(actor=actor, data=same.cleaned_data, instance=product)[1] == services.UNCHANGED
    assert _snapshot() == before
    fewer = ProductForm(data=_product_data(standards="GB 4706.1-2005；T/GDAQI 001-2021"), actor=actor, instance=product)
    assert fewer.is_valid(), fewer.errors
    assert services.product_save(actor=actor, data=fewer.cleaned_data, instance=product)[1] == services.UPDATED
    assert set(product.standards.values_list("code", flat=True)) == {"GB 4706.1-2005", "T/GDAQI 001-2021"}


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"hs_code": "85167"}, "hs_code", "HS编码应为6至10位数字"),
        ({"hs_code": "85165000001"}, "hs_code", "HS编码应为6至10位数字"),
        ({"hs_code": "8516AB"}, "hs_code", "HS编码应为6至10位数字"),
        ({"standards": "GB 4706.1-2005；国标123"}, "standards", "标准编号“国标123”格式不正确"),
        ({"standards": "XYZ"}, "standards", "标准编号“XYZ”格式不正确"),
        ({"export_markets": "美国、火星国"}, "export_markets", "无法识别的国家或地区：火星国"),
        ({"export_markets": "QQ"}, "export_markets", "无法识别的国家或地区：QQ"),
        ({"model": ""}, "model", "该字段是必填项"),
        ({"is_public": "也许"}, "is_public", "请填写“是”或“否”"),
    ],
)
def test_bad_product_input_is_refused_with_a_chinese_message(actors, overrides, field, message):
    before = _snapshot()
    form = ProductForm(data=_product_data(**overrides), actor=actors.owner.actor)
    assert not form.is_valid()
    assert message in _errors(form, field)
    assert _snapshot() == before


@pytest.mark.parametrize("text, expected", [("是", True), ("否", False), ("不公开", False), ("no", False),
                                            ("on", True), ("1", True), ("0", False)])
def test_the_public_flag_reads_yes_and_no_as_typed(actors, text, expected):
    form = ProductForm(data=_product_data(is_public=text), actor=actors.owner.actor)
    assert form.is_valid(), form.errors
    product, _outcome = services.product_save(actor=actors.owner.actor, data=form.cleaned_data)
    assert Product.objects.get(pk=product.pk).is_public is expected


def test_an_unticked_public_checkbox_makes_the_product_private(actors):
    data = _product_data()
    data.pop("is_public")
    response = actors.owner.client().post(reverse("registry:product-create"), data)
    assert response.status_code == 302
    assert Product.objects.get(enterprise=actors.enterprise_a, model="RC-500").is_public is False


def test_the_api_can_make_a_product_private(actors):
    response = actors.owner.client().patch(
        f"/api/v1/products/{actors.product_a.pk}/", {"is_public": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_public"] is False
    assert Product.objects.get(pk=actors.product_a.pk).is_public is False


def test_a_model_registered_before_by_the_same_enterprise_is_refused(actors):
    before = _snapshot()
    form = ProductForm(data=_product_data(model="A-100"), actor=actors.owner.actor)
    assert not form.is_valid()
    assert "本企业已登记型号为“A-100”的产品" in _errors(form, "model")
    assert _snapshot() == before


def test_another_enterprise_may_use_the_same_model(actors):
    form = ProductForm(data=_product_data(model="A-100"), actor=actors.outsider.actor)
    assert form.is_valid(), form.errors


def test_renaming_a_product_to_an_existing_model_is_refused(actors):
    before = _snapshot()
    form = ProductForm(data=_product_data(model="A-PRIVATE"), actor=actors.owner.actor, instance=actors.product_a)
    assert not form.is_valid()
    assert "本企业已登记型号为“A-PRIVATE”的产品" in _errors(form, "model")
    assert _snapshot() == before


def test_an_enterprise_may_not_register_products_for_another_enterprise(actors):
    before = _snapshot()
    form = ProductForm(data=_product_data(enterprise_uscc=actors.enterprise_b.uscc), actor=actors.owner.actor)
    assert not form.is_valid()
    assert f"只能登记本企业的产品（本企业代码为 {actors.enterprise_a.uscc}）" in _errors(form, "enterprise_uscc")
    assert _snapshot() == before


def test_a_regulator_registers_a_product_only_for_enterprises_in_its_jurisdiction(actors):
    form = ProductForm(data=_product_data(enterprise_uscc=actors.enterprise_a.uscc), actor=actors.regulator_same_city.actor)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["enterprise_uscc"] == actors.enterprise_a
    before = _snapshot()
    far = ProductForm(data=_product_data(enterprise_uscc=actors.enterprise_a.uscc), actor=actors.regulator_other_city.actor)
    assert not far.is_valid()
    assert f"未找到代码为 {actors.enterprise_a.uscc} 的企业，或该企业不在您的管辖范围内" in _errors(far, "enterprise_uscc")
    missing = ProductForm(data=_product_data(), actor=actors.regulator_same_city.actor)
    assert not missing.is_valid()
    assert "请填写生产企业的统一社会信用代码" in _errors(missing, "enterprise_uscc")
    assert _snapshot() == before


def test_an_enterprise_cannot_edit_or_delete_another_enterprises_product(actors):
    client = actors.owner.client()
    before = _snapshot()
    product_b = actors.product_b
    update = client.post(reverse("registry:product-update", args=[product_b.pk]), _product_data(name="被篡改"))
    assert update.status_code == 404
    delete = client.post(reverse("registry:product-delete", args=[product_b.pk]))
    assert delete.status_code == 404
    certify = client.post(reverse("registry:certification-create", args=[product_b.pk]),
                          {"kind": "ccc", "number": "X1", "issuer": "某机构"})
    assert certify.status_code == 404
    assert _snapshot() == before


def test_a_bad_product_posted_on_the_page_shows_the_error_and_saves_nothing(actors):
    before = _snapshot()
    response = actors.owner.client().post(reverse("registry:product-create"), _product_data(hs_code="12"))
    assert response.status_code == 400
    assert "HS编码应为6至10位数字" in response.content.decode()
    assert _snapshot() == before


# --- certifications ---------------------------------------------------------------------------------


def _cert_data(**overrides):
    data = {"kind": "ccc", "number": "2024010701000123", "issuer": "中国质量认证中心", "valid_from": "2024-01-01",
            "valid_until": "2029-01-01"}
    data.update(overrides)
    return data


def test_a_certification_is_added_to_a_product(actors):
    form = CertificationForm(data=_cert_data(kind="强制性产品认证（CCC）"), product=actors.product_a)
    assert form.is_valid(), form.errors
    certification = services.certification_save(actor=actors.owner.actor, form=form)
    certification.refresh_from_db()
    assert certification.product == actors.product_a
    assert certification.kind == "ccc"
    assert certification.valid_until == datetime.date(2029, 1, 1)


def test_a_validity_that_ends_before_it_starts_is_refused(actors):
    before = _snapshot()
    form = CertificationForm(data=_cert_data(valid_from="2025-06-01", valid_until="2025-05-31"), product=actors.product_a)
    assert not form.is_valid()
    assert "有效期至不能早于有效期起" in _errors(form, "valid_until")
    assert _snapshot() == before


def test_a_validity_of_one_day_is_accepted(actors):
    form = CertificationForm(data=_cert_data(valid_from="2025-06-01", valid_until="2025-06-01"), product=actors.product_a)
    assert form.is_valid(), form.errors


def test_the_same_certificate_twice_on_one_product_is_refused(actors):
    first = CertificationForm(data=_cert_data(), product=actors.product_a)
    assert first.is_valid(), first.errors
    services.certification_save(actor=actors.owner.actor, form=first)
    before = _snapshot()
    second = CertificationForm(data=_cert_data(issuer="另一机构"), product=actors.product_a)
    assert not second.is_valid()
    assert "已登记" in " ".join(str(m) for messages in second.errors.values() for m in messages)
    assert _snapshot() == before


def test_the_same_number_is_allowed_for_another_kind_or_another_product(actors):
    services.certification_save(actor=actors.owner.actor, form=_valid(CertificationForm(data=_cert_data(), product=actors.product_a)))
    assert CertificationForm(data=_cert_data(kind="cqc"), product=actors.product_a).is_valid()
    assert CertificationForm(data=_cert_data(), product=actors.product_a_private).is_valid()


def _valid(form):
    assert form.is_valid(), form.errors
    return form


def test_a_duplicate_certificate_posted_on_the_page_answers_400_with_a_chinese_message(actors):
    client = actors.owner.client()
    url = reverse("registry:certification-create", args=[actors.product_a.pk])
    assert client.post(url, _cert_data()).status_code == 302
    before = _snapshot()
    response = client.post(url, _cert_data())
    assert response.status_code == 400
    assert "已登记" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"kind": "unknown"}, "kind", "选择一个有效的选项"),
        ({"number": ""}, "number", "该字段是必填项"),
        ({"valid_from": "去年"}, "valid_from", "日期格式不正确"),
    ],
)
def test_bad_certification_input_is_refused(actors, overrides, field, message):
    before = _snapshot()
    form = CertificationForm(data=_cert_data(**overrides), product=actors.product_a)
    assert not form.is_valid()
    assert message in _errors(form, field)
    assert _snapshot() == before


def test_deleting_a_product_removes_its_standards_and_certifications(actors):
    product = ProductFactory(enterprise=actors.enterprise_a, model="DEL-1")
    services.certification_save(actor=actors.owner.actor, form=_valid(CertificationForm(data=_cert_data(), product=product)))
    services.product_delete(actor=actors.owner.actor, product=product)
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not ProductStandard.objects.filter(product_id=product.pk).exists()
    assert not Certification.objects.filter(product_id=product.pk).exists()
