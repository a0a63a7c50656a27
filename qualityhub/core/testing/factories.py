"""factory_boy factories shared by every app's tests."""

import functools
import itertools
import random

import factory
from django.contrib.auth.hashers import make_password

from qualityhub.accounts.choices import MembershipRole, OrganisationKind
from qualityhub.accounts.models import Membership, Organisation, User
from qualityhub.core.search import indexed_text
from qualityhub.registry.demo import make_uscc
from qualityhub.registry.models import EnterpriseProfile, Product, ProductStandard, Region

TEST_PASSWORD = "Test@12345"

_rng = random.Random(7)


@functools.cache
def _test_password_hash():
    return make_password(TEST_PASSWORD)

_used = set()


def unique_uscc(region_code="440305", **kwargs):
    while True:
        code = make_uscc(_rng, region_code, **kwargs)
        if code not in _used:
            _used.add(code)
            return code


def region(code):
    return Region.objects.select_related("city").get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试机构{n}有限公司")
    kind = OrganisationKind.ENTERPRISE
    region = factory.LazyFunction(lambda: region("440305"))
    city = factory.LazyAttribute(lambda o: o.region.city or o.region)
    uscc = factory.LazyAttribute(lambda o: unique_uscc(o.region.code))
    search_text = factory.LazyAttribute(lambda o: indexed_text(o.name))


class EnterpriseFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"深圳市测试{n}电器有限公司")
    profile = factory.RelatedFactory("qualityhub.core.testing.factories.EnterpriseProfileFactory", factory_related_name="organisation")


class EnterpriseProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseProfile

    size = "small"


class RegulatorFactory(OrganisationFactory):
    kind = OrganisationKind.REGULATOR
    name = factory.LazyAttribute(lambda o: f"{o.region.name}市场监督管理局")
    jurisdiction = factory.LazyAttribute(lambda o: o.region)
    uscc = factory.LazyAttribute(lambda o: unique_uscc(o.region.code, authority="1", entity_type="1"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    # A real argon2 hash, computed once: hashing costs ~0.1 s by design, and the access
    # matrix builds a dozen users per test.
    password = factory.LazyFunction(lambda: _test_password_hash())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(EnterpriseFactory)
    role = MembershipRole.ADMIN


_models = itertools.count(1)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = "电热水壶"
    brand = "示例"
    model = factory.LazyFunction(lambda: f"SK-{next(_models)}")
    category = "家用电器"
    hs_code = "8516719000"
    export_markets = factory.LazyFunction(lambda: ["US"])

    @factory.post_generation
    def standards(self, create, extracted, **kwargs):
        if create:
            for code in extracted if extracted is not None else ["GB 4706.1-2005"]:
                ProductStandard.objects.create(product=self, code=code)
