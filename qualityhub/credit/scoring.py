"""Risk-class scoring: set-based SQL over all subjects and records.

How a score is made (the structure and defaults are in ``scoring_config``):

1. Per subject, one aggregation over its counting records (status in
   COUNTING_STATUSES, fact date not after the scoring date) sums each record's decayed
   points into its indicator group: ``points * 0.5 ** (age_days / half_life_days)``.
   The decay is computed in the database. PostgreSQL has ``power(float8, float8)``;
   SQLite has ``POWER`` built in when compiled with ENABLE_MATH_FUNCTIONS (3.35+, as
   the Python builds we use are), and otherwise Django registers a Python ``POWER`` on
   every SQLite connection (django/db/backends/sqlite3/_functions.py). Both are the C
   library's ``pow`` on doubles, the same function ``explain`` uses in Python.
2. Basic attributes (young enterprise, size) and dynamic information (registration
   status, negative records in a recent window) come from the profile and the
   organisation; each group's sum is kept within its caps; the sum of the groups is
   the base score and, with the veto, the base class.
3. Relationship: a subject sharing its legal representative with another subject
   whose *base* class is D gets the relationship points (base, not final class, so one
   D does not spread along a chain and the result does not depend on order).
4. Score = round(base + relationship, 2); class D if vetoed, else by thresholds.

One statement stages every subject in a temporary table (CREATE TEMPORARY TABLE … AS
SELECT: one pass over the records, which PostgreSQL runs in parallel like the floor;
``chunk`` can split it by id ranges, at the price of a pass per chunk); an UPDATE adds
the relationship points to the few subjects concerned; then, in one transaction, class
changes are inserted into ClassChange (INSERT … SELECT), notified (one INSERT …
SELECT per from/to pair for the subjects, one notification per regulator over them),
and the scores are upserted (INSERT … SELECT … ON CONFLICT DO UPDATE, skipping
unchanged rows). No Python loop over subjects. The run page shows the phase. On
PostgreSQL the session gets a larger work_mem and temp_buffers and no JIT (see
``work_mem``).

The "why": contributions are not stored (ten million rows rewritten at every run);
``explain(subject)`` recomputes them for one subject in Python from the same formula,
with the model version and scoring date stored on the subject's score, and the tests
check that it reproduces the stored score for every subject.
"""

import contextlib
import dataclasses
import datetime
import logging
import time
from decimal import ROUND_HALF_UP, Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityhub.accounts.choices import OrganisationKind
from qualityhub.credit.choices import COUNTING_STATUSES, NEGATIVE_KINDS
from qualityhub.credit.models import CreditRecord, EnterpriseScore, InspectionQuota, RunStatus, ScoringModel, ScoringRun
from qualityhub.credit.scoring_config import GROUPS, group_label

logger = logging.getLogger(__name__)

STAGE = "qh_score_stage"
DREPS = "qh_score_dreps"
WORK_MEM = "256MB"  # PostgreSQL: the per-subject aggregation hashes a million groups
TEMP_BUFFERS = "512MB"  # PostgreSQL: the stage of a million subjects stays in memory
SCORED_KINDS = tuple(sorted({OrganisationKind.ENTERPRISE, *OrganisationKind.providers()}))


# --- The model in use --------------------------------------------------------------------

def active_model():
    model = ScoringModel.objects.filter(is_active=True).first()
    if model is None:
        raise ScoringModel.DoesNotExist("No active scoring model; the data migration creates one.")
    return model


def model_version(version):
    return ScoringModel.objects.get(version=version)


def _f(value):
    return float(value)


def _clamp(value, group, config):
    cap = config["groups"][group]
    return min(max(value, _f(cap["min"])), _f(cap["max"]))


def _half_life(config, kind):
    entry = config["kinds"][kind]
    return _f(entry.get("half_life_days", config["half_life_days"]))


