"""Reproducible demo data: regulators, enterprises, providers, products, demo logins.

Everything is drawn from one seeded random generator, so the same arguments give the
same dataset on every machine. Enterprises and products are inserted in bulk batches
(one million enterprises take minutes, not hours).
"""

import random
from datetime import date, timedelta

from django.db import connection, transaction

from qualityhub.accounts.choices import MembershipRole, OrganisationKind, RegionLevel
from qualityhub.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from qualityhub.accounts.models import Membership, Organisation, User
from qualityhub.core import demo as demo_steps
from qualityhub.core.search import indexed_text
from qualityhub.core.validators import USCC_ALPHABET, uscc_check_character
from qualityhub.registry.choices import CertificationKind, EnterpriseSize
from qualityhub.registry.models import (
    Certification,
    EnterpriseProfile,
    HonourTag,
    Industry,
    Product,
    ProductStandard,
    Region,
)

SEED = 20261122
BATCH = 5000

_ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

NAME_STEMS = list("华美嘉信达通联创宏泰恒瑞丰盛鑫源德安康宇航星辰海天润锦腾飞凯利万科顺兴隆富新力博远明智睿科")
TRADES = [
    ("电器", "38"), ("五金制品", "33"), ("电子科技", "39"), ("服装", "18"), ("陶瓷", "30"), ("家具", "21"),
    ("玩具", "24"), ("照明科技", "38"), ("食品", "14"), ("塑胶制品", "29"), ("精密机械", "34"), ("新材料", "26"),
    ("纺织", "17"), ("医疗器械", "35"), ("汽车零部件", "36"), ("电池", "38"), ("包装印刷", "23"), ("建材", "30"),
]
SUFFIXES = ["有限公司", "股份有限公司", "实业有限公司", "科技有限公司", "制造有限公司"]

PRODUCTS = [
    ("电热水壶", "家用电器", "8516719000", ["GB 4706.1-2005", "GB 4706.19-2008"]),
    ("电饭锅", "家用电器", "8516603000", ["GB 4706.1-2005", "GB 4706.19-2008"]),
    ("LED灯具", "照明电器", "9405409000", ["GB 7000.1-2015"]),
    ("儿童玩具", "玩具", "9503008900", ["GB 6675.1-2014"]),
    ("电动自行车", "交通工具", "8711600010", ["GB 17761-2018"]),
    ("陶瓷砖", "建筑材料", "6907210000", ["GB/T 4100-2015"]),
    ("锂离子电池", "电子产品", "8507600090", ["GB 31241-2022"]),
    ("办公椅", "家具", "9401300000", ["GB/T 26182-2010"]),
    ("女式衬衫", "纺织服装", "6206400000", ["GB 18401-2010", "GB/T 2660-2017"]),
    ("不锈钢锅具", "日用五金", "7323930000", ["GB 4806.9-2016"]),
    ("电线电缆", "电工产品", "8544492100", ["GB/T 5023.1-2008"]),
    ("移动电源", "电子产品", "8507600090", ["GB 4943.1-2022", "GB/T 35590-2017"]),
    ("婴儿推车", "儿童用品", "8715000000", ["GB 14748-2006"]),
    ("插头插座", "电工产品", "8536690000", ["GB/T 2099.1-2021"]),
]
MARKETS = ["US", "DE", "GB", "JP", "AU", "VN", "SA", "MY", "FR", "IT", "KR", "AE", "NL", "MX", "BR"]

