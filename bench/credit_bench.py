"""Credit benchmark.

    .venv/bin/python bench/credit_bench.py [--part a|b|all] [--database sqlite|postgres|both]
        [--enterprises 1000000] [--records 10000000] [--reuse]

Part (a), ``bench_rescoring``: rescoring the whole province. For each database the
script (in a child process, so settings load with that database's DATABASE_URL)
migrates a dedicated benchmark database and seeds it with set-based SQL
(PostgreSQL: INSERT … SELECT FROM generate_series, with the record indexes and
foreign-key triggers off during the load and rebuilt after; SQLite: recursive-CTE
INSERT … SELECT), then times:

- the floor: one plain SQL aggregation over the same records
  (SELECT subject_id, SUM(CASE …) … WHERE status IN (counting) GROUP BY subject_id,
  wrapped in a count so no rows travel to the client);
- ``credit.scoring.rescore_all`` as the background task runs it: first
  classification (empty score table: every score and one class-change row per subject
  inserted), then the next day's rescoring (every decayed score updated, class
  changes recorded and notified).

It prints both, and the ratio to the floor. Goals (issue 3): under 60 s on PostgreSQL
and within 3x of the floor.

Databases:
  SQLite      var/bench/credit.sqlite3
  PostgreSQL  postgres://postgres@127.0.0.1:5432/qualityhub_credit_bench (--postgres-url;
              created when missing)
``--reuse`` keeps a benchmark database that already holds the requested numbers.

Part (b) (the credit code page under load) is added separately.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pgdb

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
SQLITE_FILE = BENCH_DIR / "credit.sqlite3"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/qualityhub_credit_bench"
GOAL_PG_SECONDS = 60.0
GOAL_RATIO = 3.0

# Per mille of records by kind (a plausible archive: mostly passed samples and
# certifications, a few per cent failures and penalties, rare serious violations).
KIND_MIX = {
    "sampling_pass": 500, "cert_gained": 120, "sampling_fail_general": 70, "complaint": 70, "penalty": 50,
    "quality_commitment": 60, "recall_voluntary": 20, "recall_ordered": 10, "cert_suspended": 15,
    "cert_revoked": 5, "award_national": 2, "award_provincial": 8, "award_city": 20, "award_nomination": 15,
    "standard_forerunner": 30, "sampling_fail_serious": 5,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a bench database that already holds the data")
    parser.add_argument("--postgres-url", default=os.environ.get("CREDIT_BENCH_DATABASE_URL", DEFAULT_PG_URL))
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- Parent: one child per database ------------------------------------------------------------

def sqlite_reset():
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def child_env(database, args):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="qualityhub.settings", QUALITYHUB_VAR_DIR=str(BENCH_DIR), DEBUG="0",
        QUALITYHUB_TESTING="1", SECRET_KEY="bench-only-" + "x" * 50, ALLOWED_HOSTS="testserver", LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = args.postgres_url
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env


def seed_marker(database):
    return BENCH_DIR / f"credit-seed-{database}.json"


def run_database(database, args):
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "static").mkdir(exist_ok=True)
    marker = seed_marker(database)
    wanted = {"enterprises": args.enterprises, "records": args.records}
    seeded = json.loads(marker.read_text()) if marker.exists() else {}
    reuse = args.reuse and {k: seeded.get(k) for k in wanted} == wanted
    if not reuse:
        print(f"[{database}] emptying the credit bench database", flush=True)
        marker.unlink(missing_ok=True)
        sqlite_reset() if database == "sqlite" else pgdb.reset(args.postgres_url)
    elif database == "postgres":
        pgdb.ensure(args.postgres_url)
    result_file = BENCH_DIR / f"credit-result-{database}.json"
    result_file.unlink(missing_ok=True)
    command = [
        sys.executable, str(Path(__file__).resolve()), "--worker", database, "--result", str(result_file),
        "--enterprises", str(args.enterprises), "--records", str(args.records),
    ] + (["--reuse"] if reuse else [])
    subprocess.run(command, env=child_env(database, args), cwd=BASE_DIR, check=True)
    return json.loads(result_file.read_text())


def bench_rescoring(args):
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {db: run_database(db, args) for db in databases}
    print()
    print(f"(a) Rescoring the province: {args.enterprises:,} enterprises, {args.records:,} records, "
          f"{os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.1f} (other work on the machine skews both figures)")
    met = True
    for database, r in results.items():
        print()
        seed = f"seeded in {r['seed_seconds']:.0f} s" if r.get("seed_seconds") else "reused seed"
        print(f"== {database} ({r['version']}): {r['subjects']:,} subjects, {r['records']:,} records; {seed}")
        print(f"   floor: one SQL aggregation over the records        {r['floor']:8.2f} s")
        for key, label in (("first", "rescore_all, first classification"), ("next", "rescore_all, next day")):
            ratio = r[key] / r["floor"] if r["floor"] else float("inf")
            print(f"   {label:<48} {r[key]:8.2f} s   {ratio:5.2f}x floor   "
                  f"({r[key + '_changed']:,} class changes)")
            phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in r.get(key + "_phases", {}).items())
            print(f"      phases (s): {phases}")
        classes = ", ".join(f"{c} {n:,}" for c, n in sorted(r["classes"].items()))
        print(f"   classes: {classes}")
        ratio = r["next"] / r["floor"] if r["floor"] else float("inf")
        ok = ratio <= GOAL_RATIO and (database != "postgres" or max(r["first"], r["next"]) < GOAL_PG_SECONDS)
        met &= ok
        goal = f"< {GOAL_PG_SECONDS:.0f} s and " if database == "postgres" else ""
        print(f"   goal {goal}<= {GOAL_RATIO:.0f}x floor (next-day run): {'met' if ok else 'NOT met'}")
    return met


def bench_code_page(args):
    """(b) the /q/<code> page under load beside nginx: bench/credit_code_bench.py,
    run as a child with its defaults (PostgreSQL, Redis, wrk, 64 connections)."""
    print("(b) the credit code page under load (bench/credit_code_bench.py)", flush=True)
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("credit_code_bench.py"))])
    return result.returncode == 0


def main():
    args = parse_args()
    if args.worker:
        return worker(args)
    ok = True
    if args.part in ("a", "all"):
        ok &= bench_rescoring(args)
    if args.part in ("b", "all"):
        ok &= bench_code_page(args)
    return 0 if ok else 1


# --- Child: migrate, seed, time -----------------------------------------------------------------

def _seed(connection, n_enterprises, n_records):
    from django.utils import timezone

    from qualityhub.registry.models import Industry, Region

    pg = connection.vendor == "postgresql"
    today = timezone.localdate().isoformat()
    districts = list(Region.objects.filter(level="district").values_list("code", "city_id"))
    divisions = list(Industry.objects.filter(level="division").values_list("code", flat=True))
    kinds = [kind for kind, share in KIND_MIX.items() for _ in range(share)]
    assert len(kinds) == 1000
    with connection.cursor() as cursor:
        for table in ("bench_region", "bench_industry", "bench_kind"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("CREATE TABLE bench_region (i integer PRIMARY KEY, code varchar(6), city varchar(6))")
        cursor.executemany("INSERT INTO bench_region VALUES (%s, %s, %s)", [(i, c, city) for i, (c, city) in enumerate(districts)])
        cursor.execute("CREATE TABLE bench_industry (i integer PRIMARY KEY, code varchar(4))")
        cursor.executemany("INSERT INTO bench_industry VALUES (%s, %s)", list(enumerate(divisions)))
        cursor.execute("CREATE TABLE bench_kind (i integer PRIMARY KEY, kind varchar(30))")
        cursor.executemany("INSERT INTO bench_kind VALUES (%s, %s)", list(enumerate(kinds)))

        if pg:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
            series = lambda n: f"generate_series(1::bigint, {int(n)}) AS s(g)"  # noqa: E731
            pad = "lpad(g::text, 17, '0')"
            days_before = lambda expr: f"(DATE '{today}' - ({expr})::int)"  # noqa: E731
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            series = lambda n: f"(WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < {int(n)}) SELECT g FROM c) AS s"  # noqa: E731
            pad = "substr('00000000000000000' || g, -17)"
            days_before = lambda expr: f"date('{today}', '-' || ({expr}) || ' days')"  # noqa: E731
        nr, ni = len(districts), len(divisions)
        print(f"  enterprises: {n_enterprises:,}", flush=True)
        cursor.execute(
            "INSERT INTO accounts_organisation (name, uscc, kind, region_id, city_id, status, search_text, created_at, updated_at) "
            f"SELECT '基准企业' || g || '有限公司', 'B' || {pad}, 'enterprise', r.code, r.city, "
            "CASE WHEN g % 50 = 0 THEN 'suspended' WHEN g % 97 = 0 THEN 'revoked' ELSE 'active' END, '', "
            f"CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM {series(n_enterprises)} JOIN bench_region r ON r.i = (g * 7) % {nr}"
        )
        cursor.execute("SELECT MIN(id), MAX(id) FROM accounts_organisation WHERE uscc LIKE 'B%%'")
        low, high = cursor.fetchone()
        assert high - low + 1 == n_enterprises, "enterprise ids are not dense"
        groups = max(1, int(n_enterprises * 0.4))  # about 2.5 enterprises per legal representative
        cursor.execute(
            "INSERT INTO registry_enterpriseprofile (organisation_id, industry_id, size, legal_representative, "
            "established_on, address, created_at, updated_at) "
            f"SELECT o.id, ind.code, CASE o.id % 10 WHEN 0 THEN 'large' WHEN 1 THEN 'medium' WHEN 2 THEN 'small' "
            f"WHEN 3 THEN 'small' WHEN 4 THEN '' ELSE 'micro' END, '法人' || ((o.id * 2654435761) % {groups}), "
            f"{days_before('(o.id * 31) % 9000')}, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            f"FROM accounts_organisation o JOIN bench_industry ind ON ind.i = (o.id * 13) % {ni} "
            f"WHERE o.id BETWEEN {low} AND {high}"
        )
        print(f"  records: {n_records:,}", flush=True)
        indexes = _drop_record_indexes(cursor, pg)
        step = 2_000_000
        for start in range(0, n_records, step):
            count = min(step, n_records - start)
            cursor.execute(
                "INSERT INTO credit_creditrecord (subject_id, kind, fact_date, source_department, reference, summary, "
                "penalty_amount, internal_note, status, channel, source_module, source_key, rejection_reason, "
                "effective_on, created_at, updated_at) "
                f"SELECT {low} + ((x * 2654435761) % {n_enterprises}), k.kind, {days_before('(x * 7919) % 2500')}, "
                "'基准数据', 'R' || x, '基准记录', CASE WHEN k.kind = 'penalty' THEN 5000 END, '', "
                "CASE WHEN x % 20 = 0 THEN 'expired' WHEN x % 53 = 0 THEN 'repaired' WHEN x % 211 = 0 THEN 'pending' "
                "ELSE 'active' END, 'import', '', '', '', NULL, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                f"FROM (SELECT g + {start} AS x FROM {series(count)}) t JOIN bench_kind k ON k.i = (x * 40503) % 1000"
            )
            print(f"    {start + count:,}", flush=True)
        print("  rebuilding indexes", flush=True)
        for statement in indexes:
            cursor.execute(statement)
        for table in ("bench_region", "bench_industry", "bench_kind"):
            cursor.execute(f"DROP TABLE {table}")
        if pg:
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("PRAGMA foreign_keys = ON")
    _analyze(connection)


def _drop_record_indexes(cursor, pg):
    """Drop the record table's secondary indexes and unique constraints; return the
    statements that rebuild them (building an index once beats maintaining it for ten
    million inserts)."""
    rebuild = []
    if pg:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'credit_creditrecord'::regclass "
            "AND contype = 'u'"
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE credit_creditrecord DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE credit_creditrecord ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'credit_creditrecord' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    else:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'credit_creditrecord' AND sql IS NOT NULL")
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    return rebuild


def _analyze(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("accounts_organisation", "registry_enterpriseprofile", "credit_creditrecord",
                          "credit_enterprisescore", "credit_classchange"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def _floor(connection):
    from qualityhub.credit.choices import COUNTING_STATUSES, NEGATIVE_KINDS
    from qualityhub.credit.scoring import _quoted, work_mem

    sql = (
        "SELECT COUNT(*), SUM(s) FROM (SELECT subject_id, "
        f"SUM(CASE WHEN kind IN ({_quoted(NEGATIVE_KINDS)}) THEN 1 ELSE -1 END) AS s FROM credit_creditrecord "
        f"WHERE status IN ({_quoted(COUNTING_STATUSES)}) GROUP BY subject_id) t"
    )
    timings = []
    with connection.cursor() as cursor, work_mem(cursor):
        for _ in range(2):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchone()
            timings.append(time.perf_counter() - started)
    return min(timings)


def worker(args):
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from qualityhub.credit.models import ClassChange, CreditRecord, EnterpriseScore
    from qualityhub.credit.scoring import SCORED_KINDS, rescore_all

    database = args.worker
    call_command("migrate", verbosity=0, interactive=False)
    result = {}
    if not args.reuse:
        print(f"[{database}] seeding {args.enterprises:,} enterprises and {args.records:,} records", flush=True)
        started = time.perf_counter()
        _seed(connection, args.enterprises, args.records)
        result["seed_seconds"] = time.perf_counter() - started
        seed_marker(database).write_text(json.dumps({"enterprises": args.enterprises, "records": args.records}))
        print(f"[{database}] seeded in {result['seed_seconds']:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # Every timing starts from no scores: the first run is the first classification.
        cursor.execute("DELETE FROM credit_classchange")
        cursor.execute("DELETE FROM credit_enterprisescore")
        cursor.execute("DELETE FROM core_notification")
    _analyze(connection)

    print(f"[{database}] floor", flush=True)
    result["floor"] = _floor(connection)
    print(f"[{database}] floor {result['floor']:.2f} s; rescoring (first classification)", flush=True)
    now = timezone.now()
    started = time.perf_counter()
    first = rescore_all(now=now)
    result["first"] = time.perf_counter() - started
    result["first_changed"] = first.changed
    result["first_phases"] = first.seconds
    print(f"[{database}] first classification {result['first']:.2f} s; next day", flush=True)
    _analyze(connection)
    started = time.perf_counter()
    second = rescore_all(now=now + datetime.timedelta(days=1))
    result["next"] = time.perf_counter() - started
    result["next_changed"] = second.changed
    result["next_phases"] = second.seconds
    print(f"[{database}] next day {result['next']:.2f} s", flush=True)

    from qualityhub.accounts.models import Organisation

    result["subjects"] = Organisation.objects.filter(kind__in=SCORED_KINDS).count()
    result["records"] = CreditRecord.objects.count()
    result["classes"] = dict(EnterpriseScore.objects.order_by().values_list("risk_class").annotate(n=Count("pk")))
    result["class_changes"] = ClassChange.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    result["version"] = f"{connection.vendor} {version.split(' on ')[0].replace('PostgreSQL ', '')}"
    Path(args.result).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