def _young_cutoff(as_of, years):
    """Enterprises established after this date are "young"."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - years, day=28)


def round2(value):
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def class_for(score, vetoed, config):
    if vetoed:
        return "D"
    thresholds = config["thresholds"]
    for risk_class in ("A", "B", "C"):
        if score <= Decimal(str(thresholds[risk_class])):
            return risk_class
    return "D"


# --- SQL building --------------------------------------------------------------------------

class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor):
        self.pg = vendor == "postgresql"

    def date(self, value):
        return f"DATE '{value.isoformat()}'" if self.pg else f"'{value.isoformat()}'"

    def age(self, as_of, column):
        if self.pg:
            return f"(DATE '{as_of.isoformat()}' - {column})::float8"
        return f"(julianday('{as_of.isoformat()}') - julianday({column}))"

    def num(self, value):
        text = repr(_f(value))
        return f"({text}::float8)" if self.pg else f"({text})"

    def round2(self, expr):
        return f"ROUND(CAST({expr} AS NUMERIC), 2)" if self.pg else f"ROUND({expr}, 2)"

    def power_half(self, expr):
        return f"POWER(0.5::float8, {expr})" if self.pg else f"POWER(0.5, {expr})"


def _quoted(values):
    # Record kinds and statuses are validated choice values ([a-z_]); quoted literals.
    values = sorted(str(v) for v in values)
    assert all(v.replace("_", "").isalnum() for v in values)
    return ", ".join(f"'{v}'" for v in values) or "''"


def _cap_sql(sql, expr, group, config):
    cap = config["groups"][group]
    low, high = sql.num(cap["min"]), sql.num(cap["max"])
    return f"(CASE WHEN {expr} > {high} THEN {high} WHEN {expr} < {low} THEN {low} ELSE {expr} END)"


def _class_sql(sql, score_expr, veto_expr, config):
    t = config["thresholds"]
    return (
        f"(CASE WHEN {veto_expr} = 1 THEN 'D' WHEN {score_expr} <= {sql.num(t['A'])} THEN 'A' "
        f"WHEN {score_expr} <= {sql.num(t['B'])} THEN 'B' WHEN {score_expr} <= {sql.num(t['C'])} THEN 'C' ELSE 'D' END)"
    )


def _records_aggregate_sql(sql, config, as_of, subject_filter):
    """SELECT subject_id, dynamic_raw, supervision_raw, social_raw, recent_negative,
    veto FROM the counting records, one row per subject."""
    age = sql.age(as_of, "r.fact_date")
    sums = {}
    for group in ("dynamic", "supervision", "social"):
        branches = []
        for kind, entry in sorted(config["kinds"].items()):
            if entry["group"] != group or _f(entry["points"]) == 0:
                continue
            decay = sql.power_half(f"{age} / {sql.num(_half_life(config, kind))}")
            branches.append(f"WHEN '{kind}' THEN {sql.num(entry['points'])} * {decay}")
        sums[group] = f"SUM(CASE r.kind {' '.join(branches)} ELSE 0 END)" if branches else "0"
    window = int(config["dynamic"]["window_days"])
    veto_days = int(config["veto_days"])
    veto_kinds = config["veto_kinds"]
    veto = f"MAX(CASE WHEN r.kind IN ({_quoted(veto_kinds)}) AND {age} <= {veto_days} THEN 1 ELSE 0 END)" if veto_kinds else "0"
    return (
        f"SELECT r.subject_id AS subject_id, {sums['dynamic']} AS dyn, {sums['supervision']} AS sup, "
        f"{sums['social']} AS soc, "
        f"SUM(CASE WHEN r.kind IN ({_quoted(NEGATIVE_KINDS)}) AND {age} <= {window} THEN 1 ELSE 0 END) AS recent, "
        f"{veto} AS veto "
        f"FROM credit_creditrecord r "
        f"WHERE r.status IN ({_quoted(COUNTING_STATUSES)}) AND r.fact_date <= {sql.date(as_of)} {subject_filter('r.subject_id')} "
        f"GROUP BY r.subject_id"
    )


STAGE_COLUMNS = "subject_id, legal_rep, city_id, industry_id, veto, base, base_class, rel, score, risk_class"


def _stage_select_sql(sql, config, as_of, subject_filter):
    """SELECT one stage row per subject: capped groups, base score and class, the
    relationship points of "no relationship", and score and class under them."""
    basic = config["basic"]
    size_cases = " ".join(
        f"WHEN '{size}' THEN {sql.num(points)}" for size, points in sorted(basic["size_points"].items()) if size
    )
    cutoff = _young_cutoff(as_of, int(basic["young_years"]))
    basic_raw = (
        f"(CASE WHEN p.established_on IS NULL THEN {sql.num(basic['unknown_established_points'])} "
        f"WHEN p.established_on > {sql.date(cutoff)} THEN {sql.num(basic['young_points'])} ELSE {sql.num(0)} END"
        f" + CASE COALESCE(p.size, '') {size_cases} ELSE {sql.num(basic['size_points'][''])} END)"
    )
    dynamic = config["dynamic"]
    status_cases = " ".join(
        f"WHEN '{status}' THEN {sql.num(points)}" for status, points in sorted(dynamic["status_points"].items())
    )
    dynamic_raw = (
        f"(CASE o.status {status_cases} ELSE {sql.num(0)} END + COALESCE(a.dyn, 0) "
        f"+ COALESCE(a.recent, 0) * {sql.num(dynamic['recent_negative_points'])})"
    )
    rel0 = _clamp(0.0, "relationship", config)
    aggregate = _records_aggregate_sql(sql, config, as_of, subject_filter)
    inner = (
        f"SELECT o.id AS subject_id, COALESCE(p.legal_representative, '') AS legal_rep, o.city_id AS city_id, "
        f"p.industry_id AS industry_id, "
        f"{basic_raw} AS g_basic, {dynamic_raw} AS g_dynamic, COALESCE(a.sup, 0) AS g_sup, "
        f"COALESCE(a.soc, 0) AS g_soc, COALESCE(a.veto, 0) AS veto "
        f"FROM accounts_organisation o "
        f"LEFT JOIN registry_enterpriseprofile p ON p.organisation_id = o.id "
        f"LEFT JOIN ({aggregate}) a ON a.subject_id = o.id "
        f"WHERE o.kind IN ({_quoted(SCORED_KINDS)}) {subject_filter('o.id')}"
    )
    capped = (
        f"SELECT subject_id, legal_rep, city_id, industry_id, veto, "
        f"{_cap_sql(sql, 'g_basic', 'basic', config)} AS c_basic, "
        f"{_cap_sql(sql, 'g_dynamic', 'dynamic', config)} AS c_dynamic, "
        f"{_cap_sql(sql, 'g_sup', 'supervision', config)} AS c_sup, "
        f"{_cap_sql(sql, 'g_soc', 'social', config)} AS c_soc FROM ({inner}) x"
    )
    based = (
        f"SELECT subject_id, legal_rep, city_id, industry_id, veto, c_basic + c_dynamic + c_sup + c_soc AS base "
        f"FROM ({capped}) y"
    )
    scored = (
        f"SELECT subject_id, legal_rep, city_id, industry_id, veto, base, {sql.round2('base')} AS base_score, "
        f"{sql.round2(f'base + {sql.num(rel0)}')} AS score FROM ({based}) z"
    )
    return (
        f"SELECT subject_id, legal_rep, city_id, industry_id, veto, base, "
        f"{_class_sql(sql, 'base_score', 'veto', config)} AS base_class, "
        f"{sql.num(rel0)} AS rel, score, {_class_sql(sql, 'score', 'veto', config)} AS risk_class FROM ({scored}) w"
    )


def _stage(cursor, sql, config, as_of, spec, *, first):
    """The first chunk creates the stage with CREATE TEMPORARY TABLE … AS: unlike
    INSERT … SELECT, PostgreSQL may run its aggregation over the records in parallel,
    as it does the floor's. Later chunks insert."""
    select = _stage_select_sql(sql, config, as_of, _filter_for(spec))
    if first:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} AS {select}")
    else:
        cursor.execute(f"INSERT INTO {STAGE} ({STAGE_COLUMNS}) {select}")
    cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")  # SQLite reports no row count for CREATE … AS
    return cursor.fetchone()[0]


