# QualityHub: `make run` sets up and starts the platform; `make test` sets up and
# runs every test (browser tests included). Both work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
WORKERS ?= 3
export DJANGO_SETTINGS_MODULE := qualityhub.settings

.PHONY: run dev test setup deps frontend migrate demo worker chromium messages bench bench-credit clean

setup: deps frontend migrate

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.installed

migrate: deps frontend
	mkdir -p var
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --if-empty

# The web server (gunicorn, static files by WhiteNoise) and the task worker, together;
# Ctrl-C stops both.
run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	@$(PY) manage.py demo_accounts
	@echo "QualityHub: http://127.0.0.1:$(PORT)/   (健康检查 /healthz, API 文档 /api/v1/docs/)"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py worker & \
	$(VENV)/bin/gunicorn qualityhub.wsgi:application --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - & \
	wait

# Development server with auto-reload (plus the worker).
dev: demo
	@trap 'kill 0' INT TERM EXIT; $(PY) manage.py worker & $(PY) manage.py runserver 127.0.0.1:$(PORT) & wait

worker: migrate
	$(PY) manage.py worker

# Browser tests drive Debian's Chromium; never a downloaded browser.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk) >/dev/null; \
	  elif sudo -n true 2>/dev/null; then \
	    (sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk) >/dev/null; \
	  else \
	    echo "Chromium is missing. Run: sudo apt-get install -y chromium fonts-noto-cjk"; exit 1; \
	  fi; \
	fi

test: deps frontend chromium
	mkdir -p var
	$(PY) manage.py collectstatic --noinput -v 0
	QUALITYHUB_TESTING=1 $(PY) -m pytest

# Regenerate the compiled translation catalogues after editing locale/*/django.po.
messages: deps
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=node_modules --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=node_modules --ignore=.venv

bench: migrate
	$(PY) bench/registry_bench.py --reuse $(BENCH_ARGS)

# Rescoring at a million enterprises (a) and the /q/<code> page under load (b; needs
# Debian's wrk and nginx: apt-get install -y wrk nginx).
bench-credit: migrate
	$(PY) bench/credit_bench.py --reuse $(BENCH_ARGS)

clean:
	rm -rf var/static var/test-*.sqlite3*
