# Elevdialog: `make run` serves the demo, `make test` runs every check. Both set everything
# up on a fresh machine (virtual environment, packages, translations, services).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the demo's e-mails and pushes point to the address `make run` serves (an IPv6 host
# in brackets), unless SITE_URL is given.
SITE_URL ?= http://$(if $(findstring :,$(HOST)),[$(HOST)],$(HOST)):$(PORT)
# The demo's identity providers for development only (`python -m devidp`: a demo e-ID and a
# demo school account), beside the server; their keys and metadata are in the var directory,
# where the settings look for them in development. Production never starts them.
DEV_IDP_PORT ?= 8001
DEV_IDP_URL ?= http://$(if $(findstring :,$(HOST)),[$(HOST)],$(HOST)):$(DEV_IDP_PORT)
SAML_DEV_DIR ?= $(or $(ELEVDIALOG_VAR_DIR),var)/saml

.PHONY: run test bench-smoke lint typecheck translations-check messages lock demo-code browser-deps pdf-deps saml-deps clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

# Hash-locked installs; re-run when a lock file changes.
$(VENV)/.run-installed: requirements/run.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/run.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@ $(VENV)/.run-installed

# Compiled translations are build output (not committed).
translations: $(VENV)/.run-installed
	$(BIN)/python scripts/compile_messages.py

# The demo logins are printed last: demo_logins waits beside the server (the shell's
# process becomes Daphne's by exec) until it answers. The demo's e-mails go to var/mail/.
# The development identity providers run beside it too and stop when it stops.
run: export SITE_URL := $(SITE_URL)
run: $(VENV)/.run-installed pdf-deps saml-deps translations
	$(BIN)/python -m devidp prepare --dir $(SAML_DEV_DIR) --base-url $(DEV_IDP_URL)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_dialogue
	$(BIN)/python manage.py seed_demo_blog
	$(BIN)/python manage.py seed_demo_access_log
	$(BIN)/python manage.py seed_demo_releases
	@$(BIN)/python manage.py demo_logins --when-serving $(HOST):$(PORT) --server-pid $$$$ & \
	  $(BIN)/python -m devidp serve --dir $(SAML_DEV_DIR) --host $(HOST) --port $(DEV_IDP_PORT) \
	    --base-url $(DEV_IDP_URL) --sp-metadata $(SITE_URL)/saml2/metadata/ --server-pid $$$$ & \
	  exec $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

# Debian packages the checks need: Chromium for the browser tests, gettext to extract
# translatable strings, npm for axe-core (the accessibility checker). Installed only when
# missing.
browser-deps:
	@missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  command -v xgettext >/dev/null || missing="$$missing gettext"; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi

# Debian packages the released copies of public records need (WeasyPrint lays out with Pango
# and embeds the DejaVu fonts in the PDF). `run` and `test` both need them; installed only
# when missing.
pdf-deps:
	@missing=""; \
	  for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do \
	    dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi

# The SAML login signs and checks its messages with the `xmlsec1` program (pysaml2 calls it);
# `run` and `test` both need it. Installed only when missing.
saml-deps:
	@if ! command -v xmlsec1 >/dev/null; then \
	    echo "Installing Debian packages: xmlsec1"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq xmlsec1 >/dev/null; \
	  fi

# Test tools from npm, pinned by package-lock.json (never served to users).
node_modules/.installed: package-lock.json | browser-deps
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy .

translations-check: $(VENV)/.dev-installed browser-deps
	$(BIN)/python scripts/check_translations.py

test: $(VENV)/.dev-installed browser-deps pdf-deps saml-deps node_modules/.installed translations lint typecheck translations-check
	@set -e; services="$$(bash scripts/test-services.sh start)"; eval "$$services"; \
	  export ELEVDIALOG_ENV=test; \
	  node --test tests/js/; \
	  $(BIN)/python scripts/bench_smoke.py; \
	  $(BIN)/pytest --ignore=tests/browser; \
	  $(BIN)/pytest tests/browser

# Every script in bench/ at a tiny size: each must complete and print its figures (no timing
# is asserted). `test` runs it too, with the same services.
bench-smoke: $(VENV)/.dev-installed pdf-deps translations
	@set -e; services="$$(bash scripts/test-services.sh start)"; eval "$$services"; \
	  export ELEVDIALOG_ENV=test; \
	  $(BIN)/python scripts/bench_smoke.py

# Extract new strings into locale/*/django.po for translating.
messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages --locale=sv --no-location --no-obsolete --ignore='.venv/*' --ignore='tests/*' --ignore='var/*' --ignore='node_modules/*'

lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements/run.txt pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --extra dev -c requirements/run.txt -o requirements/dev.txt pyproject.toml

demo-code: $(VENV)/.run-installed
	$(BIN)/python manage.py demo_otp_code $(USER)

clean:
	bash scripts/test-services.sh stop || true
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
