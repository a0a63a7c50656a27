from qualityhub.core.scoping import visible
from qualityhub.registry.models import Product


def test_fixed_actors_see_their_own_products(actors):
    assert set(visible(Product, actors.owner.actor)) == {actors.product_a, actors.product_a_private}
    assert actors.product_b not in set(visible(Product, actors.owner.actor))
    assert set(visible(Product, actors.anonymous.actor)) == {actors.product_a, actors.product_b, actors.product_c}
