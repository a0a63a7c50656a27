"""Writes to the registry: one transaction each, audited by the shared mechanism."""


from qualityhub.accounts.choices import OrganisationKind
from qualityhub.accounts.models import Organisation
from qualityhub.accounts.services import organisation_set_search_text
from qualityhub.core.audit import write_service
from qualityhub.registry.models import EnterpriseProfile, Product, ProductStandard

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _assign(instance, values):
    changed = False
    for field, value in values.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    return changed


@write_service
def enterprise_save(*, actor, data, instance=None):
    """Create or update an enterprise from a validated ``EnterpriseForm``.

    Returns (organisation, outcome) with outcome "created", "updated" or "unchanged";
    nothing is written when nothing changed, so re-importing a file is a no-op.
    """
    region = data["region"]
    org_values = {"name": data["name"].strip(), "uscc": data["uscc"], "region": region, "city": region.city or region}
    if data.get("status"):
        org_values["status"] = data["status"]
    profile_values = {
        "industry": data.get("industry"),
        "size": data.get("size") or "",
        "legal_representative": (data.get("legal_representative") or "").strip(),
        "established_on": data.get("established_on"),
        "address": (data.get("address") or "").strip(),
    }
    honours = data.get("honours")
    if instance is None:
        organisation = Organisation(kind=OrganisationKind.ENTERPRISE, **org_values)
        organisation_set_search_text(organisation)
        organisation.save()
        profile = EnterpriseProfile.objects.create(organisation=organisation, **profile_values)
        if honours:
            profile.honours.set(honours)
        return organisation, CREATED

    organisation = instance
    changed = _assign(organisation, org_values)
    if changed:
        organisation_set_search_text(organisation)
        organisation.save()
    profile, created = EnterpriseProfile.objects.get_or_create(organisation=organisation, defaults=profile_values)
    if not created and _assign(profile, profile_values):
        profile.save()
        changed = True
    changed = changed or created
    if honours is not None:
        current = set(profile.honours.values_list("pk", flat=True))
        wanted = {h.pk for h in honours}
        if current != wanted:
            profile.honours.set(honours)
            changed = True
    return organisation, (UPDATED if changed else UNCHANGED)


@write_service
def product_save(*, actor, data, instance=None):
    """Create or update a product and its executed standards from a validated
    ``ProductForm``; returns (product, outcome) like ``enterprise_save``."""
    values = {
        "name": data["name"].strip(),
        "brand": (data.get("brand") or "").strip(),
        "model": data["model"].strip(),
        "category": (data.get("category") or "").strip(),
        "hs_code": data.get("hs_code") or "",
        "export_markets": list(data.get("export_markets") or []),
        "is_public": bool(data.get("is_public", True)),
    }
    if instance is None:
        product = Product.objects.create(enterprise=data["enterprise_uscc"], **values)
        changed, outcome = True, CREATED
    else:
        product = instance
        changed = _assign(product, values)
        if changed:
            product.save()
        outcome = UPDATED
    wanted = list(dict.fromkeys(data.get("standards") or []))
    current = {s.code: s for s in product.standards.all()} if instance is not None else {}
    for code, standard in current.items():
        if code not in wanted:
            standard.delete()
            changed = True
    new = [ProductStandard(product=product, code=code) for code in wanted if code not in current]
    for standard in new:
        standard.save()  # one by one: each standard is an audited record
    changed = changed or bool(new)
    if instance is not None and not changed:
        outcome = UNCHANGED
    return product, outcome


@write_service
def product_delete(*, actor, product):
    product.delete()


@write_service
def certification_save(*, actor, form):
    return form.save()


@write_service
def certification_delete(*, actor, certification):
    certification.delete()