PROVIDERS = [
    (OrganisationKind.LAB, ["广东产品质量监督检验研究院", "深圳市计量质量检测研究院", "广州检验检测认证集团有限公司",
                            "佛山市质量计量监督检测中心", "东莞市质量监督检测中心", "中山市质量计量监督检测所",
                            "珠海市产品质量监督检验所", "汕头市质量计量监督检测所", "江门市质量计量监督检测所", "惠州市产品质量监督检验所"]),
    (OrganisationKind.CERTIFIER, ["广东质检中诚认证有限公司", "广州赛宝认证中心服务有限公司", "深圳华测认证有限公司"]),
    (OrganisationKind.METROLOGY, ["广东省计量科学研究院", "深圳市计量测试研究院"]),
    (OrganisationKind.STANDARDS, ["广东省标准化研究院", "深圳市标准技术研究院"]),
    (OrganisationKind.PRODUCT_HOSPITAL, ["广东省产品质量医院（顺德分院）", "深圳市小家电产品医院", "东莞市五金产品医院"]),
    (OrganisationKind.ASSOCIATION, ["广东省质量协会", "广东省家用电器行业协会"]),
    (OrganisationKind.BANK, ["广东省示范银行股份有限公司"]),
]


def _gb11714_check(code8):
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(code8, _GB11714_WEIGHTS))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_uscc(rng, region_code, authority="9", entity_type="1"):
    """A code that passes both the GB 32100 and the embedded GB 11714 check."""
    body = "MA" + "".join(rng.choice(_ORG_CODE_CHARS) for _ in range(6))
    first17 = f"{authority}{entity_type}{region_code}{body}{_gb11714_check(body)}"
    assert all(c in USCC_ALPHABET for c in first17)
    return first17 + uscc_check_character(first17)