def _drop_stage(cursor):
    for table in (STAGE, DREPS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _apply_relationship(cursor, sql, config):
    """Subjects sharing their legal representative with another subject whose base
    class is D get the relationship points; only those rows are rewritten."""
    rel1 = _clamp(_f(config["relationship"]["same_legal_representative_d_points"]), "relationship", config)
    rel0 = _clamp(0.0, "relationship", config)
    if rel1 == rel0:
        return
    cursor.execute(
        f"CREATE TEMPORARY TABLE {DREPS} AS SELECT legal_rep, COUNT(*) AS n FROM {STAGE} "
        f"WHERE base_class = 'D' AND legal_rep <> '' GROUP BY legal_rep"
    )
    cursor.execute(f"CREATE INDEX {DREPS}_rep ON {DREPS} (legal_rep)")
    score = sql.round2(f"{STAGE}.base + {sql.num(rel1)}")
    cursor.execute(
        f"UPDATE {STAGE} SET rel = {sql.num(rel1)}, score = {score}, "
        f"risk_class = {_class_sql(sql, score, f'{STAGE}.veto', config)} "
        f"FROM {DREPS} d WHERE d.legal_rep = {STAGE}.legal_rep AND (d.n >= 2 OR {STAGE}.base_class <> 'D')"
    )


@contextlib.contextmanager
def work_mem(cursor):
    """On PostgreSQL, let this session's aggregation hash a million groups in memory
    instead of spilling to disk (the server default is 4 MB)."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SHOW work_mem")
    previous = cursor.fetchone()[0]
    cursor.execute("SHOW jit")
    previous_jit = cursor.fetchone()[0]
    cursor.execute(f"SET work_mem = '{WORK_MEM}'")
    # The staging statement's expressions (a CASE per kind and group, the decay, the
    # caps and thresholds) made JIT compile 46 functions: 3.3 s at a million
    # subjects, more than it saved. Plain expression evaluation is faster here.
    cursor.execute("SET jit = off")
    # The stage (a million rows) is read four times: keep it in the session's local
    # buffers (8 MB by default). PostgreSQL refuses the change once the session has
    # used a temporary table; the savepoint keeps that refusal harmless.
    try:
        with transaction.atomic():
            cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass
    try:
        yield
    finally:
        cursor.execute(f"SET work_mem = '{previous}'")
        cursor.execute(f"SET jit = {'on' if previous_jit == 'on' else 'off'}")


# --- Running a rescoring -------------------------------------------------------------------

@dataclasses.dataclass
class RescoreResult:
    scored: int = 0
    changed: int = 0
    model_version: int = 0
    seconds: dict = dataclasses.field(default_factory=dict)  # per phase, for the benchmark and the log


def _group_mates(subject_ids):
    """The subjects plus every subject sharing a legal representative with one of them
    (their relationship indicator depends on each other's base class)."""
    from qualityhub.registry.models import EnterpriseProfile

    ids = set(subject_ids)
    reps = set(
        EnterpriseProfile.objects.filter(organisation_id__in=ids).exclude(legal_representative="")
        .values_list("legal_representative", flat=True)
    )
    if reps:
        ids |= set(EnterpriseProfile.objects.filter(legal_representative__in=reps).values_list("organisation_id", flat=True))
    return sorted(ids)


MANY_SUBJECTS = 5000  # beyond this a change is rescored by a full (background) run


def rescore_subjects(subject_ids, *, model=None, now=None):
    """Rescore these subjects (and their legal-representative group mates) at once."""
    subject_ids = [int(s) for s in subject_ids if s is not None]
    if not subject_ids:
        return RescoreResult()
    ids = _group_mates(subject_ids)
    chunks = [("in", ids[i:i + 900]) for i in range(0, len(ids), 900)]
    return _rescore(chunks=chunks, model=model, now=now)


def rescore_all(*, model=None, now=None, run=None, chunk=None):
    """Rescore every subject in the province.

    By default one statement stages every subject: each chunk of subject ids would scan
    the records again (PostgreSQL reads ten million records in one parallel pass in
    about the time of the floor; four range chunks took four times as long). ``chunk``
    splits the staging by id ranges where memory, not time, is the limit."""
    from qualityhub.accounts.models import Organisation

    bounds = Organisation.objects.filter(kind__in=SCORED_KINDS).aggregate(low=Min("id"), high=Max("id"), n=Count("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return RescoreResult()
    chunk = chunk or (high - low + 1)
    chunks = [("range", (start, start + chunk)) for start in range(low, high + 1, chunk)]
    if run is not None:
        ScoringRun.objects.filter(pk=run.pk).update(total=bounds["n"])
    return _rescore(chunks=chunks, model=model, now=now, run=run)


def _filter_for(spec):
    if spec is None:
        return lambda column: ""
    how, value = spec
    if how == "range":
        start, end = value
        return lambda column: f"AND {column} >= {int(start)} AND {column} < {int(end)}"
    ids = ", ".join(str(int(i)) for i in value)
    return lambda column: f"AND {column} IN ({ids})"


def _rescore(*, chunks, model=None, now=None, run=None):
    """``chunks``: the subject filters of the staging statements."""
    model = model or active_model()
    config = model.config
    now = now or timezone.now()
    as_of = timezone.localdate(now)
    sql = _Sql(connection.vendor)
    result = RescoreResult(model_version=model.version)
    clock = time.perf_counter()

    def lap(phase):
        nonlocal clock
        result.seconds[phase] = result.seconds.get(phase, 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()

    with connection.cursor() as cursor, work_mem(cursor):
        _drop_stage(cursor)
        try:
            _phase(run, _("汇总信用记录并计算分值"))
            for number, spec in enumerate(chunks):
                result.scored = _stage(cursor, sql, config, as_of, spec, first=number == 0)
                if run is not None:
                    ScoringRun.objects.filter(pk=run.pk).update(processed=result.scored)
                lap("stage")
            _phase(run, _("关联关系指标"))
            _apply_relationship(cursor, sql, config)
            lap("relationship")
            _phase(run, _("记录分类变化并写入分值"))
            with transaction.atomic():
                result.changed = _write(cursor, sql, model, now, lap)
            lap("commit")
        finally:
            _drop_stage(cursor)
    # A full run is worth a line in the log; a record's subject rescored at once is not.
    log = logger.info if run is not None else logger.debug
    log("rescored %s subjects (%s class changes) in %s", result.scored, result.changed,
        {k: round(v, 2) for k, v in result.seconds.items()})
    return result


def _phase(run, label):
    """Shown on the run's page while it runs (progress polls it)."""
    if run is not None:
        ScoringRun.objects.filter(pk=run.pk).update(message=label)


def _write(cursor, sql, model, now, lap=lambda phase: None):
    """Record class changes, notify them and upsert the scores: one transaction."""
    version = model.version
    at = connection.ops.adapt_datetimefield_value(now)
    # The changes of this run are the rows after the current last id (a primary-key
    # range, not a scan of the whole history for a timestamp).
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM credit_classchange")
    after = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO credit_classchange (subject_id, from_class, to_class, score, model_version, changed_at) "
        f"SELECT s.subject_id, COALESCE(e.risk_class, ''), s.risk_class, s.score, {int(version)}, %s "
        f"FROM {STAGE} s LEFT JOIN credit_enterprisescore e ON e.subject_id = s.subject_id "
        "WHERE e.risk_class IS NULL OR e.risk_class <> s.risk_class",
        [at],
    )
    changed = max(cursor.rowcount, 0)
    lap("class changes")
    if changed:
        _notify_changes(cursor, now, version, after)
    lap("notifications")
    vetoed = "s.veto = 1" if sql.pg else "s.veto"
    cursor.execute(
        "INSERT INTO credit_enterprisescore (subject_id, score, risk_class, base_class, vetoed, model_version, "
        "computed_at, city_id, industry_id) "
        f"SELECT s.subject_id, s.score, s.risk_class, s.base_class, {vetoed}, {int(version)}, %s, s.city_id, "
        f"s.industry_id FROM {STAGE} s WHERE 1 = 1 "
        "ON CONFLICT (subject_id) DO UPDATE SET score = excluded.score, risk_class = excluded.risk_class, "
        "base_class = excluded.base_class, vetoed = excluded.vetoed, model_version = excluded.model_version, "
        "computed_at = excluded.computed_at, city_id = excluded.city_id, industry_id = excluded.industry_id "
        "WHERE credit_enterprisescore.score <> excluded.score OR credit_enterprisescore.risk_class <> excluded.risk_class "
        "OR credit_enterprisescore.base_class <> excluded.base_class OR credit_enterprisescore.vetoed <> excluded.vetoed "
        "OR credit_enterprisescore.model_version <> excluded.model_version "
        "OR COALESCE(credit_enterprisescore.city_id, '') <> COALESCE(excluded.city_id, '') "
        "OR COALESCE(credit_enterprisescore.industry_id, '') <> COALESCE(excluded.industry_id, '')",
        [at],
    )
    lap("upsert")
    return changed


def _notify_changes(cursor, now, version, after):
    """The subjects: one INSERT … SELECT per (from, to) pair. The regulators over them:
    one notification each, naming the enterprise when only one changed."""
    from qualityhub.core.models import Notification

    at = connection.ops.adapt_datetimefield_value(now)
    cursor.execute(
        "SELECT from_class, to_class, COUNT(*) FROM credit_classchange "
        "WHERE id > %s AND changed_at = %s AND model_version = %s AND from_class <> '' GROUP BY from_class, to_class",
        [after, at, version],
    )
    pairs = cursor.fetchall()
    if not pairs:
        return
    url_prefix = reverse("credit:score-detail", args=[0])[:-2]  # ".../scores/"
    title = _("信用风险分类调整")
    for from_class, to_class, _count in pairs:
        body = _("根据信用风险分类模型第%(v)s版的评分，贵单位的信用风险分类由%(a)s类调整为%(b)s类。") % {
            "v": version, "a": from_class, "b": to_class,
        }
        cursor.execute(
            "INSERT INTO core_notification (organisation_id, title, body, url, created_at) "
            "SELECT c.subject_id, %s, %s, %s || CAST(c.subject_id AS varchar(20)) || '/', %s FROM credit_classchange c "
            "WHERE c.id > %s AND c.changed_at = %s AND c.model_version = %s AND c.from_class = %s AND c.to_class = %s",
            [title, body, url_prefix, at, after, at, version, from_class, to_class],
        )
    # Regulators whose jurisdiction holds the subject: the province, its city, its district.
    cursor.execute(
        "SELECT g.id, COUNT(*), MIN(c.subject_id), MIN(c.from_class), MIN(c.to_class) FROM credit_classchange c "
        "JOIN accounts_organisation o ON o.id = c.subject_id "
        "JOIN accounts_organisation g ON g.kind = 'regulator' "
        "JOIN registry_region j ON j.code = g.jurisdiction_id "
        "WHERE c.id > %s AND c.changed_at = %s AND c.model_version = %s AND c.from_class <> '' "
        "AND (j.level = 'province' OR j.code = o.city_id OR j.code = o.region_id) GROUP BY g.id",
        [after, at, version],
    )
    rows = cursor.fetchall()
    if not rows:
        return
    from qualityhub.accounts.models import Organisation

    single = {row[2] for row in rows if row[1] == 1}
    names = dict(Organisation.objects.filter(pk__in=single).values_list("pk", "name")) if single else {}
    notes = []
    for regulator_id, count, first_subject, from_class, to_class in rows:
        if count == 1:  # the MINs are that one change's classes
            body = _("辖区内%(n)s的信用风险分类由%(a)s类调整为%(b)s类。") % {
                "n": names.get(first_subject, ""), "a": from_class, "b": to_class,
            }
            url = reverse("credit:score-detail", args=[first_subject])
        else:
            body = _("本次评分中，辖区内%(c)s家企业的信用风险分类发生变化。") % {"c": count}
            url = reverse("credit:dashboard")
        notes.append(Notification(organisation_id=regulator_id, title=_("辖区企业信用风险分类变化"), body=body, url=url))
    Notification.objects.bulk_create(notes, batch_size=1000)


# --- One subject: current class and the "why" ----------------------------------------------

def current_class(subject):
    """The subject's current risk class ("A"–"D"), or None if not scored yet. For
    supervision only: never show it to the public or to other enterprises."""
    subject_id = getattr(subject, "pk", subject)
    return EnterpriseScore.objects.filter(subject_id=subject_id).values_list("risk_class", flat=True).first()


@dataclasses.dataclass
class Contribution:
    group: str
    label: str
    points: float  # before decay
    factor: float  # decay factor (1 for attributes)
    value: float
    record: object = None
    age_days: int | None = None
    half_life_days: float | None = None


@dataclasses.dataclass
class Explanation:
    subject: object
    model: object
    as_of: datetime.date
    contributions: list
    raw: dict  # group -> sum before caps
    capped: dict  # group -> sum within caps
    vetoed: bool
    veto_records: list
    related_d: int  # other subjects with the same legal representative, base class D
    base: float
    base_class: str
    score: Decimal
    risk_class: str
    stored: object  # the EnterpriseScore, or None

    @property
    def groups(self):
        return [
            {"key": g, "label": group_label(g), "raw": self.raw[g], "capped": self.capped[g],
             "cap": self.model.config["groups"][g], "items": [c for c in self.contributions if c.group == g]}
            for g in GROUPS
        ]


def explain(subject, *, model=None, as_of=None):
    """Recompute one subject's score with every contribution, under the model version
    and on the date of its stored score (or the active model today)."""
    from qualityhub.accounts.models import Organisation
    from qualityhub.registry.models import EnterpriseProfile

    if not isinstance(subject, Organisation):
        subject = Organisation.objects.get(pk=subject)
    stored = EnterpriseScore.objects.filter(subject=subject).first()
    if model is None:
        model = model_version(stored.model_version) if stored else active_model()
    if as_of is None:
        as_of = timezone.localdate(stored.computed_at) if stored else timezone.localdate()
    config = model.config
    profile = EnterpriseProfile.objects.filter(organisation=subject).first()
    contributions = []
    raw = {g: 0.0 for g in GROUPS}

    def add(group, label, points, factor=1.0, **extra):
        value = _f(points) * factor
        contributions.append(Contribution(group, label, _f(points), factor, value, **extra))
        raw[group] += value

    basic = config["basic"]
    established = profile.established_on if profile else None
    if established is None:
        add("basic", _("成立日期未知"), basic["unknown_established_points"])
    elif established > _young_cutoff(as_of, int(basic["young_years"])):
        add("basic", _("成立不满%(y)s年") % {"y": basic["young_years"]}, basic["young_points"])
    else:
        add("basic", _("成立满%(y)s年") % {"y": basic["young_years"]}, 0)
    size = profile.size if profile else ""
    size_label = profile.get_size_display() if profile and size else _("规模未知")
    add("basic", _("企业规模：%(s)s") % {"s": size_label}, basic["size_points"].get(size, basic["size_points"][""]))

    dynamic = config["dynamic"]
    add("dynamic", _("登记状态：%(s)s") % {"s": subject.get_status_display()}, dynamic["status_points"].get(subject.status, 0))

    records = list(
        CreditRecord.objects.filter(subject=subject, status__in=COUNTING_STATUSES, fact_date__lte=as_of).order_by("-fact_date", "-id")
    )
    window = int(dynamic["window_days"])
    veto_days = int(config["veto_days"])
    recent = [r for r in records if r.kind in NEGATIVE_KINDS and (as_of - r.fact_date).days <= window]
    add("dynamic", _("近%(d)s天负面记录%(n)s条") % {"d": window, "n": len(recent)}, len(recent) * _f(dynamic["recent_negative_points"]))
    veto_records = [r for r in records if r.kind in config["veto_kinds"] and (as_of - r.fact_date).days <= veto_days]
    for record in records:
        entry = config["kinds"][record.kind]
        if _f(entry["points"]) == 0:
            continue
        age = (as_of - record.fact_date).days
        half_life = _half_life(config, record.kind)
        factor = 0.5 ** (_f(age) / half_life)
        add(entry["group"], record.get_kind_display(), entry["points"], factor, record=record, age_days=age, half_life_days=half_life)

    capped = {g: _clamp(raw[g], g, config) for g in GROUPS if g != "relationship"}
    base = capped["basic"] + capped["dynamic"] + capped["supervision"] + capped["social"]
    vetoed = bool(veto_records)
    base_class = class_for(round2(base), vetoed, config)
    related_d = 0
    rep = profile.legal_representative if profile else ""
    if rep:
        related_d = EnterpriseScore.objects.filter(
            base_class="D", subject__profile__legal_representative=rep
        ).exclude(subject=subject).count()
    rel_points = _f(config["relationship"]["same_legal_representative_d_points"]) if related_d else 0.0
    add("relationship", _("同一法定代表人的D类企业%(n)s家") % {"n": related_d}, rel_points)
    capped["relationship"] = _clamp(raw["relationship"], "relationship", config)
    score = round2(base + capped["relationship"])
    return Explanation(
        subject=subject, model=model, as_of=as_of, contributions=contributions, raw=raw, capped=capped,
        vetoed=vetoed, veto_records=veto_records, related_d=related_d, base=base, base_class=base_class,
        score=score, risk_class=class_for(score, vetoed, config), stored=stored,
    )


# --- Inspection quotas (read by the inspection module) -------------------------------------

@dataclasses.dataclass(frozen=True)
class Quota:
    risk_class: str
    min_percent: Decimal
    max_percent: Decimal
    times_per_year: int


def inspection_quotas():
    """{class: Quota} for A–D: the share of each class's enterprises to inspect a year
    and how many rounds a year."""
    return {
        q.risk_class: Quota(q.risk_class, q.min_percent, q.max_percent, q.times_per_year)
        for q in InspectionQuota.objects.all()
    }


def inspection_quota(risk_class):
    return inspection_quotas().get(str(risk_class))


# --- Full rescoring as a background run ----------------------------------------------------

def scoring_run_start(*, actor=None, started_by=None):
    """Queue a full rescoring (after this transaction commits) and return its run. A
    run already queued or running is returned instead of starting a second one."""
    # A run untouched for hours lost its worker: it no longer blocks a new one.
    stale = timezone.now() - datetime.timedelta(hours=2)
    ScoringRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], created_at__lt=stale).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), message=_("评分任务中断（超过2小时未完成）。")
    )
    running = ScoringRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    if running is not None:
        return running
    user = started_by or getattr(actor, "user", None)
    run = ScoringRun.objects.create(started_by=user if getattr(user, "pk", None) else None)
    from qualityhub.credit.tasks import rescore_all_task

    transaction.on_commit(lambda: rescore_all_task.enqueue(run_id=run.pk))
    return run


def scoring_run_execute(run_id):
    claimed = ScoringRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = ScoringRun.objects.get(pk=run_id)
    try:
        model = active_model()
        ScoringRun.objects.filter(pk=run.pk).update(model_version=model.version)
        result = rescore_all(model=model, run=run)
    except Exception as exc:
        logger.exception("scoring run %s failed", run_id)
        ScoringRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), message=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return None
    ScoringRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), processed=result.scored, total=result.scored,
        changed=result.changed, message="",
    )
    return result
