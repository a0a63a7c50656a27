"""Who may see and change what: the one mechanism every page and endpoint uses.

An ``Actor`` is the acting user (or API token) together with the organisation it acts
for. Each scoped model declares a ``ScopeRule`` naming the path to the organisation
that owns a row. ``visible`` and ``changeable`` turn a queryset into the rows the
actor may see or change; ``access`` returns one object or raises 404, so objects out
of scope are indistinguishable from objects that do not exist.

Rules:
- a platform administrator (superuser) sees everything;
- an enterprise or a provider sees its own organisation's data, plus what other apps
  grant it through ``ScopeRule.grant`` (a provider sees what is addressed to it);
- a regulator sees data of organisations inside its jurisdiction (the province, one
  city or one district) and its own organisation's;
- the public sees only rows matching the rule's ``public`` condition.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from qualityhub.accounts.choices import MembershipRole, OrganisationKind, RegionLevel


@dataclass(frozen=True)
class Actor:
    user: object = None
    organisation: object = None
    role: str = ""
    via: str = "web"

    @property
    def is_authenticated(self):
        return bool(self.user is not None and getattr(self.user, "is_authenticated", False)) or (
            self.via == "api" and self.organisation is not None
        )

    @property
    def is_anonymous(self):
        return not self.is_authenticated

    @property
    def is_platform_admin(self):
        return bool(self.user is not None and getattr(self.user, "is_superuser", False))

    @property
    def kind(self):
        return getattr(self.organisation, "kind", None)

    @property
    def is_regulator(self):
        return self.kind == OrganisationKind.REGULATOR

    @property
    def is_enterprise(self):
        return self.kind == OrganisationKind.ENTERPRISE

    @property
    def is_provider(self):
        return self.kind in OrganisationKind.providers()

    @property
    def is_bank(self):
        return self.kind == OrganisationKind.BANK

    @property
    def is_org_admin(self):
        return self.role == MembershipRole.ADMIN or self.is_platform_admin

    @property
    def jurisdiction(self):
        return getattr(self.organisation, "jurisdiction", None) if self.is_regulator else None


ANONYMOUS = Actor()


def within_jurisdiction(jurisdiction, *, city_id, region_id):
    """Whether a place (its city and district codes) lies inside a regulator's
    jurisdiction: the province, one city or one district."""
    if jurisdiction is None:
        return False
    if jurisdiction.level == RegionLevel.PROVINCE:
        return True
    if jurisdiction.level == RegionLevel.CITY:
        return city_id == jurisdiction.pk
    return region_id == jurisdiction.pk


@dataclass
class ScopeRule:
    """How rows of one model relate to the organisation that owns them.

    ``organisation_path`` is the lookup from the model to its owning organisation
    ("" when the model is the organisation itself). ``public`` is the condition under
    which the public may read a row (None: never). ``regulator_can_view`` and
    ``regulator_can_change`` let regulators read and maintain rows of organisations in
    their jurisdiction (not, say, another organisation's API tokens).
    """

    organisation_path: str = ""
    public: Q | None = None
    regulator_can_view: bool = True
    regulator_can_change: bool = True
    grants: list = field(default_factory=list)

    def _lookup(self, name):
        return f"{self.organisation_path}__{name}" if self.organisation_path else name

    def grant(self, function):
        """Register ``function(actor) -> Q | None``: extra rows an actor may read.

        Other apps use this for what is addressed to a provider (a need it was
        invited to quote for, say) without this app knowing about them.
        """
        self.grants.append(function)
        return function

    def own_q(self, actor):
        return Q(**{self._lookup("id"): actor.organisation.pk})

    def jurisdiction_q(self, actor):
        region = actor.jurisdiction
        if region is None:
            return Q(pk__in=[])
        if region.level == RegionLevel.PROVINCE:
            # Every organisation on the platform lies in the province. (An empty Q()
            # would vanish when OR-ed with the other conditions, so be explicit.)
            return Q(**{self._lookup("id__isnull"): False})
        if region.level == RegionLevel.CITY:
            return Q(**{self._lookup("city_id"): region.pk})
        return Q(**{self._lookup("region_id"): region.pk})


    def _own_or_jurisdiction_q(self, actor):
        # "own OR in jurisdiction" when the first is implied by the second is not just
        # redundant: SQLite answers an OR of two indexed terms by collecting every row
        # of the city and sorting them, so a city regulator's newest-first enterprise
        # list took a second at a million enterprises (bench/registry_bench.py).
        # The regulator's own rows already satisfy jurisdiction_q.
        org = actor.organisation
        if within_jurisdiction(actor.jurisdiction, city_id=org.city_id, region_id=org.region_id):
            return self.jurisdiction_q(actor)
        return self.own_q(actor) | self.jurisdiction_q(actor)

    def visible_q(self, actor):
        if actor.is_platform_admin:
            return Q()
        if actor.is_anonymous or actor.organisation is None:
            return self.public if self.public is not None else Q(pk__in=[])
        if actor.is_regulator and self.regulator_can_view:
            q = self._own_or_jurisdiction_q(actor)
        else:
            q = self.own_q(actor)
        for grant in self.grants:
            extra = grant(actor)
            if extra is not None:
                q |= extra
        return q

    def changeable_q(self, actor):
        if actor.is_platform_admin:
            return Q()
        if actor.is_anonymous or actor.organisation is None:
            return Q(pk__in=[])
        if actor.is_regulator and self.regulator_can_change:
            return self._own_or_jurisdiction_q(actor)
        return self.own_q(actor)


def rule_for(model):
    rule = getattr(model, "scope", None)
    if not isinstance(rule, ScopeRule):
        raise TypeError(f"{model.__name__} declares no ScopeRule; it cannot be served to users.")
    return rule


def _queryset(model_or_queryset):
    if hasattr(model_or_queryset, "_default_manager"):
        return model_or_queryset._default_manager.all()
    return model_or_queryset


def visible(model_or_queryset, actor):
    qs = _queryset(model_or_queryset)
    q = rule_for(qs.model).visible_q(actor)
    return qs.filter(q) if q else qs


def changeable(model_or_queryset, actor):
    qs = _queryset(model_or_queryset)
    q = rule_for(qs.model).changeable_q(actor)
    return qs.filter(q) if q else qs


def access(model_or_queryset, actor, pk, *, action="view", lookup="pk"):
    """Return the object if ``actor`` may ``view`` (or ``change``) it, else raise 404."""
    qs = visible(model_or_queryset, actor) if action == "view" else changeable(model_or_queryset, actor)
    try:
        return qs.get(**{lookup: pk})
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found")


def can_change(actor, obj):
    return changeable(type(obj), actor).filter(pk=obj.pk).exists()


def actor_for(user, organisation, *, via="web", role=None):
    """The actor for ``user`` acting for ``organisation`` (their membership role)."""
    if role is None:
        role = ""
        if user is not None and getattr(user, "pk", None) and organisation is not None:
            from qualityhub.accounts.models import Membership

            role = (
                Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()
                or ""
            )
    return Actor(user=user, organisation=organisation, role=role, via=via)


ACTIVE_ORGANISATION_SESSION_KEY = "qh_active_organisation"


def actor_from_request(request):
    """The actor behind a request: an organisation API token, or the signed-in user
    acting for the organisation chosen in the session (their first by default)."""
    cached = getattr(request, "_qh_actor", None)
    if cached is not None:
        return cached
    from qualityhub.accounts.models import ApiToken, Membership

    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        actor = Actor(user=None, organisation=auth.organisation, role=auth.role, via="api")
    else:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            actor = ANONYMOUS
        else:
            memberships = Membership.objects.filter(user=user).select_related(
                "organisation", "organisation__jurisdiction"
            ).order_by("id")
            wanted = request.session.get(ACTIVE_ORGANISATION_SESSION_KEY) if hasattr(request, "session") else None
            chosen = None
            if wanted:
                chosen = next((m for m in memberships if m.organisation_id == wanted), None)
            if chosen is None:
                chosen = next(iter(memberships), None)
            actor = Actor(
                user=user,
                organisation=chosen.organisation if chosen else None,
                role=chosen.role if chosen else "",
                via="api" if request.path.startswith("/api/") else "web",
            )
    request._qh_actor = actor
    return actor