class DemoBuilder:
    def __init__(self, *, enterprises=2000, products=None, stdout=None):
        self.rng = random.Random(SEED)
        self.n_enterprises = enterprises
        self.n_products = products if products is not None else min(5 * enterprises, 10_000)
        self.stdout = stdout
        self.used_codes = set(Organisation.objects.values_list("uscc", flat=True))

    def say(self, text):
        if self.stdout:
            self.stdout.write(text)

    def code(self, region_code, **kwargs):
        while True:
            value = make_uscc(self.rng, region_code, **kwargs)
            if value not in self.used_codes:
                self.used_codes.add(value)
                return value

    def org(self, name, kind, region, jurisdiction=None, **kwargs):
        return Organisation(
            name=name, uscc=self.code(region.code, **kwargs), kind=kind, region=region,
            city=region.city or region, jurisdiction=jurisdiction, search_text=indexed_text(name),
        )

    @transaction.atomic
    def build(self):
        province = Region.objects.get(code="440000")
        cities = list(Region.objects.filter(level=RegionLevel.CITY).order_by("code"))
        districts = list(Region.objects.filter(level=RegionLevel.DISTRICT).select_related("city").order_by("code"))
        by_city = {c.code: [d for d in districts if d.city_id == c.code] or [c] for c in cities}

        regulators = [self.org("广东省市场监督管理局", OrganisationKind.REGULATOR, province, province, authority="1", entity_type="1")]
        for city in cities:
            regulators.append(self.org(f"{city.name}市场监督管理局", OrganisationKind.REGULATOR, city, city, authority="1", entity_type="1"))
        Organisation.objects.bulk_create(regulators)
        self.say(f"regulators: {len(regulators)}")

        providers = []
        for kind, names in PROVIDERS:
            for name in names:
                city = next((c for c in cities if name.startswith(c.name[:2])), cities[0])
                providers.append(self.org(name, kind, self.rng.choice(by_city[city.code]), authority="1" if kind in (OrganisationKind.LAB, OrganisationKind.METROLOGY) else "9", entity_type="2" if kind in (OrganisationKind.LAB, OrganisationKind.METROLOGY) else "1"))
        Organisation.objects.bulk_create(providers)
        self.say(f"providers: {len(providers)}")

        # The demo enterprise comes first so its id is stable and small.
        nanshan = Region.objects.get(code="440305")
        demo_enterprise = self.org("深圳市示范电器有限公司", OrganisationKind.ENTERPRISE, nanshan)
        Organisation.objects.bulk_create([demo_enterprise])
        industries = {i.code: i for i in Industry.objects.filter(level="division")}
        honours = list(HonourTag.objects.order_by("sort"))
        profiles = [self.profile(demo_enterprise, industries["38"], EnterpriseSize.SMALL)]
        honour_links = [(demo_enterprise.pk, honours[0].pk), (demo_enterprise.pk, honours[4].pk)]

        # Weight cities roughly by their share of Guangdong's manufacturers.
        weights = {"440300": 18, "440100": 14, "441900": 12, "440600": 12, "442000": 5, "441300": 5, "440700": 4, "440500": 4}
        city_weights = [weights.get(c.code, 2) for c in cities]
        created = 1
        enterprise_ids = [demo_enterprise.pk]
        while created < self.n_enterprises:
            size = min(BATCH, self.n_enterprises - created)
            batch, meta = [], []
            for _ in range(size):
                city = self.rng.choices(cities, weights=city_weights)[0]
                region = self.rng.choice(by_city[city.code])
                trade, division = self.rng.choice(TRADES)
                stem = "".join(self.rng.sample(NAME_STEMS, 2))
                prefix = city.name if self.rng.random() < 0.8 else f"广东{city.name[:-1]}"
                name = f"{prefix}{stem}{trade}{self.rng.choice(SUFFIXES)}"
                batch.append(self.org(name, OrganisationKind.ENTERPRISE, region))
                meta.append(division)
            Organisation.objects.bulk_create(batch, batch_size=BATCH)
            for org, division in zip(batch, meta):
                size_class = self.rng.choices(list(EnterpriseSize), weights=[3, 12, 45, 40])[0]
                profiles.append(self.profile(org, industries[division], size_class))
                enterprise_ids.append(org.pk)
                if self.rng.random() < 0.08:
                    honour_links.append((org.pk, self.rng.choice(honours).pk))
            EnterpriseProfile.objects.bulk_create(profiles, batch_size=BATCH)
            profiles = []
            created += size
            if created % 50_000 < BATCH:
                self.say(f"enterprises: {created}")
        if profiles:
            EnterpriseProfile.objects.bulk_create(profiles, batch_size=BATCH)
        Through = EnterpriseProfile.honours.through
        Through.objects.bulk_create(
            [Through(enterpriseprofile_id=e, honourtag_id=h) for e, h in dict.fromkeys(honour_links)], batch_size=BATCH,
            ignore_conflicts=True,
        )
        self.say(f"enterprises: {len(enterprise_ids)}")

        self.products(enterprise_ids, demo_enterprise)
        self.users(regulators, providers, demo_enterprise, cities)
        self.enterprise_ids = enterprise_ids
        self.demo_enterprise = demo_enterprise
        self.regulators = {o.name: o for o in regulators}
        demo_steps.run_steps(self)
        return demo_enterprise

    def profile(self, org, industry, size):
        start = date(1995, 1, 1)
        return EnterpriseProfile(
            organisation=org,
            industry=industry,
            size=size,
            legal_representative=self.rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许") + self.rng.choice(["伟", "芳", "敏", "静", "强", "磊", "洋", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "志强", "建华"]),
            established_on=start + timedelta(days=self.rng.randrange(0, 365 * 30)),
            address=f"{org.region.full_name if hasattr(org.region, 'full_name') else ''}{self.rng.choice(['工业大道', '科技路', '创业路', '兴业路', '环城路'])}{self.rng.randint(1, 999)}号",
        )

    def products(self, enterprise_ids, demo_enterprise):
        rng = self.rng
        products = []
        per_enterprise = {}
        demo_count = min(12, self.n_products)  # never more products than asked for
        plan = [demo_enterprise.pk] * demo_count + [rng.choice(enterprise_ids) for _ in range(max(0, self.n_products - demo_count))]
        for enterprise_id in plan:
            name, category, hs, codes = rng.choice(PRODUCTS)
            n = per_enterprise.get(enterprise_id, 0) + 1
            per_enterprise[enterprise_id] = n
            model = f"{''.join(rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ') for _ in range(2))}-{rng.randint(100, 9999)}-{n}"
            markets = rng.sample(MARKETS, rng.randint(0, 3))
            products.append(Product(enterprise_id=enterprise_id, name=name, brand=rng.choice(["美嘉", "华信", "宏泰", "瑞丰", "星辰", "博远", "睿科"]), model=model,
                                    category=category, hs_code=hs, export_markets=markets, is_public=rng.random() < 0.95))
            if len(products) >= BATCH:
                self._flush_products(products)
                products = []
        self._flush_products(products)
        self.say(f"products: {len(plan)}")

    def _flush_products(self, products):
        if not products:
            return
        Product.objects.bulk_create(products, batch_size=BATCH)
        lookup = {name: codes for name, _category, _hs, codes in PRODUCTS}
        standards, certs = [], []
        for product in products:
            for code in lookup[product.name]:
                standards.append(ProductStandard(product=product, code=code))
            if self.rng.random() < 0.4:
                start = date(2022, 1, 1) + timedelta(days=self.rng.randrange(0, 900))
                certs.append(Certification(product=product, kind=self.rng.choice([CertificationKind.CCC, CertificationKind.CQC, CertificationKind.CE]),
                                           number=f"{start.year}0{self.rng.randint(10000000, 99999999)}", issuer="中国质量认证中心",
                                           valid_from=start, valid_until=start + timedelta(days=365 * 5)))
        ProductStandard.objects.bulk_create(standards, batch_size=BATCH)
        Certification.objects.bulk_create(certs, batch_size=BATCH)

    def users(self, regulators, providers, demo_enterprise, cities):
        by_name = {o.name: o for o in regulators + providers}
        first_of_kind = {}
        for org in providers:
            first_of_kind.setdefault(org.kind, org)
        targets = {
            "admin@demo.qualityhub.cn": (None, MembershipRole.ADMIN),
            "province@demo.qualityhub.cn": (by_name["广东省市场监督管理局"], MembershipRole.ADMIN),
            "shenzhen@demo.qualityhub.cn": (by_name["深圳市市场监督管理局"], MembershipRole.ADMIN),
            "shenzhen2@demo.qualityhub.cn": (by_name["深圳市市场监督管理局"], MembershipRole.STAFF),
            "guangzhou@demo.qualityhub.cn": (by_name["广州市市场监督管理局"], MembershipRole.ADMIN),
            "enterprise@demo.qualityhub.cn": (demo_enterprise, MembershipRole.ADMIN),
            "staff@demo.qualityhub.cn": (demo_enterprise, MembershipRole.STAFF),
            "lab@demo.qualityhub.cn": (first_of_kind[OrganisationKind.LAB], MembershipRole.ADMIN),
            "certifier@demo.qualityhub.cn": (first_of_kind[OrganisationKind.CERTIFIER], MembershipRole.ADMIN),
            "hospital@demo.qualityhub.cn": (first_of_kind[OrganisationKind.PRODUCT_HOSPITAL], MembershipRole.ADMIN),
            "bank@demo.qualityhub.cn": (first_of_kind[OrganisationKind.BANK], MembershipRole.ADMIN),
        }
        # One argon2 hash for every demo account: hashing is deliberately slow.
        template = User(email="x@example.invalid")
        template.set_password(DEMO_PASSWORD)
        for email, mobile, name, _role in DEMO_ACCOUNTS:
            org, role = targets[email]
            user = User.objects.create(email=email, mobile=mobile, name=name, password=template.password,
                                       is_superuser=org is None, is_staff=org is None)
            if org is not None:
                Membership.objects.create(user=user, organisation=org, role=role)
        self.say(f"demo users: {len(DEMO_ACCOUNTS)}")


def analyse():
    """Refresh planner statistics after a bulk load."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
