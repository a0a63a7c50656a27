from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseSize(models.TextChoices):
    """Size classes by the NBS classification of large, medium, small and micro firms."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("门类")
    DIVISION = "division", _("大类")


class CertificationKind(models.TextChoices):
    CCC = "ccc", _("强制性产品认证（CCC）")
    CQC = "cqc", _("CQC 自愿性认证")
    ENERGY = "energy", _("节能认证")
    GREEN = "green", _("绿色产品认证")
    CE = "ce", _("CE")
    UL = "ul", _("UL")
    FDA = "fda", _("FDA")
    LICENCE = "licence", _("工业产品生产许可证")
    OTHER = "other", _("其他")
