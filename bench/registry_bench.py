"""Registry benchmark: server time of the enterprise pages at a million enterprises.

    .venv/bin/python bench/registry_bench.py [--database sqlite|postgres|both]
        [--enterprises 1000000] [--products 100000] [--requests 200] [--reuse]

For each database the script (in a child process, so settings load with that
database's DATABASE_URL) migrates a dedicated benchmark database, fills it with
``seed_demo --enterprises N`` (bulk inserts; timed), then signs in as the province
regulator and as a city regulator of the demo data and requests each page with Django's
test client, timing ``client.get`` with ``time.perf_counter``. That is server time:
URL routing, middleware, queries and template rendering, without a network or a
browser. It prints p50, p95 and the maximum per page and database, and whether every
p95 is under the goal (issue 2: 150 ms on a 2-core machine).

Databases:
  SQLite      var/bench/bench.sqlite3 (QUALITYHUB_VAR_DIR=var/bench, SQLITE_PATH)
  PostgreSQL  postgres://postgres@127.0.0.1:5432/qualityhub_bench (--postgres-url;
              created when missing)

``--reuse`` keeps a benchmark database that already holds at least N enterprises
(seeding a million takes minutes); otherwise the database is emptied and seeded again.
The pages run with DEBUG off, as in production (QUALITYHUB_TESTING=1 only so that
static URLs do not need a collectstatic manifest).
"""

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pgdb
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
SQLITE_FILE = BENCH_DIR / "bench.sqlite3"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/qualityhub_bench"
GOAL_MS = 150.0
PROVINCE_USER = "province@demo.qualityhub.cn"
CITY_USER = "shenzhen@demo.qualityhub.cn"  # regulator of 深圳市 (440300), the largest city


# --- Parent process: prepare databases, run one child per database, print ---------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=100_000, help="products seeded (default 100,000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--reuse", action="store_true", help="keep a bench database that already has >= N enterprises")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=20261123, help="random seed for the request mix")
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--skip-seed", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def seed_record_path(database):
    return BENCH_DIR / f"seed-{database}.json"


def sqlite_enterprises():
    if not SQLITE_FILE.exists():
        return 0
    try:
        with sqlite3.connect(SQLITE_FILE) as conn:
            return conn.execute("SELECT count(*) FROM accounts_organisation WHERE kind = 'enterprise'").fetchone()[0]
    except sqlite3.Error:
        return 0


def sqlite_reset():
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def pg_enterprises(url):
    if pgdb.ensure(url):
        return 0
    name, params = pgdb.split(url)
    with psycopg.connect(dbname=name, **params) as conn:
        exists = conn.execute("SELECT to_regclass('accounts_organisation')").fetchone()[0]
        if not exists:
            return 0
        return conn.execute("SELECT count(*) FROM accounts_organisation WHERE kind = 'enterprise'").fetchone()[0]


def child_env(database, args):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="qualityhub.settings",
        QUALITYHUB_VAR_DIR=str(BENCH_DIR),
        DEBUG="0",
        QUALITYHUB_TESTING="1",  # plain static storage: no collectstatic manifest needed
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = args.postgres_url
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env


