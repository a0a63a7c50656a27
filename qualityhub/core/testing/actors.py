"""The fixed actors every access test uses (healthchecks/NetBox style).

- owner: admin of enterprise A (Shenzhen, Nanshan)
- colleague: staff member of enterprise A
- outsider: admin of enterprise B (also Shenzhen, Futian) — same city, other firm
- far_enterprise: admin of enterprise C in Guangzhou
- regulator_same_city: Shenzhen bureau; regulator_other_city: Guangzhou bureau
- regulator_district: Nanshan district bureau; regulator_province: the province
- provider: a testing lab; bank: a bank; platform_admin: superuser; anonymous
"""

from dataclasses import dataclass

from django.test import Client

from qualityhub.accounts.choices import MembershipRole, OrganisationKind
from qualityhub.core.scoping import ANONYMOUS, Actor
from qualityhub.core.testing.factories import (
    EnterpriseFactory,
    MembershipFactory,
    OrganisationFactory,
    ProductFactory,
    RegulatorFactory,
    UserFactory,
    region,
)

PASSWORD = "Test@12345"


@dataclass
class Person:
    user: object
    organisation: object
    role: str

    @property
    def actor(self):
        if self.user is None:
            return ANONYMOUS
        return Actor(user=self.user, organisation=self.organisation, role=self.role)

    def client(self):
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client


class Actors:
    def __init__(self):
        self.enterprise_a = EnterpriseFactory(name="深圳市甲电器有限公司", region=region("440305"))
        self.enterprise_b = EnterpriseFactory(name="深圳市乙五金有限公司", region=region("440304"))
        self.enterprise_c = EnterpriseFactory(name="广州市丙服装有限公司", region=region("440106"))
        self.product_a = ProductFactory(enterprise=self.enterprise_a, model="A-100")
        self.product_b = ProductFactory(enterprise=self.enterprise_b, model="B-200")
        self.product_c = ProductFactory(enterprise=self.enterprise_c, model="C-300")
        self.product_a_private = ProductFactory(enterprise=self.enterprise_a, model="A-PRIVATE", is_public=False)
        self.shenzhen = RegulatorFactory(region=region("440300"))
        self.guangzhou = RegulatorFactory(region=region("440100"))
        self.nanshan = RegulatorFactory(region=region("440305"))
        self.province = RegulatorFactory(region=region("440000"))
        self.lab = OrganisationFactory(name="深圳检测研究院", kind=OrganisationKind.LAB)
        self.bank_org = OrganisationFactory(name="示例银行", kind=OrganisationKind.BANK)

        self.owner = self._member(self.enterprise_a, MembershipRole.ADMIN)
        self.colleague = self._member(self.enterprise_a, MembershipRole.STAFF)
        self.outsider = self._member(self.enterprise_b, MembershipRole.ADMIN)
        self.far_enterprise = self._member(self.enterprise_c, MembershipRole.ADMIN)
        self.regulator_same_city = self._member(self.shenzhen, MembershipRole.ADMIN)
        self.regulator_other_city = self._member(self.guangzhou, MembershipRole.ADMIN)
        self.regulator_district = self._member(self.nanshan, MembershipRole.ADMIN)
        self.regulator_province = self._member(self.province, MembershipRole.ADMIN)
        self.provider = self._member(self.lab, MembershipRole.ADMIN)
        self.bank = self._member(self.bank_org, MembershipRole.ADMIN)
        self.platform_admin = Person(UserFactory(is_superuser=True, is_staff=True), None, "")
        self.anonymous = Person(None, None, "")

    def _member(self, organisation, role):
        membership = MembershipFactory(organisation=organisation, role=role)
        return Person(membership.user, organisation, role)

    def all(self):
        names = [
            "owner", "colleague", "outsider", "far_enterprise", "regulator_same_city", "regulator_other_city",
            "regulator_district", "regulator_province", "provider", "bank", "platform_admin", "anonymous",
        ]
        return {name: getattr(self, name) for name in names}
