"""The registry: regions, industries, honours, enterprise profiles and products."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import RegionLevel
from qualityhub.core.models import AuditedModel
from qualityhub.core.scoping import ScopeRule
from qualityhub.core.validators import validate_hs_code, validate_standard_code
from qualityhub.registry.choices import CertificationKind, EnterpriseSize, IndustryLevel


class Region(models.Model):
    """A GB/T 2260 administrative division of Guangdong (province, city, district).

    ``city`` points at the prefecture-level city (itself for a city; empty for the
    province), so jurisdiction filters never walk the tree.
    """

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    city = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        if self.level == RegionLevel.DISTRICT and self.city_id:
            return f"{self.city.name}{self.name}"
        return self.name


class Industry(models.Model):
    """GB/T 4754-2017 industrial classification: sections (A–T) and divisions (01–97)."""

    code = models.CharField(_("行业代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=IndustryLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class HonourTag(models.Model):
    """An honour an enterprise holds: specialised-and-sophisticated SME, "little
    giant", single-item champion, chain leader, high-tech enterprise …"""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("荣誉称号")
        verbose_name_plural = _("荣誉称号")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class EnterpriseProfile(AuditedModel):
    """What the registry knows of an enterprise beyond its organisation record."""

    organisation = models.OneToOneField(
        "accounts.Organisation", primary_key=True, on_delete=models.CASCADE, related_name="profile"
    )
    industry = models.ForeignKey(Industry, verbose_name=_("所属行业"), null=True, blank=True, on_delete=models.PROTECT)
    size = models.CharField(_("企业规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    honours = models.ManyToManyField(HonourTag, verbose_name=_("荣誉称号"), blank=True, related_name="enterprises")
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)

    scope = ScopeRule(organisation_path="organisation")

    class Meta:
        verbose_name = _("企业档案")
        verbose_name_plural = _("企业档案")
        indexes = [models.Index(fields=["industry", "size"], name="profile_industry_size_idx")]

    def __str__(self):
        return str(self.organisation)


class Product(AuditedModel):
    """A product an enterprise makes. Natural key: the enterprise and the model."""

    enterprise = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("生产企业"), on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(_("产品名称"), max_length=200)
    brand = models.CharField(_("品牌"), max_length=100, blank=True)
    model = models.CharField(_("型号规格"), max_length=100)
    category = models.CharField(_("产品类别"), max_length=100, blank=True)
    hs_code = models.CharField(_("HS编码"), max_length=10, blank=True, validators=[validate_hs_code])
    export_markets = models.JSONField(_("出口市场"), default=list, blank=True, help_text=_("ISO 3166 二位国家代码"))
    is_public = models.BooleanField(_("公开"), default=True, help_text=_("公开的产品可被公众查询。"))

    scope = ScopeRule(organisation_path="enterprise", public=Q(is_public=True))

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "model"], name="product_enterprise_model_unique")]
        indexes = [models.Index(fields=["hs_code"], name="product_hs_idx")]

    def __str__(self):
        return f"{self.name} {self.model}".strip()


class ProductStandard(AuditedModel):
    """A standard the product is made to (its "executed standard")."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(_("标准编号"), max_length=60, validators=[validate_standard_code])

    scope = ScopeRule(organisation_path="product__enterprise", public=Q(product__is_public=True))

    class Meta:
        verbose_name = _("执行标准")
        verbose_name_plural = _("执行标准")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="product_standard_unique")]
        indexes = [models.Index(fields=["code"], name="product_standard_code_idx")]

    def __str__(self):
        return self.code


class Certification(AuditedModel):
    """A certificate or licence a product holds, with its validity."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(_("认证类别"), max_length=10, choices=CertificationKind.choices)
    number = models.CharField(_("证书编号"), max_length=80)
    issuer = models.CharField(_("发证机构"), max_length=120)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    scope = ScopeRule(organisation_path="product__enterprise", public=Q(product__is_public=True))

    class Meta:
        verbose_name = _("认证证书")
        verbose_name_plural = _("认证证书")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "kind", "number"], name="certification_product_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="certification_validity_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"
