# The two set-up commands (see README): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DSFR := node_modules/@gouvfr/dsfr/dist
VENDOR := helpdesk/static/vendor

.PHONY: run test install install-test assets translations translations-update db demo ci-pg bench

run: install demo  ## install everything, load demo data, start web + worker + scheduler
	$(BIN)/python -m devserver

test: install-test  ## install test needs and run the whole suite (SQLite + embedded Redis)
	$(BIN)/python -m pytest

install: $(BIN)/activate
	$(BIN)/pip install -q -e .
	$(MAKE) --no-print-directory assets translations

install-test: install
	$(BIN)/pip install -q -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

assets: package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/dsfr/utility/icons $(VENDOR)/htmx $(VENDOR)/chartjs
	cp $(DSFR)/dsfr.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js $(VENDOR)/dsfr/
	cp -r $(DSFR)/fonts $(DSFR)/icons $(DSFR)/favicon $(VENDOR)/dsfr/
	cp $(DSFR)/utility/icons/icons.min.css $(VENDOR)/dsfr/utility/icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md $(VENDOR)/chartjs/

translations:
	$(BIN)/pybabel compile -f -d helpdesk/translations

translations-update:  ## after changing French texts: refresh the catalog, then translate the new msgids
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o /tmp/helpdesk-messages.pot helpdesk kb escalation
	$(BIN)/pybabel update -i /tmp/helpdesk-messages.pot -d helpdesk/translations --ignore-obsolete
	$(BIN)/pybabel compile -f -d helpdesk/translations --statistics

demo: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed --demo

bench: install-test
	$(BIN)/python -m bench
