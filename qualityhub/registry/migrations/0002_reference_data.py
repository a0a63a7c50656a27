"""Load GB/T 2260 divisions of Guangdong, GB/T 4754-2017 sections and divisions, and
the honour tags. Data files live in qualityhub/registry/data/."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

HONOURS = [
    ("zhuanjingtexin", "专精特新中小企业", 10),
    ("little-giant", "专精特新“小巨人”企业", 20),
    ("single-champion", "制造业单项冠军企业", 30),
    ("chain-leader", "产业链链主企业", 40),
    ("high-tech", "高新技术企业", 50),
    ("innovative-sme", "创新型中小企业", 60),
    ("quality-benchmark", "质量标杆企业", 70),
    ("time-honoured", "中华老字号", 80),
]


def _rows(name):
    with open(DATA / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    Industry = apps.get_model("registry", "Industry")
    HonourTag = apps.get_model("registry", "HonourTag")
    rows = _rows("regions_guangdong.csv")
    levels = {"province": 0, "city": 1, "district": 2}
    rows.sort(key=lambda r: (levels[r["level"]], r["code"]))
    for row in rows:
        city = None
        if row["level"] == "city":
            city = row["code"]
        elif row["level"] == "district":
            city = row["parent_code"]
        Region.objects.create(
            code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"] or None, city_id=city
        )
    industries = _rows("industries_gb4754_2017.csv")
    industries.sort(key=lambda r: (r["level"] != "section", r["code"]))
    for row in industries:
        Industry.objects.create(code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"] or None)
    HonourTag.objects.bulk_create([HonourTag(code=c, name=n, sort=s) for c, n, s in HONOURS])


def unload(apps, schema_editor):
    apps.get_model("registry", "HonourTag").objects.all().delete()
    apps.get_model("registry", "Region").objects.filter(level="district").delete()
    apps.get_model("registry", "Region").objects.filter(level="city").delete()
    apps.get_model("registry", "Region").objects.all().delete()
    apps.get_model("registry", "Industry").objects.filter(level="division").delete()
    apps.get_model("registry", "Industry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
