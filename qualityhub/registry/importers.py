"""Spreadsheet imports of enterprises and products (natural keys: the credit code;
the enterprise's credit code plus the product model)."""

from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import OrganisationKind
from qualityhub.accounts.models import Organisation
from qualityhub.core.imports import Column, ImportSpec, register
from qualityhub.core.scoping import changeable
from qualityhub.core.validators import normalise_uscc
from qualityhub.registry.forms import EnterpriseForm, ProductForm, enterprise_lookups
from qualityhub.registry.models import EnterpriseProfile, Product
from qualityhub.registry.services import enterprise_save, product_save


class EnterpriseImport(ImportSpec):
    key = "enterprises"
    title = _("企业")
    natural_key_label = _("统一社会信用代码")
    columns = (
        Column("uscc", "统一社会信用代码", required=True, help=_("18位，按 GB 32100-2015 校验"), example="91440300MA5FUW2X3B", width=24),
        Column("name", "企业名称", required=True, example="深圳市示例电器有限公司", width=30),
        Column("region", "所在区县", required=True, help=_("区县名称或6位区划代码；东莞、中山填地市"), example="南山区"),
        Column("industry", "行业代码", help=_("GB/T 4754-2017 门类字母或两位大类代码"), example="38"),
        Column("size", "企业规模", help=_("大型、中型、小型、微型"), example="小型"),
        Column("honours", "荣誉称号", help=_("多个用顿号分隔，如 专精特新中小企业、高新技术企业"), example="高新技术企业", width=30),
        Column("legal_representative", "法定代表人", example="张三"),
        Column("established_on", "成立日期", help=_("如 2015-03-01"), example="2015-03-01"),
        Column("address", "地址", example="深圳市南山区科技园", width=30),
        Column("status", "登记状态", help=_("存续、停业、吊销、注销；留空为存续"), example="存续"),
    )

    def allowed(self, actor):
        return actor.is_regulator or actor.is_platform_admin

    def prepare(self, actor):
        self._lookups = enterprise_lookups()

    def natural_key(self, data, actor):
        code = normalise_uscc(data.get("uscc"))
        return (code,) if code else None

    def find_existing(self, actor, key):
        existing = Organisation.objects.filter(uscc=key[0]).first()
        return existing

    def current_values(self, existing):
        values = {"uscc": existing.uscc, "name": existing.name, "region": existing.region.code if existing.region_id else "",
                  "status": existing.status}
        profile = EnterpriseProfile.objects.filter(organisation=existing).select_related("industry").first()
        if profile is not None:
            values.update(
                industry=profile.industry.code if profile.industry else "",
                size=profile.size,
                honours="、".join(profile.honours.values_list("code", flat=True)),
                legal_representative=profile.legal_representative,
                established_on=profile.established_on.isoformat() if profile.established_on else "",
                address=profile.address,
            )
        return values

    def form_for(self, actor, data, existing):
        form = EnterpriseForm(data=data, actor=actor, instance=existing, lookups=getattr(self, "_lookups", None))
        if existing is not None and not changeable(Organisation, actor).filter(pk=existing.pk, kind=OrganisationKind.ENTERPRISE).exists():
            form.is_valid()
            form.add_error("uscc", _("该企业不在您的管辖范围内，不能修改。"))
        return form

    def save(self, actor, form, existing):
        return enterprise_save(actor=actor, data=form.cleaned_data, instance=existing)[1]


class ProductImport(ImportSpec):
    key = "products"
    title = _("产品")
    natural_key_label = _("企业代码和型号")
    columns = (
        Column("enterprise_uscc", "生产企业统一社会信用代码", required=True, help=_("企业用户导入本企业产品时可留空"), example="91440300MA5FUW2X3B", width=24),
        Column("name", "产品名称", required=True, example="电热水壶"),
        Column("brand", "品牌", example="示例"),
        Column("model", "型号规格", required=True, example="SK-1701"),
        Column("category", "产品类别", example="家用电器"),
        Column("hs_code", "HS编码", help=_("6至10位数字"), example="8516109000"),
        Column("standards", "执行标准", help=_("多个用分号分隔"), example="GB 4706.1-2005；GB 4706.19-2008", width=30),
        Column("export_markets", "出口市场", help=_("国家名称或ISO代码，多个用顿号分隔"), example="美国、德国"),
        Column("is_public", "是否公开", help=_("是/否，留空为是"), example="是"),
    )

    def allowed(self, actor):
        return actor.is_enterprise or actor.is_regulator or actor.is_platform_admin

    def natural_key(self, data, actor):
        code = normalise_uscc(data.get("enterprise_uscc")) or None
        if code is None and actor.is_enterprise:
            # A blank code means the enterprise's own: the same product as a row that
            # spells the code out, so the two must count as duplicates.
            code = actor.organisation.uscc
        model = (data.get("model") or "").strip()
        return (code, model) if model else None

    def find_existing(self, actor, key):
        code, model = key
        qs = changeable(Product, actor).filter(model=model)
        if code:
            qs = qs.filter(enterprise__uscc=code)
        elif actor.is_enterprise:
            qs = qs.filter(enterprise=actor.organisation)
        else:
            return None
        return qs.select_related("enterprise").first()

    def current_values(self, existing):
        return {
            "enterprise_uscc": existing.enterprise.uscc,
            "name": existing.name,
            "brand": existing.brand,
            "model": existing.model,
            "category": existing.category,
            "hs_code": existing.hs_code,
            "standards": "；".join(existing.standards.order_by("pk").values_list("code", flat=True)),
            "export_markets": "、".join(existing.export_markets or []),
            "is_public": "是" if existing.is_public else "否",
        }

    def form_for(self, actor, data, existing):
        data = dict(data)
        if not data.get("is_public"):
            data["is_public"] = "是"
        if existing is not None:
            data["standards"] = data.get("standards", "")
        return ProductForm(data=data, actor=actor, instance=existing)

    def save(self, actor, form, existing):
        return product_save(actor=actor, data=form.cleaned_data, instance=existing)[1]


register(EnterpriseImport())
register(ProductImport())
