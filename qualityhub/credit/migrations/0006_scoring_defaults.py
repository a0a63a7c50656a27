"""The default scoring model (version 1, active) and the default inspection shares
per class: A at most 5% a year, B 5–20%, C 21–60%, D 61–100%."""

import copy

from django.db import migrations

QUOTAS = [("A", 0, 5, 1), ("B", 5, 20, 1), ("C", 21, 60, 2), ("D", 61, 100, 4)]


def create_defaults(apps, schema_editor):
    from qualityhub.credit.scoring_config import DEFAULT_CONFIG

    ScoringModel = apps.get_model("credit", "ScoringModel")
    InspectionQuota = apps.get_model("credit", "InspectionQuota")
    if not ScoringModel.objects.exists():
        ScoringModel.objects.create(
            version=1, config=copy.deepcopy(DEFAULT_CONFIG), is_active=True, note="默认模型（按国家企业信用风险分类指标体系）"
        )
    for risk_class, low, high, times in QUOTAS:
        InspectionQuota.objects.get_or_create(
            risk_class=risk_class, defaults={"min_percent": low, "max_percent": high, "times_per_year": times}
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("credit", "InspectionQuota").objects.all().delete()
    apps.get_model("credit", "ScoringModel").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0005_scoring")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
