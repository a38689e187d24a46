# The two set-up commands (see README): `make run` and `make test`.
# Each step leaves a stamp file and runs again only when its inputs change: a second `make run` starts at once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DSFR := node_modules/@gouvfr/dsfr/dist
VENDOR := helpdesk/static/vendor
# Pinned build tools of the virtualenv (README, « Configuration »).
PIP_VERSION := 26.3
SETUPTOOLS_VERSION := 84.2.1
CATALOGS := $(wildcard helpdesk/translations/*/LC_MESSAGES/messages.po)
# Tries, 10 s apart, while another apt or dpkg holds the package lock.
APT_WAIT := 60

.PHONY: run test suite install install-test assets translations translations-update demo bench chromium dovecot

run: install demo  ## install everything, load demo data, start web + worker + scheduler (HOST, PORT)
	$(BIN)/python -m devserver

test: install-test suite  ## install test needs and run the whole suite (SQLite + embedded Redis)

# One worker per core (four at most: each has its own database and Redis database number, and Redis has 16), a test
# file per worker at a time (its module fixtures are set up once); see tests/conftest.py. TEST_DATABASE_URL / TEST_REDIS_URL pick the servers.
suite:  ## run the whole suite, nothing installed
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

install: $(VENV)/.installed $(VENDOR)/.installed helpdesk/translations/.compiled

install-test: install $(VENV)/.installed-test chromium dovecot

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q pip==$(PIP_VERSION) setuptools==$(SETUPTOOLS_VERSION)

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package-lock.json Makefile
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/dsfr/utility/icons $(VENDOR)/htmx $(VENDOR)/chartjs $(VENDOR)/swagger-ui
	cp $(DSFR)/dsfr.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js $(VENDOR)/dsfr/
	cp -r $(DSFR)/fonts $(DSFR)/icons $(DSFR)/favicon $(VENDOR)/dsfr/
	cp $(DSFR)/utility/icons/icons.min.css $(VENDOR)/dsfr/utility/icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md $(VENDOR)/chartjs/
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui/
	@touch $@

translations: helpdesk/translations/.compiled

helpdesk/translations/.compiled: $(CATALOGS) $(VENV)/.installed
	$(BIN)/pybabel compile -f -d helpdesk/translations
	@touch $@

# Debian's chromium for the browser tests. Waits for the package lock instead of failing when another apt or
# dpkg runs; without root, says what to run.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "chromium is missing and installing it needs root: run 'sudo apt-get install chromium'" >&2; \
	    echo "(or point CHROMIUM_PATH at a chromium binary), then 'make test' again." >&2; exit 1; \
	  fi; \
	  for try in $$(seq $(APT_WAIT)); do \
	    apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null && exit 0; \
	    echo "apt/dpkg is busy (another install runs?): retrying in 10 s ($$try/$(APT_WAIT))" >&2; sleep 10; \
	  done; exit 1; }

# Debian's dovecot-imapd: the real IMAP server the e-mail channel's tests start (tests/mailchannel/conftest.py, own
# config and port, run by the tests). The package's own service is not started (no systemd here, or policy-rc.d).
dovecot:
	@command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || { \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "dovecot is missing and installing it needs root: run 'sudo apt-get install dovecot-imapd'," >&2; \
	    echo "then 'make test' again." >&2; exit 1; \
	  fi; \
	  for try in $$(seq $(APT_WAIT)); do \
	    apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq dovecot-imapd >/dev/null && exit 0; \
	    echo "apt/dpkg is busy (another install runs?): retrying in 10 s ($$try/$(APT_WAIT))" >&2; sleep 10; \
	  done; exit 1; }

translations-update:  ## after changing French texts: refresh the catalog, then translate the new msgids
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o /tmp/helpdesk-messages.pot helpdesk kb escalation
	$(BIN)/pybabel update -i /tmp/helpdesk-messages.pot -d helpdesk/translations --ignore-obsolete
	$(BIN)/pybabel compile -f -d helpdesk/translations --statistics
	@touch helpdesk/translations/.compiled

# Demo data: loaded again only when a migration or a seed module changed, or the SQLite file is gone.
DATA_DIR := $(or $(HELPDESK_DATA_DIR),instance)
DEMO_INPUTS := $(wildcard migrations/versions/*.py) $(shell find helpdesk kb escalation -name 'seed.py' -o -name '*.yaml' -path '*data*')

demo: install
	@if [ -z "$$DATABASE_URL" ] && [ ! -e "$(DATA_DIR)/helpdesk.db" ]; then rm -f "$(DATA_DIR)/.demo-loaded"; fi
	@$(MAKE) --no-print-directory "$(DATA_DIR)/.demo-loaded"

$(DATA_DIR)/.demo-loaded: $(DEMO_INPUTS)
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed --demo
	@mkdir -p "$(DATA_DIR)" && touch "$@"

bench: install-test
	$(BIN)/python -m bench
