"""The demo logins, shown on the login page and printed by `make run` when the
database holds the demo data (DEMO_MODE)."""

from django.conf import settings

DEMO_PASSWORD = "Demo@2026"

# (email, mobile, name, role description). The organisations are created by seed_demo.
DEMO_ACCOUNTS = [
    ("admin@demo.qualityhub.cn", "13800000000", "平台管理员", "平台管理员"),
    ("province@demo.qualityhub.cn", "13800000001", "省局监管员", "省市场监管局"),
    ("shenzhen@demo.qualityhub.cn", "13800000002", "深圳市局监管员", "深圳市市场监管局"),
    ("shenzhen2@demo.qualityhub.cn", "13800000003", "深圳市局复核员", "深圳市市场监管局（第二监管员）"),
    ("guangzhou@demo.qualityhub.cn", "13800000004", "广州市局监管员", "广州市市场监管局"),
    ("enterprise@demo.qualityhub.cn", "13800000010", "企业管理员", "企业（管理员）"),
    ("staff@demo.qualityhub.cn", "13800000011", "企业质量员", "企业（工作人员）"),
    ("lab@demo.qualityhub.cn", "13800000020", "检测机构", "检验检测机构"),
    ("certifier@demo.qualityhub.cn", "13800000021", "认证机构", "认证机构"),
    ("hospital@demo.qualityhub.cn", "13800000022", "产品医院", "产品医院"),
    ("bank@demo.qualityhub.cn", "13800000030", "银行信贷员", "银行"),
]


def demo_accounts():
    if not settings.DEMO_MODE:
        return []
    from qualityhub.accounts.models import User

    existing = set(User.objects.filter(email__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("email", flat=True))
    return [
        {"email": email, "mobile": mobile, "name": name, "role": role, "password": DEMO_PASSWORD}
        for email, mobile, name, role in DEMO_ACCOUNTS
        if email in existing
    ]
