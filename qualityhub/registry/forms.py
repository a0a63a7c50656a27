"""Forms for enterprises and products. The same form validates a page entry, an API
call (through the serializers) and every imported row."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from qualityhub.accounts.choices import OrganisationKind, OrganisationStatus, RegionLevel
from qualityhub.accounts.models import Organisation
from qualityhub.core.forms import (
    BootstrapFormMixin,
    FlexibleDateField,
    ListField,
    LookupChoiceField,
    LookupMultipleChoiceField,
    YesNoField,
)
from qualityhub.core.scoping import changeable, within_jurisdiction
from qualityhub.core.validators import normalise_uscc, validate_hs_code, validate_standard_code, validate_uscc
from qualityhub.registry.choices import CertificationKind, EnterpriseSize
from qualityhub.registry.countries import country_code
from qualityhub.registry.models import Certification, HonourTag, Industry, Product, Region


class EnterpriseForm(BootstrapFormMixin, forms.Form):
    """An enterprise's registration data.

    Regulators register enterprises inside their jurisdiction; an enterprise keeps
    its own profile up to date but cannot change its credit code or region.
    """

    uscc = forms.CharField(label=_l("统一社会信用代码"), max_length=30)
    name = forms.CharField(label=_l("企业名称"), max_length=200)
    region = LookupChoiceField(label=_l("所在区县"))
    industry = LookupChoiceField(label=_l("所属行业"), required=False)
    size = LookupChoiceField(label=_l("企业规模"), required=False, choices=[("", "---------")] + list(EnterpriseSize.choices))
    honours = LookupMultipleChoiceField(label=_l("荣誉称号"), required=False)
    legal_representative = forms.CharField(label=_l("法定代表人"), max_length=60, required=False)
    established_on = FlexibleDateField(label=_l("成立日期"), required=False)
    address = forms.CharField(label=_l("地址"), max_length=255, required=False)
    status = LookupChoiceField(label=_l("登记状态"), required=False, choices=list(OrganisationStatus.choices))

    def __init__(self, *args, actor, instance=None, lookups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        lookups = lookups or enterprise_lookups()
        self.fields["region"].choices = lookups["region_choices"]
        self.fields["region"].aliases = lookups["region_aliases"]
        self.fields["industry"].choices = lookups["industry_choices"]
        self.fields["industry"].aliases = lookups["industry_aliases"]
        self.fields["honours"].choices = lookups["honour_choices"]
        # Name the value and say what is expected, instead of the generic "not one of
        # the available choices" (which fires before clean_region/clean_industry).
        self.fields["region"].error_messages["invalid_choice"] = _l("未知的地区“%(value)s”，请填写区县名称或6位区划代码。")
        self.fields["industry"].error_messages["invalid_choice"] = _l(
            "未知的行业“%(value)s”，请填写 GB/T 4754-2017 门类字母或大类代码。"
        )
        self._lookups = lookups
        if instance is not None and not actor.is_regulator and not actor.is_platform_admin:
            self.fields["uscc"].disabled = True
            self.fields["region"].disabled = True
            self.fields["status"].disabled = True
            # A disabled field takes its value from `initial`, never from the submitted
            # data; callers that pass no initial (the API, imports) keep the stored values.
            self.initial.setdefault("uscc", instance.uscc)
            self.initial.setdefault("region", instance.region_id)
            self.initial.setdefault("status", instance.status)

    def clean_uscc(self):
        code = normalise_uscc(self.cleaned_data["uscc"])
        validate_uscc(code)
        if self.instance is None:
            existing = Organisation.objects.filter(uscc=code).values_list("name", flat=True).first()
            if existing:
                raise ValidationError(_("该统一社会信用代码已登记（%(name)s）。") % {"name": existing})
        elif code != self.instance.uscc and Organisation.objects.filter(uscc=code).exists():
            raise ValidationError(_("该统一社会信用代码已被其他机构使用。"))
        return code

    def clean_region(self):
        code = self.cleaned_data["region"]
        region = self._lookups["regions"].get(code)
        if region is None:
            raise ValidationError(_("未知的地区“%(value)s”，请填写区县名称或6位区划代码。") % {"value": code})
        if self.fields["region"].disabled:
            return region
        if not (self.actor.is_platform_admin or within_jurisdiction(self.actor.jurisdiction, city_id=region.city_id, region_id=region.pk)):
            raise ValidationError(_("“%(region)s”不在本部门的管辖范围内。") % {"region": region.full_name})
        return region

    def clean_industry(self):
        code = self.cleaned_data.get("industry")
        if not code:
            return None
        industry = self._lookups["industries"].get(code)
        if industry is None:
            raise ValidationError(_("未知的行业“%(value)s”，请填写 GB/T 4754-2017 门类字母或大类代码。") % {"value": code})
        return industry

    def clean_honours(self):
        codes = self.cleaned_data.get("honours") or []
        tags = self._lookups["honours"]
        return [tags[c] for c in codes]

    def clean_status(self):
        return self.cleaned_data.get("status") or OrganisationStatus.ACTIVE

    def clean(self):
        cleaned = super().clean()
        if self.instance is None and not (self.actor.is_regulator or self.actor.is_platform_admin):
            raise ValidationError(_("只有市场监管部门可以登记新企业。"))
        return cleaned


def enterprise_lookups():
    """Reference data the enterprise form needs, loaded once (an import reuses it for
    every row instead of querying per row)."""
    regions = {r.code: r for r in Region.objects.select_related("city")}
    industries = {i.code: i for i in Industry.objects.all()}
    honours = {h.code: h for h in HonourTag.objects.order_by("sort")}
    region_aliases = {}
    for region in regions.values():
        if region.level == RegionLevel.PROVINCE:
            continue
        region_aliases[region.name] = region.code
        region_aliases[region.full_name] = region.code
        region_aliases["广东省" + region.full_name] = region.code
    return {
        "regions": regions,
        "industries": industries,
        "honours": honours,
        "region_choices": [("", "---------")]
        + [(r.code, r.full_name) for r in sorted(regions.values(), key=lambda r: r.code) if r.level != RegionLevel.PROVINCE],
        "region_aliases": region_aliases,
        "industry_choices": [("", "---------")] + [(i.code, str(i)) for i in sorted(industries.values(), key=lambda i: i.code)],
        "industry_aliases": {i.name: i.code for i in industries.values()},
        "honour_choices": [(h.code, h.name) for h in honours.values()],
    }


class ProductForm(BootstrapFormMixin, forms.Form):
    """A product. Natural key: the enterprise and the model (型号)."""

    enterprise_uscc = forms.CharField(label=_l("生产企业统一社会信用代码"), max_length=30, required=False)
    name = forms.CharField(label=_l("产品名称"), max_length=200)
    brand = forms.CharField(label=_l("品牌"), max_length=100, required=False)
    model = forms.CharField(label=_l("型号规格"), max_length=100)
    category = forms.CharField(label=_l("产品类别"), max_length=100, required=False)
    hs_code = forms.CharField(label=_l("HS编码"), max_length=20, required=False)
    standards = ListField(label=_l("执行标准"), required=False, item_validator=validate_standard_code,
                          help_text=_l("多个标准用顿号、逗号或分号分隔"))
    export_markets = ListField(label=_l("出口市场"), required=False, help_text=_l("国家名称或ISO代码，如 美国、DE"))
    is_public = YesNoField(label=_l("公开"), required=False, initial=True)

    def __init__(self, *args, actor, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        if actor.is_enterprise or instance is not None:
            self.fields["enterprise_uscc"].disabled = True
            self.fields["enterprise_uscc"].required = False

    def clean_enterprise_uscc(self):
        if self.instance is not None:
            return self.instance.enterprise
        if self.actor.is_enterprise:
            # An enterprise registers its own products only, whatever the cell says.
            given = normalise_uscc(self.data.get(self.add_prefix("enterprise_uscc"), ""))
            if given and given != self.actor.organisation.uscc:
                raise ValidationError(_("只能登记本企业的产品（本企业代码为 %(code)s）。") % {"code": self.actor.organisation.uscc})
            return self.actor.organisation
        code = normalise_uscc(self.cleaned_data.get("enterprise_uscc"))
        if not code:
            raise ValidationError(_("请填写生产企业的统一社会信用代码。"))
        validate_uscc(code)
        enterprise = changeable(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE), self.actor).filter(uscc=code).first()
        if enterprise is None:
            raise ValidationError(_("未找到代码为 %(code)s 的企业，或该企业不在您的管辖范围内。") % {"code": code})
        return enterprise

    def clean_hs_code(self):
        value = self.cleaned_data.get("hs_code")
        return validate_hs_code(value) if value else ""

    def clean_export_markets(self):
        codes, unknown = [], []
        for item in self.cleaned_data.get("export_markets") or []:
            code = country_code(item)
            if code is None:
                unknown.append(item)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise ValidationError(_("无法识别的国家或地区：%(items)s。请填写国家名称或 ISO 3166 代码。") % {"items": "、".join(unknown)})
        return codes

    def clean(self):
        cleaned = super().clean()
        enterprise = cleaned.get("enterprise_uscc")
        model = (cleaned.get("model") or "").strip()
        if enterprise is not None and model and self.instance is None:
            if Product.objects.filter(enterprise=enterprise, model=model).exists():
                self.add_error("model", _("本企业已登记型号为“%(model)s”的产品。") % {"model": model})
        elif enterprise is not None and model and self.instance is not None and model != self.instance.model:
            if Product.objects.filter(enterprise=enterprise, model=model).exclude(pk=self.instance.pk).exists():
                self.add_error("model", _("本企业已登记型号为“%(model)s”的产品。") % {"model": model})
        return cleaned


class CertificationForm(BootstrapFormMixin, forms.ModelForm):
    kind = LookupChoiceField(label=_l("认证类别"), choices=list(CertificationKind.choices))
    valid_from = FlexibleDateField(label=_l("有效期起"), required=False)
    valid_until = FlexibleDateField(label=_l("有效期至"), required=False)

    class Meta:
        model = Certification
        fields = ["kind", "number", "issuer", "valid_from", "valid_until"]

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.instance.product = product

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("有效期至不能早于有效期起。"))
        # The model's unique (product, kind, number) constraint is skipped by the
        # ModelForm because ``product`` is not a form field; check it here so a
        # duplicate is a form error, not a database IntegrityError.
        kind, number = cleaned.get("kind"), cleaned.get("number")
        if kind and number:
            duplicates = Certification.objects.filter(product=self.product, kind=kind, number=number)
            if self.instance.pk:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error(
                    "number",
                    _("本产品已登记%(kind)s证书“%(number)s”。") % {"kind": CertificationKind(kind).label, "number": number},
                )
        return cleaned
