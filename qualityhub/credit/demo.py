"""The credit part of the demo data: a sampling history for the demo enterprise (in
good standing, with one failed sample waiting for the second Shenzhen regulator), and
a few records for the first enterprises so the lists, the dashboard and the
good-standing list have something to show; quality credit codes for the demo
enterprise's products."""

import datetime

from django.utils import timezone

from qualityhub.accounts.models import User
from qualityhub.core import demo
from qualityhub.core.scoping import actor_for
from qualityhub.credit.choices import RecordChannel, RecordKind, RecordStatus, rule
from qualityhub.credit.codes import code_batch_issue, code_issue
from qualityhub.credit.models import CreditCode, CreditRecord
from qualityhub.credit.services import record_submit
from qualityhub.credit.scoring import rescore_all
from qualityhub.credit.standing import standing_refresh
from qualityhub.registry.models import Product

# At most this many enterprises get generated records (a benchmark-sized seed would
# otherwise spend its time here).
ENTERPRISES_WITH_RECORDS = 5000
KINDS = [
    (RecordKind.SAMPLING_PASS, 60), (RecordKind.SAMPLING_FAIL_GENERAL, 8), (RecordKind.SAMPLING_FAIL_SERIOUS, 1),
    (RecordKind.PENALTY, 4), (RecordKind.COMPLAINT, 5), (RecordKind.RECALL_VOLUNTARY, 2), (RecordKind.CERT_GAINED, 8),
    (RecordKind.AWARD_CITY, 2), (RecordKind.AWARD_PROVINCIAL, 1), (RecordKind.QUALITY_COMMITMENT, 7),
    (RecordKind.STANDARD_FORERUNNER, 2),
]


@demo.register
def credit_demo(builder):
    rng = builder.rng
    today = timezone.localdate()
    province = builder.regulators["广东省市场监督管理局"]
    shenzhen = builder.regulators["深圳市市场监督管理局"]
    enterprise = builder.demo_enterprise

    records, serial = [], 0
    kinds, weights = zip(*KINDS)
    for enterprise_id in builder.enterprise_ids[1:ENTERPRISES_WITH_RECORDS]:
        for _ in range(rng.randint(0, 3)):
            serial += 1
            kind = rng.choices(kinds, weights=weights)[0]
            fact = today - datetime.timedelta(days=rng.randint(30, 12 * 365))
            kind_rule = rule(kind)
            effective = fact + datetime.timedelta(days=14)
            publicity_until = effective + datetime.timedelta(days=kind_rule.publicity_days)
            records.append(CreditRecord(
                subject_id=enterprise_id, kind=kind, fact_date=fact, source_department="广东省市场监督管理局",
                reference=f"粤市监信〔{fact.year}〕{serial}号", summary=f"{kind.label}（演示数据）",
                penalty_amount=rng.choice([5000, 20000, 50000]) if kind_rule.needs_amount else None,
                status=RecordStatus.ACTIVE if publicity_until >= today else RecordStatus.EXPIRED,
                channel=RecordChannel.API, entered_org=province, effective_on=effective, publicity_until=publicity_until,
            ))
    CreditRecord.objects.bulk_create(records, batch_size=2000)

    # The demo enterprise: sampled every year or two since 2015, never failed; a city
    # quality award; and a failed sample typed in by the Shenzhen regulator, waiting
    # for the second Shenzhen account to approve it.
    regulator = actor_for(User.objects.get(email="shenzhen@demo.qualityhub.cn"), shenzhen)
    for year in (2015, 2017, 2019, 2021, 2023, 2025):
        record_submit(actor=regulator, channel=RecordChannel.API, data={
            "subject": enterprise, "product": None, "kind": RecordKind.SAMPLING_PASS,
            "fact_date": datetime.date(year, 6, 18), "source_department": "深圳市市场监督管理局",
            "reference": f"深市监抽〔{year}〕1806号", "summary": "电热水壶产品质量监督抽查，结果合格", "penalty_amount": None,
            "internal_note": "",
        })
    record_submit(actor=regulator, channel=RecordChannel.API, data={
        "subject": enterprise, "product": None, "kind": RecordKind.AWARD_CITY, "fact_date": datetime.date(2024, 12, 1),
        "source_department": "深圳市人民政府", "reference": "深府〔2024〕88号", "summary": "深圳市质量奖",
        "penalty_amount": None, "internal_note": "",
    })
    record_submit(actor=regulator, channel=RecordChannel.WEB, data={
        "subject": enterprise, "product": None, "kind": RecordKind.SAMPLING_FAIL_GENERAL,
        "fact_date": today - datetime.timedelta(days=7), "source_department": "深圳市市场监督管理局",
        "reference": f"深市监抽〔{today.year}〕2211号", "summary": "电吹风产品质量监督抽查，标志和说明项目不合格",
        "penalty_amount": None, "internal_note": "抽样单编号 SZ-CJ-0042（演示）",
    })
    listed = standing_refresh()
    # The bulk-created records sent no signal: classify everyone once.
    rescore_all()
    # Quality credit codes for the demo enterprise's public products, one batch each
    # for the first three (label sheets to print).
    owner = User.objects.get(email="enterprise@demo.qualityhub.cn")
    maker = actor_for(owner, enterprise)
    products = list(Product.objects.filter(enterprise=enterprise, is_public=True).order_by("id")[:3])
    for product in products:
        code_issue(actor=maker, product=product)
        code_batch_issue(actor=maker, product=product, quantity=12, note="演示批次")
    builder.say(f"credit records: {CreditRecord.objects.count()}; good standing: {listed}; "
                f"credit codes: {CreditCode.objects.count()}")
