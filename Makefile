# Wenku: `make run` starts the site, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= wenku-data

.PHONY: run test demo geo lint bench screenshots messages clean

run:
	@scripts/system-packages.sh runtime || echo "(continuing without them: see the command above)"
	@$(MAKE) --no-print-directory $(VENV)/.runtime messages geo
	$(BIN)/wenku serve --data $(DATA)

test:
	@scripts/system-packages.sh test
	@$(MAKE) --no-print-directory $(VENV)/.dev messages geo
	scripts/test.sh

# Sample documents in every format, so a new site has a living library to look at.
demo:
	@scripts/system-packages.sh runtime || echo "(continuing without them: see the command above)"
	@$(MAKE) --no-print-directory $(VENV)/.runtime messages geo
	$(BIN)/wenku demo --data $(DATA)

# IP data for the uploader's province, fetched once per installation (not committed).
# Offline, Wenku still runs and shows no province.
geo: $(VENV)/.runtime
	@$(BIN)/wenku geo update || echo "(continuing without IP data: pages show no province)"

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	WENKU_DATA_DIR=$${TMPDIR:-/tmp}/wenku-lint $(BIN)/mypy

bench:
	@scripts/system-packages.sh test
	@$(MAKE) --no-print-directory $(VENV)/.dev messages
	$(BIN)/python bench/ingest.py

# Search and related documents (the 100,000-document run takes about half an hour).
bench-search: $(VENV)/.dev
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python bench/related.py
	$(BIN)/python bench/search.py

# docs/screenshots/: the main pages with demo data, then feature pages from the browser tests.
screenshots:
	@scripts/system-packages.sh test
	@$(MAKE) --no-print-directory $(VENV)/.dev messages
	@$(MAKE) --no-print-directory geo
	$(BIN)/python scripts/screenshots.py
	WENKU_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser

# The virtual environment: runtime packages for `run`, development ones for `test`.
$(VENV)/.runtime: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Wenku needs Python 3.11 or newer"; exit 1)
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[scale]"
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install -q -e ".[dev,scale]"
	@touch $@

# Compiled translations (.mo files are built here, never committed).
messages: $(VENV)/.runtime
	@cd src/wenku && ../../$(BIN)/django-admin compilemessages -v0 2>/dev/null || \
		echo "(msgfmt missing: the interface stays in English until gettext is installed)"

clean:
	rm -rf $(VENV) build src/*.egg-info
