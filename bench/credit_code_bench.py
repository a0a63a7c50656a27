"""Credit code page under load (issue 3, bench (b)): requests/s and p99 of ``/q/<code>``
served by the production configuration, beside nginx serving a static file of the same
size on the same machine.

    .venv/bin/python bench/credit_code_bench.py [--postgres-url URL] [--enterprises 2000]
        [--connections 64] [--duration 20] [--workers 3,5] [--threads 2]

What it does:
1. migrates a dedicated PostgreSQL database (created when missing), seeds it with
   ``seed_demo --enterprises N`` when empty, and issues a credit code for a public
   product with standards, certifications and sampling records (so the page is a
   realistic one), printing the code;
2. runs ``collectstatic`` and starts gunicorn exactly as ``make run`` does
   (``gunicorn qualityhub.wsgi:application --bind 127.0.0.1:PORT --workers WORKERS
   --access-logfile -``) with DEBUG=0, REDIS_URL=redis://127.0.0.1:6379/5 and
   SECURE_SSL_REDIRECT=0 (plain HTTP on loopback), once per worker count: the
   Makefile's default 3 and docs/deployment.md's 2 x cores + 1;
3. loads ``/q/<code>`` with wrk (Debian's package): --connections connections, 2
   threads, a warm-up run, then the timed run with --latency;
4. serves a constant body of the page's size from a bare WSGI app with the same
   gunicorn command (the server configuration's ceiling on this machine), then writes
   a file of the page's size, starts nginx on a spare port with a temporary
   configuration (not the system service) and loads it the same way;
5. flushes the scans (``manage.py flush_scans``) to show every request was counted
   although none wrote a row, and prints the figures beside the goal
   (>= 1,500 requests/s, p99 < 50 ms).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pgdb

BASE_DIR = Path(__file__).resolve().parent.parent
PY = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/qualityhub_code_bench"
REDIS_URL = "redis://127.0.0.1:6379/5"
GOAL_RPS = 1500
GOAL_P99_MS = 50.0

ISSUE_CODE = r"""
import datetime
from qualityhub.accounts.models import Organisation
from qualityhub.credit import codes
from qualityhub.credit.choices import RecordKind, RecordStatus
from qualityhub.credit.models import CreditCode, CreditRecord
from qualityhub.core.scoping import Actor
from qualityhub.registry.models import Certification, Product, ProductStandard

code = CreditCode.objects.filter(status="active").order_by("id").first()
if code is None:
    product = Product.objects.filter(is_public=True).select_related("enterprise").order_by("id").first()
    ProductStandard.objects.get_or_create(product=product, code="GB 4706.1-2005")
    ProductStandard.objects.get_or_create(product=product, code="GB/T 22239-2019")
    Certification.objects.get_or_create(product=product, kind="ccc", number="BENCH-CCC-0001",
        defaults={"issuer": "中国质量认证中心", "valid_from": datetime.date(2024, 1, 1), "valid_until": datetime.date(2099, 1, 1)})
    for i in range(5):
        CreditRecord.objects.get_or_create(source_department="广东省市场监督管理局", reference=f"粤市监抽〔2025〕{900 + i}号",
            defaults={"subject": product.enterprise, "product": product if i % 2 else None, "kind": RecordKind.SAMPLING_PASS,
                      "fact_date": datetime.date(2025, 1 + i, 10), "summary": "监督抽查合格", "status": RecordStatus.ACTIVE})
    admin = Organisation.objects.filter(kind="regulator", jurisdiction__level="province").first()
    code = codes.code_issue(actor=Actor(user=None, organisation=admin, role="admin", via="api"), product=product)
print("CODE=" + code.code)
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL))
    parser.add_argument("--enterprises", type=int, default=2000, help="seed_demo size when the database is empty")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=20, help="seconds per timed run")
    parser.add_argument(
        "--workers", default=f"3,{2 * (os.cpu_count() or 1) + 1}",
        help="comma-separated gunicorn worker counts to run: the Makefile's WORKERS default (3) and "
             "docs/deployment.md's 2*CORES+1",
    )
    return parser.parse_args(argv)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    result = subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, text=True,
                            capture_output=capture)
    return result.stdout if capture else None


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read()
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"no answer from {url}")


def wrk(url, *, connections, threads, duration):
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        check=True, text=True, capture_output=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50_ms": float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)],
        "p99_ms": float(p99.group(1)) * factor,
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
        "requests": total,
        "raw": out,
    }


def stop(process):
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


BARE_APP = """
BODY = b"x" * {size}


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))])
    return [BODY]
"""

