from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", pgettext_lazy("organisation kind", "企业")
    LAB = "lab", _("检验检测/校准机构")
    CERTIFIER = "certifier", _("认证机构")
    METROLOGY = "metrology", _("计量技术机构")
    STANDARDS = "standards", _("标准化机构")
    PRODUCT_HOSPITAL = "product_hospital", _("产品医院")
    ASSOCIATION = "association", _("行业协会")
    BANK = "bank", _("银行")
    REGULATOR = "regulator", _("市场监管部门")

    @classmethod
    def providers(cls):
        """Kinds that offer quality services to enterprises."""
        return {cls.LAB, cls.CERTIFIER, cls.METROLOGY, cls.STANDARDS, cls.PRODUCT_HOSPITAL, cls.ASSOCIATION}


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    SUSPENDED = "suspended", _("停业")
    REVOKED = "revoked", _("吊销")
    DEREGISTERED = "deregistered", _("注销")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("管理员")
    STAFF = "staff", _("工作人员")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("地级市")
    DISTRICT = "district", _("区县")
