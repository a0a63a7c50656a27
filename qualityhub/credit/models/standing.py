"""The good-standing list: subjects with no failed supervision sample for at least 3,
5 or 10 consecutive years, recomputed from the records (credit/standing.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityhub.core.scoping import ScopeRule


class GoodStanding(models.Model):
    """One subject on the good-standing list. City and industry are copied from the
    subject so the public list filters on one indexed table."""

    subject = models.OneToOneField(
        "accounts.Organisation", primary_key=True, on_delete=models.CASCADE, related_name="good_standing",
        verbose_name=_("企业"),
    )
    tier = models.PositiveSmallIntegerField(_("连续无不合格年数档次"))
    clean_since = models.DateField(_("起算日期"))
    city = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("地市"))
    industry = models.ForeignKey(
        "registry.Industry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("行业")
    )
    computed_at = models.DateTimeField(_("计算时间"))

    scope = ScopeRule(organisation_path="subject", public=Q(tier__gte=3), regulator_can_change=False)

    class Meta:
        verbose_name = _("质量信用良好名单")
        verbose_name_plural = _("质量信用良好名单")
        indexes = [
            models.Index(fields=["tier", "city", "-subject"], name="standing_tier_city_idx"),
            models.Index(fields=["industry", "tier"], name="standing_industry_idx"),
        ]

    def __str__(self):
        return f"{self.subject_id} {self.tier}"
