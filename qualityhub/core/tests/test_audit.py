"""The audit trail: every create, update and delete of a regulated record keeps who,
when, from which organisation and the before/after values, written by the shared
mechanism (``qualityhub.core.audit``), not by each view; regulators browse it per
object."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from qualityhub.accounts.models import Organisation
from qualityhub.core.audit import acting_as, entries_for
from qualityhub.core.models import AuditAction, AuditEntry
from qualityhub.core.testing.factories import unique_uscc
from qualityhub.registry import selectors, services
from qualityhub.registry.forms import EnterpriseForm, ProductForm
from qualityhub.registry.models import EnterpriseProfile, HonourTag, Product, ProductStandard


def _entries(model, pk):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    ).order_by("id")


def _enterprise_data(**overrides):
    data = {
        "uscc": unique_uscc("440305"),
        "name": "深圳市审计测试电器有限公司",
        "region": "440305",
        "industry": "38",
        "size": "small",
        "honours": "zhuanjingtexin",
        "legal_representative": "张三",
        "established_on": "2015-03-01",
        "address": "深圳市南山区科技园",
        "status": "active",
    }
    data.update(overrides)
    return data


def _save_enterprise(actor, data, instance=None):
    form = EnterpriseForm(data=data, actor=actor, instance=instance)
    assert form.is_valid(), form.errors
    with acting_as(actor, via="web"):
        return services.enterprise_save(actor=actor, data=form.cleaned_data, instance=instance)


def _save_product(actor, data, instance=None):
    form = ProductForm(data=data, actor=actor, instance=instance)
    assert form.is_valid(), form.errors
    with acting_as(actor, via="web"):
        return services.product_save(actor=actor, data=form.cleaned_data, instance=instance)


def _product_data(**overrides):
    data = {
        "name": "智能电饭煲",
        "brand": "甲牌",
        "model": "RC-1",
        "category": "家用电器",
        "hs_code": "8516601000",
        "standards": "GB 4706.1-2005；GB 4706.19-2008",
        "export_markets": "美国、DE",
        "is_public": "是",
    }
    data.update(overrides)
    return data


# --- Enterprise through the services -------------------------------------------------


def test_it_records_who_when_and_which_organisation_created_an_enterprise(actors):
    regulator = actors.regulator_same_city
    before = timezone.now()
    organisation, outcome = _save_enterprise(regulator.actor, _enterprise_data())
    after = timezone.now()
    assert outcome == services.CREATED

    [entry] = _entries(Organisation, organisation.pk)
    assert entry.action == AuditAction.CREATE
    assert entry.user == regulator.user
    assert entry.organisation == actors.shenzhen
    assert entry.via == "web"
    assert entry.request_id
    assert before <= entry.created_at <= after
    assert entry.object_repr == "深圳市审计测试电器有限公司"
    assert entry.changes["name"] == [None, "深圳市审计测试电器有限公司"]
    assert entry.changes["uscc"] == [None, organisation.uscc]
    assert entry.changes["region_id"] == [None, "440305"]
    assert entry.changes["city_id"] == [None, "440300"]
    # Bookkeeping columns are not part of the record's history.
    assert not {"search_text", "created_at", "updated_at"} & set(entry.changes)

    profile_entries = list(_entries(EnterpriseProfile, organisation.pk))
    assert [e.action for e in profile_entries] == [AuditAction.CREATE, AuditAction.UPDATE]
    created = profile_entries[0].changes
    assert created["size"] == [None, "small"]
    assert created["industry_id"] == [None, "38"]
    assert created["established_on"] == [None, "2015-03-01"]
    assert created["legal_representative"] == [None, "张三"]
    # The honours (a many-to-many) are audited as their own change, same actor.
    honour = HonourTag.objects.get(code="zhuanjingtexin")
    assert profile_entries[1].changes == {"honours": [[], [str(honour.pk)]]}
    assert all(e.user == regulator.user and e.organisation == actors.shenzhen for e in profile_entries)


def test_an_update_records_only_the_changed_fields_with_before_and_after(actors):
    regulator = actors.regulator_same_city
    data = _enterprise_data()
    organisation, _ = _save_enterprise(regulator.actor, data)
    start = AuditEntry.objects.count()

    instance = selectors.enterprise_get(actor=regulator.actor, pk=organisation.pk, action="change")
    _org, outcome = _save_enterprise(
        regulator.actor, {**data, "name": "深圳市审计测试智能电器有限公司", "address": "深圳市南山区粤海街道"}, instance
    )
    assert outcome == services.UPDATED
    assert AuditEntry.objects.count() == start + 2

    org_entry = _entries(Organisation, organisation.pk).last()
    assert org_entry.action == AuditAction.UPDATE
    assert org_entry.changes == {"name": ["深圳市审计测试电器有限公司", "深圳市审计测试智能电器有限公司"]}
    assert org_entry.user == regulator.user and org_entry.organisation == actors.shenzhen
    profile_entry = _entries(EnterpriseProfile, organisation.pk).last()
    assert profile_entry.changes == {"address": ["深圳市南山区科技园", "深圳市南山区粤海街道"]}


def test_changing_honours_is_audited_with_before_and_after_tags(actors):
    regulator = actors.regulator_same_city
    data = _enterprise_data()
    organisation, _ = _save_enterprise(regulator.actor, data)
    old = HonourTag.objects.get(code="zhuanjingtexin")
    new = HonourTag.objects.get(code="high-tech")
    start = AuditEntry.objects.count()
    last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

    instance = selectors.enterprise_get(actor=regulator.actor, pk=organisation.pk, action="change")
    _save_enterprise(regulator.actor, {**data, "honours": "high-tech"}, instance)

    new_entries = list(_entries(EnterpriseProfile, organisation.pk).filter(pk__gt=last_id))
    # ``set`` removes the old tag then adds the new one: the trail shows both steps.
    assert [e.changes["honours"] for e in new_entries] == [[[str(old.pk)], []], [[], [str(new.pk)]]]
    assert all(e.action == AuditAction.UPDATE and e.user == regulator.user for e in new_entries)
    # Nothing but the honours changed.
    assert AuditEntry.objects.count() == start + 2


def test_saving_an_enterprise_unchanged_writes_no_audit_entry(actors):
    regulator = actors.regulator_same_city
    data = _enterprise_data()
    organisation, _ = _save_enterprise(regulator.actor, data)
    start = AuditEntry.objects.count()

    instance = selectors.enterprise_get(actor=regulator.actor, pk=organisation.pk, action="change")
    _org, outcome = _save_enterprise(regulator.actor, data, instance)
    assert outcome == services.UNCHANGED
    # A plain save of a freshly loaded record changes nothing either.
    with acting_as(regulator.actor):
        Organisation.objects.get(pk=organisation.pk).save()
        EnterpriseProfile.objects.get(pk=organisation.pk).save()
    assert AuditEntry.objects.count() == start


def test_deleting_an_enterprise_keeps_its_last_values_in_the_trail(actors):
    admin = actors.platform_admin
    organisation, _ = _save_enterprise(actors.regulator_same_city.actor, _enterprise_data())
    product, _ = _save_product(actors.regulator_same_city.actor, _product_data(enterprise_uscc=organisation.uscc))
    standard_ids = list(product.standards.values_list("pk", flat=True))
    pk = organisation.pk

    with acting_as(admin.actor, via="system"):
        Organisation.objects.get(pk=pk).delete()

    org_entry = _entries(Organisation, pk).last()
    assert org_entry.action == AuditAction.DELETE
    assert org_entry.user == admin.user and org_entry.organisation is None
    assert org_entry.changes["name"] == ["深圳市审计测试电器有限公司", None]
    assert org_entry.changes["region_id"] == ["440305", None]
    # Rows removed with it (cascade) are each recorded as deleted too.
    assert _entries(EnterpriseProfile, pk).last().action == AuditAction.DELETE
    assert _entries(EnterpriseProfile, pk).last().changes["address"] == ["深圳市南山区科技园", None]
    assert _entries(Product, product.pk).last().action == AuditAction.DELETE
    for standard_id in standard_ids:
        assert _entries(ProductStandard, standard_id).last().action == AuditAction.DELETE


# --- Product through the services ----------------------------------------------------


def test_it_records_a_product_created_by_an_enterprise_with_its_standards(actors):
    owner = actors.owner
    product, outcome = _save_product(owner.actor, _product_data())
    assert outcome == services.CREATED
    [entry] = _entries(Product, product.pk)
    assert entry.action == AuditAction.CREATE
    assert entry.user == owner.user and entry.organisation == actors.enterprise_a
    assert entry.changes["enterprise_id"] == [None, actors.enterprise_a.pk]
    assert entry.changes["export_markets"] == [None, ["US", "DE"]]
    assert entry.changes["brand"] == [None, "甲牌"]
    standards = {s.pk: s.code for s in product.standards.all()}
    assert set(standards.values()) == {"GB 4706.1-2005", "GB 4706.19-2008"}
    for pk, code in standards.items():
        [standard_entry] = _entries(ProductStandard, pk)
        assert standard_entry.action == AuditAction.CREATE
        assert standard_entry.changes["code"] == [None, code]
        assert standard_entry.organisation == actors.enterprise_a


def test_changing_export_markets_and_standards_is_audited(actors):
    owner = actors.owner
    data = _product_data()
    product, _ = _save_product(owner.actor, data)
    removed = product.standards.get(code="GB 4706.19-2008")
    start = AuditEntry.objects.count()

    instance = selectors.product_get(actor=owner.actor, pk=product.pk, action="change")
    _p, outcome = _save_product(
        owner.actor, {**data, "export_markets": "DE；日本", "standards": "GB 4706.1-2005；GB/T 19001-2016"}, instance
    )
    assert outcome == services.UPDATED

    product_entry = _entries(Product, product.pk).last()
    assert product_entry.action == AuditAction.UPDATE
    assert product_entry.changes == {"export_markets": [["US", "DE"], ["DE", "JP"]]}
    removed_entry = _entries(ProductStandard, removed.pk).last()
    assert removed_entry.action == AuditAction.DELETE
    assert removed_entry.changes["code"] == ["GB 4706.19-2008", None]
    added = product.standards.get(code="GB/T 19001-2016")
    assert _entries(ProductStandard, added.pk).get().action == AuditAction.CREATE
    assert AuditEntry.objects.count() == start + 3
    assert set(AuditEntry.objects.order_by("-id")[:3].values_list("user", flat=True)) == {owner.user.pk}


def test_saving_a_product_unchanged_writes_no_audit_entry(actors):
    owner = actors.owner
    data = _product_data()
    product, _ = _save_product(owner.actor, data)
    start = AuditEntry.objects.count()
    instance = selectors.product_get(actor=owner.actor, pk=product.pk, action="change")
    _p, outcome = _save_product(owner.actor, data, instance)
    assert outcome == services.UNCHANGED
    with acting_as(owner.actor):
        Product.objects.get(pk=product.pk).save()
    assert AuditEntry.objects.count() == start


def test_deleting_a_product_records_its_values_before_deletion(actors):
    owner = actors.owner
    product = Product.objects.get(pk=actors.product_a.pk)
    with acting_as(owner.actor):
        services.product_delete(actor=owner.actor, product=product)
    entry = _entries(Product, actors.product_a.pk).last()
    assert entry.action == AuditAction.DELETE
    assert entry.user == owner.user and entry.organisation == actors.enterprise_a
    assert entry.changes["model"] == ["A-100", None]
    assert entry.changes["export_markets"] == [["US"], None]
    assert not Product.objects.filter(pk=actors.product_a.pk).exists()


# --- Through the pages and the API: attributed by the shared mechanism ---------------


def test_a_product_edited_on_the_page_is_attributed_to_the_user_and_organisation(actors):
    owner = actors.owner
    product = actors.product_a
    response = owner.client().post(
        reverse("registry:product-update", args=[product.pk]),
        {"name": product.name, "brand": "网页品牌", "model": product.model, "category": product.category,
         "hs_code": product.hs_code, "standards": "GB 4706.1-2005", "export_markets": "US", "is_public": "是"},
    )
    assert response.status_code == 302, response.content[:300]
    entry = _entries(Product, product.pk).last()
    assert entry.changes == {"brand": ["示例", "网页品牌"]}
    assert (entry.user, entry.organisation, entry.via) == (owner.user, actors.enterprise_a, "web")


def test_api_create_update_and_delete_of_a_product_are_audited_with_the_organisation(actors):
    owner = actors.owner
    client = owner.client()
    response = client.post(
        "/api/v1/products/",
        {"name": "空气炸锅", "model": "AF-9", "brand": "甲牌", "standards": ["GB 4706.1-2005"], "export_markets": ["DE"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    created = _entries(Product, pk).get()
    assert (created.action, created.user, created.organisation, created.via) == (
        AuditAction.CREATE, owner.user, actors.enterprise_a, "api"
    )
    assert created.changes["name"] == [None, "空气炸锅"]

    response = client.patch(f"/api/v1/products/{pk}/", {"brand": "乙牌"}, content_type="application/json")
    assert response.status_code == 200, response.content
    updated = _entries(Product, pk).last()
    assert updated.action == AuditAction.UPDATE
    assert updated.changes == {"brand": ["甲牌", "乙牌"]}
    assert (updated.user, updated.organisation, updated.via) == (owner.user, actors.enterprise_a, "api")

    assert client.delete(f"/api/v1/products/{pk}/").status_code == 204
    deleted = _entries(Product, pk).last()
    assert deleted.action == AuditAction.DELETE
    assert deleted.changes["brand"] == ["乙牌", None]
    assert (deleted.user, deleted.organisation) == (owner.user, actors.enterprise_a)


def test_api_update_of_an_enterprise_by_a_regulator_is_audited_with_the_regulator(actors):
    regulator = actors.regulator_same_city
    enterprise = actors.enterprise_a
    response = regulator.client().patch(
        f"/api/v1/enterprises/{enterprise.pk}/", {"address": "深圳市南山区后海大道", "honours": ["little-giant"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    profile_entries = list(_entries(EnterpriseProfile, enterprise.pk))
    address = [e for e in profile_entries if "address" in e.changes]
    honours = [e for e in profile_entries if "honours" in e.changes]
    assert address[-1].changes == {"address": ["", "深圳市南山区后海大道"]}
    tag = HonourTag.objects.get(code="little-giant")
    assert honours[-1].changes == {"honours": [[], [str(tag.pk)]]}
    for entry in (address[-1], honours[-1]):
        assert (entry.user, entry.organisation, entry.via) == (regulator.user, actors.shenzhen, "api")
    # The organisation row itself did not change: no entry for it.
    assert not _entries(Organisation, enterprise.pk).exclude(action=AuditAction.CREATE).exists()


def test_a_refused_api_write_leaves_no_audit_entry(actors):
    start = AuditEntry.objects.count()
    response = actors.outsider.client().patch(
        f"/api/v1/products/{actors.product_a.pk}/", {"brand": "冒名"}, content_type="application/json"
    )
    assert response.status_code == 404
    response = actors.owner.client().patch(
        f"/api/v1/products/{actors.product_a.pk}/", {"hs_code": "12"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert AuditEntry.objects.count() == start


# --- The per-object audit log page ---------------------------------------------------


def _audit_url(model, pk):
    return reverse("core:audit-log", args=[model, pk])


@pytest.fixture
def edited_product(actors):
    owner = actors.owner
    owner.client().patch(f"/api/v1/products/{actors.product_a.pk}/", {"brand": "改后品牌"}, content_type="application/json")
    return actors.product_a


@pytest.mark.parametrize("name", ["regulator_same_city", "regulator_district", "regulator_province", "platform_admin"])
def test_regulators_who_see_the_record_can_browse_its_history(actors, edited_product, name):
    response = getattr(actors, name).client().get(_audit_url("registry.product", edited_product.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "变更记录" in html
    assert "改后品牌" in html and "示例" in html
    assert actors.owner.user.name in html
    assert actors.enterprise_a.name in html
    assert [e.changes for e in response.context["entries"]][0] == {"brand": ["示例", "改后品牌"]}


@pytest.mark.parametrize("name", ["owner", "colleague", "outsider", "provider", "bank"])
def test_enterprises_and_other_organisations_cannot_browse_the_history(actors, edited_product, name):
    response = getattr(actors, name).client().get(_audit_url("registry.product", edited_product.pk))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_login_for_the_history(actors, edited_product):
    response = actors.anonymous.client().get(_audit_url("registry.product", edited_product.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_a_regulator_of_another_city_gets_404_for_the_history(actors, edited_product):
    client = actors.regulator_other_city.client()
    assert client.get(_audit_url("registry.product", edited_product.pk)).status_code == 404
    assert client.get(_audit_url("accounts.organisation", actors.enterprise_a.pk)).status_code == 404
    # ... while its own city's records are open to it.
    assert client.get(_audit_url("accounts.organisation", actors.enterprise_c.pk)).status_code == 200


@pytest.mark.parametrize(
    "model,pk",
    [
        ("registry.nothing", "1"),
        ("nodot", "1"),
        ("registry.region", "440305"),  # reference data: no scope, no history page
        ("registry.product", "not-a-number"),
        ("registry.product", "999999"),
    ],
)
def test_unknown_or_unscoped_records_answer_404(actors, model, pk):
    response = actors.regulator_province.client().get(_audit_url(model, pk))
    assert response.status_code == 404


def test_a_regulator_cannot_browse_another_organisations_tokens(actors):
    from qualityhub.accounts.services import api_token_create

    token, _secret = api_token_create(actor=actors.owner.actor, name="ERP")
    response = actors.regulator_same_city.client().get(_audit_url("accounts.apitoken", token.pk))
    assert response.status_code == 404


def test_entries_for_lists_the_newest_change_first(actors):
    product = actors.product_a
    client = actors.owner.client()
    for brand in ("一", "二"):
        client.patch(f"/api/v1/products/{product.pk}/", {"brand": brand}, content_type="application/json")
    changes = [e.changes.get("brand") for e in entries_for(product)]
    assert changes[:2] == [["一", "二"], ["示例", "一"]]
    assert entries_for(product).last().action == AuditAction.CREATE


# --- Edge cases of the mechanism -----------------------------------------------------


def test_a_save_with_update_fields_records_only_what_was_written(actors):
    product = Product.objects.get(pk=actors.product_a.pk)
    product.brand = "未保存的品牌"
    product.name = "新名称"
    with acting_as(actors.owner.actor):
        product.save(update_fields=["name", "updated_at"])
    entry = _entries(Product, product.pk).last()
    assert entry.changes == {"name": ["电热水壶", "新名称"]}
    assert Product.objects.get(pk=product.pk).brand == "示例"
    # The brand is written later: that change is recorded then, not lost.
    with acting_as(actors.owner.actor):
        product.save()
    entry = _entries(Product, product.pk).last()
    assert entry.changes == {"brand": ["示例", "未保存的品牌"]}


def test_a_change_to_a_field_deferred_when_loaded_is_still_recorded(actors):
    product = Product.objects.only("id", "name").get(pk=actors.product_a.pk)
    product.brand = "延迟加载后修改"
    with acting_as(actors.owner.actor):
        product.save()
    entry = _entries(Product, product.pk).last()
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {"brand": ["示例", "延迟加载后修改"]}


def test_saving_an_instance_built_by_hand_records_only_real_changes(actors):
    """A record rebuilt from its primary key (not loaded) is an update: the trail must
    show what changed against the database, not every field as new."""
    original = Product.objects.get(pk=actors.product_a.pk)
    rebuilt = Product(
        pk=original.pk, enterprise_id=original.enterprise_id, name=original.name, brand="手工品牌",
        model=original.model, category=original.category, hs_code=original.hs_code,
        export_markets=original.export_markets, is_public=original.is_public, created_at=original.created_at,
    )
    with acting_as(actors.owner.actor):
        rebuilt.save()
    entry = _entries(Product, original.pk).last()
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {"brand": ["示例", "手工品牌"]}


def test_a_service_called_outside_any_request_attributes_its_changes_to_its_actor(actors):
    """A shell session or a task calls the service directly: no middleware set who acts."""
    from qualityhub.registry.forms import ProductForm

    form = ProductForm(
        data={"name": "电热水壶", "model": "SHELL-1", "is_public": "是"}, actor=actors.owner.actor
    )
    assert form.is_valid(), form.errors
    product = services.product_save(actor=actors.owner.actor, data=form.cleaned_data)[0]
    entry = AuditEntry.objects.get(
        action=AuditAction.CREATE, object_id=str(product.pk), content_type=ContentType.objects.get_for_model(Product)
    )
    assert entry.user_id == actors.owner.user.pk
    assert entry.organisation_id == actors.enterprise_a.pk