def run_database(database, args):
    (BENCH_DIR / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT; WhiteNoise warns if missing
    have = sqlite_enterprises() if database == "sqlite" else pg_enterprises(args.postgres_url)
    skip_seed = args.reuse and have >= args.enterprises
    if not skip_seed:
        print(f"[{database}] emptying the bench database (it held {have:,} enterprises)", flush=True)
        sqlite_reset() if database == "sqlite" else pgdb.reset(args.postgres_url)
        seed_record_path(database).unlink(missing_ok=True)
    else:
        print(f"[{database}] reusing the bench database ({have:,} enterprises)", flush=True)
    result_file = BENCH_DIR / f"result-{database}.json"
    result_file.unlink(missing_ok=True)
    command = [
        sys.executable, str(Path(__file__).resolve()), "--worker", database, "--result", str(result_file),
        "--enterprises", str(args.enterprises), "--products", str(args.products),
        "--requests", str(args.requests), "--seed", str(args.seed),
    ] + (["--skip-seed"] if skip_seed else [])
    subprocess.run(command, env=child_env(database, args), cwd=BASE_DIR, check=True)
    return json.loads(result_file.read_text())


def print_report(results, args):
    print()
    print(f"Registry benchmark: {args.enterprises:,} enterprises, {args.requests} timed requests per scenario, "
          f"server time (Django test client, DEBUG off), {os.cpu_count()} CPUs")
    all_met = True
    for database, result in results.items():
        seed = result["seed"]
        seeded = f"seeded in {seed['seconds']:.0f} s" if seed.get("seconds") is not None else "seed time unknown"
        if seed.get("reused"):
            seeded = f"reused ({seeded})"
        print()
        print(f"== {database} ({result['vendor']} {result['server_version']}): {result['enterprises']:,} enterprises, "
              f"{result['products']:,} products; {seeded}")
        header = f"{'scenario':<34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}  goal"
        print(header)
        print("-" * len(header))
        for row in result["scenarios"]:
            met = row["p95"] < GOAL_MS
            all_met &= met
            print(f"{row['name']:<34} {row['n']:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['max']:>8.1f} "
                  f"{row['queries']:>8}  {'ok' if met else 'MISSED'}")
    print()
    print(f"goal p95 < {GOAL_MS:.0f} ms: {'met' if all_met else 'not met'}")
    return all_met


def main():
    args = parse_args()
    if args.worker:
        return worker(args)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {}
    for database in databases:
        results[database] = run_database(database, args)
    print_report(results, args)
    return 0


# --- Child process: migrate, seed, time the pages ------------------------------------------

def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[index]


def worker(args):
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from qualityhub.accounts.choices import OrganisationKind
    from qualityhub.accounts.models import Organisation, User
    from qualityhub.registry.models import Product, Region

    database = args.worker
    call_command("migrate", verbosity=0, interactive=False)
    record = seed_record_path(database)
    if args.skip_seed:
        seed = json.loads(record.read_text()) if record.exists() else {}
        seed["reused"] = True
    else:
        print(f"[{database}] seed_demo --enterprises {args.enterprises} --products {args.products}", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", enterprises=args.enterprises, products=args.products)
        seed = {"seconds": time.perf_counter() - started, "enterprises": args.enterprises, "products": args.products}
        record.write_text(json.dumps(seed))
        seed["reused"] = False
        print(f"[{database}] seeded in {seed['seconds']:.1f} s", flush=True)

    rng = random.Random(args.seed)
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    bounds = enterprises.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), enterprises.order_by("-id").values_list("id", flat=True).first()
    n = args.requests

    def sample_enterprises(count, queryset=enterprises, tries=2):
        """Real enterprises, picked by random id (ids are dense after the bulk seed)."""
        ids = [rng.randint(low, high) for _ in range(count * tries)]
        rows = list(queryset.filter(id__in=ids).values_list("id", "name", "uscc"))
        rng.shuffle(rows)
        while len(rows) < count:
            rows += rows
        return rows[:count]

    def fragment(name, length):
        """A fragment of a real name, not its city prefix or legal-form suffix (those
        match a large share of all rows, which a real search rarely is)."""
        core = name.replace("有限公司", "").replace("股份", "")
        start = rng.randint(0, max(0, len(core) - length))
        return core[start:start + length]

    sample = sample_enterprises(n * 4)
    names = [row[1] for row in sample]
    # A city regulator searches for enterprises of its own city.
    city_names = [row[1] for row in sample_enterprises(n * 2, enterprises.filter(city_id="440300"), tries=20)]
    city_codes = list(Region.objects.filter(level="city").values_list("code", flat=True))
    list_url = reverse("registry:enterprise-list")
    # Page 50 of the city regulator's list (or its last page on a small dataset).
    in_city = enterprises.filter(city_id="440300").count()
    city_page = max(1, min(50, in_city // 25))
    scenarios = [
        ("province: enterprise list p1", PROVINCE_USER, lambda i: (list_url, {})),
        ("province: list filtered by city", PROVINCE_USER, lambda i: (list_url, {"city": rng.choice(city_codes)})),
        ("province: list page 50", PROVINCE_USER, lambda i: (list_url, {"page": 50})),
        ("province: name search 2 chars", PROVINCE_USER, lambda i: (list_url, {"q": fragment(names[i], 2)})),
        ("province: name search 4 chars", PROVINCE_USER, lambda i: (list_url, {"q": fragment(names[n + i], 4)})),
        ("province: credit code prefix 8", PROVINCE_USER, lambda i: (list_url, {"q": sample[2 * n + i][2][:8]})),
        ("province: credit code prefix 12", PROVINCE_USER, lambda i: (list_url, {"q": sample[3 * n + i][2][:12]})),
        ("province: enterprise detail", PROVINCE_USER,
         lambda i: (reverse("registry:enterprise-detail", args=[rng.choice(sample)[0]]), {})),
        ("province: product list p1", PROVINCE_USER, lambda i: (reverse("registry:product-list"), {})),
        ("city: enterprise list p1", CITY_USER, lambda i: (list_url, {})),
        ("city: list page 50", CITY_USER, lambda i: (list_url, {"page": city_page})),
        ("city: name search 2 chars", CITY_USER, lambda i: (list_url, {"q": fragment(city_names[i], 2)})),
        ("city: name search 4 chars", CITY_USER, lambda i: (list_url, {"q": fragment(city_names[n + i], 4)})),
        ("city: product list p1", CITY_USER, lambda i: (reverse("registry:product-list"), {})),
    ]

    clients = {}
    for email in (PROVINCE_USER, CITY_USER):
        client = Client()
        client.force_login(User.objects.get(email=email))
        clients[email] = client

    rows = []
    for name, email, make_request in scenarios:
        client = clients[email]
        for i in range(3):  # warm-up: template compilation, first-touch caches
            url, params = make_request(i)
            client.get(url, params, secure=True)
        # Queries of one request (an execute wrapper: the query log is reset when a
        # request starts).
        executed = []
        with connection.execute_wrapper(lambda execute, sql, *a: executed.append(sql) or execute(sql, *a)):
            url, params = make_request(0)
            client.get(url, params, secure=True)
        timings = []
        for i in range(n):
            url, params = make_request(i)
            started = time.perf_counter()
            response = client.get(url, params, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} {params} answered {response.status_code}")
            timings.append(elapsed)
        row = {
            "name": name, "n": n, "p50": statistics.median(timings), "p95": percentile(timings, 0.95),
            "max": max(timings), "queries": len(executed),
        }
        rows.append(row)
        print(f"[{database}] {name:<34} p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  max {row['max']:7.1f} ms", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    result = {
        "vendor": connection.vendor,
        "server_version": version.split(" on ")[0].replace("PostgreSQL ", ""),
        "enterprises": enterprises.count(),
        "products": Product.objects.count(),
        "seed": seed,
        "scenarios": rows,
    }
    Path(args.result).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
