# mashang — two commands on a fresh machine:
#   make demo   install everything, load the demo zone on SQLite, serve it on http://127.0.0.1:$(PORT)
#               with its worker (Procfile.demo: gunicorn and `mashang worker`, run by honcho)
#   make test   install everything, run the whole test suite on SQLite and on PostgreSQL

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
PG_URL := $(or $(MASHANG_TEST_POSTGRES_URL),postgresql://postgres@127.0.0.1:5432/test)
STAMP := $(VENV)/.installed

.PHONY: install assets messages makemessages browser demo test test-sqlite test-postgres lint lock bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages assets

# Front-end packages from the npm registry (pinned in package-lock.json), copied next to our
# own static files; pages load nothing from a CDN.
VENDOR := mashang/web/static/vendor
ASSETS := $(VENDOR)/htmx.min.js $(VENDOR)/echarts.min.js \
	$(VENDOR)/swagger-ui-bundle.js $(VENDOR)/swagger-ui.css

# --ignore-scripts: no package runs code at install (swagger-ui-dist's @scarf/scarf would report home).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error --ignore-scripts

$(ASSETS) &: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/

assets: $(ASSETS)

# The browser for the browser tests: Debian's Chromium (Playwright drives it; nothing is downloaded by Playwright),
# and a Chinese font so the screenshots in var/screenshots/ show characters, not boxes.
browser:
	@test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || \
	  (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei)

# Compile the translations (zh-Hans first); msgfmt comes from Debian's gettext.
messages: $(STAMP)
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	cd mashang && ../$(BIN)/mashang compilemessages -v0

# Collect new message ids into mashang/locale/zh_Hans/LC_MESSAGES/django.po to translate.
makemessages: $(STAMP)
	cd mashang && ../$(BIN)/mashang makemessages -l zh_Hans --no-obsolete --no-location

demo: install
	$(BIN)/mashang migrate --noinput
	$(BIN)/mashang load_demo
	$(BIN)/mashang demo_users
	@echo "mashang is starting on http://127.0.0.1:$(PORT) with its worker  (Ctrl-C stops both)"
	PATH="$(abspath $(BIN)):$$PATH" MASHANG_ADMIN_OTP_REQUIRED=0 $(BIN)/honcho -f Procfile.demo start -p $(PORT)

test: install browser lint test-sqlite test-postgres

# The suite runs in parallel processes (pytest-xdist), one per CPU and at most 8, each with
# its own test database and Redis database; XDIST="-n 0" runs it in one process.
XDIST ?= -n auto --maxprocesses=8

test-sqlite: install browser
	env -u DATABASE_URL $(BIN)/pytest -q $(XDIST)

test-postgres: install browser
	DATABASE_URL=$(PG_URL) MASHANG_REQUIRE_POSTGRES=1 $(BIN)/pytest -q $(XDIST)

# Style (ruff) and the layers of the apps (import-linter, the contract in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Regenerate constraints.txt after changing pyproject.toml's dependencies.
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet -e '.[dev]'
	(echo "# Pinned versions of every dependency (direct and transitive). Regenerate with: make lock"; \
	 .lockenv/bin/pip freeze --exclude-editable) > constraints.txt
	rm -rf .lockenv

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache node_modules $(VENDOR)