NGINX_CONF = """
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type text/html;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
    }}
}}
"""


def main(argv=None):
    args = parse_args(argv)
    args.workers = [int(w) for w in str(args.workers).split(",") if w.strip()]
    if not shutil.which("wrk") or not shutil.which("nginx"):
        raise SystemExit("wrk and nginx are needed: apt-get install -y wrk nginx")
    var_dir = BASE_DIR / "var" / "bench-codes"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "QUALITYHUB_VAR_DIR": str(var_dir),
        "DATABASE_URL": args.postgres_url,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-credit-codes-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "qualityhub.settings",
    }
    env.pop("QUALITYHUB_TESTING", None)

    load_before = os.getloadavg()[0]
    pgdb.ensure(args.postgres_url)
    print(f"database {args.postgres_url}: migrate, seed_demo --enterprises {args.enterprises} --if-empty", flush=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", "--enterprises", str(args.enterprises), "--if-empty")
    code = re.search(r"CODE=(\w+)", manage(env, "shell", "-c", ISSUE_CODE, capture=True)).group(1)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "flush_scans")  # start from zero pending scans

    load = dict(connections=args.connections, threads=args.threads)
    results = []  # (label, figures)
    tmp = Path(tempfile.mkdtemp(prefix="qh-nginx-"))
    server = nginx = None
    log = open(var_dir / "gunicorn.log", "w")
    body = b""
    try:
        for workers in args.workers:
            port = free_port()
            url = f"http://127.0.0.1:{port}/q/{code}"
            command = [GUNICORN, "qualityhub.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                       "--access-logfile", "-"]
            print("server: " + " ".join(command[1:]) + "  (DEBUG=0, REDIS_URL=" + REDIS_URL + ")", flush=True)
            server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
            status, body = wait_for(url)
            if status != 200 or "产品质量信用码".encode() not in body:
                raise SystemExit(f"unexpected page: {status} {body[:300]!r}")
            wrk(url, duration=3, **load)  # warm-up: every worker's cache connection
            results.append((f"/q/<code>, {workers} workers", wrk(url, duration=args.duration, **load)))
            stop(server)
            server = None

            # The server configuration's own ceiling on this machine: the same gunicorn
            # command serving a constant body of the page's size from a bare WSGI app.
            (tmp / "bare_app.py").write_text(BARE_APP.format(size=len(body)))
            bare_port = free_port()
            server = subprocess.Popen(
                [GUNICORN, "bare_app:application", "--bind", f"127.0.0.1:{bare_port}", "--workers", str(workers),
                 "--access-logfile", "-"],
                cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            )
            bare_url = f"http://127.0.0.1:{bare_port}/"
            wait_for(bare_url)
            wrk(bare_url, duration=3, **load)
            results.append((f"bare WSGI app, {workers} workers", wrk(bare_url, duration=args.duration, **load)))
            stop(server)
            server = None
        print(f"page /q/{code}: {len(body)} bytes", flush=True)

        (tmp / "www").mkdir()
        (tmp / "www" / "page.html").write_bytes(body)
        os.chmod(tmp, 0o755)
        os.chmod(tmp / "www", 0o755)
        os.chmod(tmp / "www" / "page.html", 0o644)
        nginx_port = free_port()
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=nginx_port))
        nginx = subprocess.Popen(["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        static_url = f"http://127.0.0.1:{nginx_port}/page.html"
        wait_for(static_url)
        wrk(static_url, duration=3, **load)
        results.append(("nginx static file, same size", wrk(static_url, duration=args.duration, **load)))
    finally:
        stop(server)
        stop(nginx)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)

    flushed = manage(env, "flush_scans", capture=True).strip()
    print()
    load1, _load5, _load15 = os.getloadavg()
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency  ({os.cpu_count()} CPUs, load generator on "
          f"the same machine; load average before {load_before:.1f}, after {load1:.1f})")
    print(f"{'':34}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for label, r in results:
        print(f"{label:34}{r['rps']:>12.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['non2xx']:>9}")
        if r["socket_errors"]:
            print(f"{'':34}{r['socket_errors']}")
    print(f"scans counted and flushed: {flushed} (the requests of the timed and warm-up runs)")
    ok = True
    for label, r in results:
        if label.startswith("/q/"):
            met = r["rps"] >= GOAL_RPS and r["p99_ms"] < GOAL_P99_MS and r["non2xx"] == 0
            ok = ok and met
            print(f"goal >= {GOAL_RPS} req/s and p99 < {GOAL_P99_MS:.0f} ms, {label}: {'met' if met else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
