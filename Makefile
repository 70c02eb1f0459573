# Wenku: `make run` starts the site, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= wenku-data

.PHONY: run test lint bench system-packages venv messages clean

run: venv messages
	@scripts/system-packages.sh runtime || echo "(continuing without them: see the command above)"
	$(BIN)/wenku serve --data $(DATA)

test: venv messages
	@scripts/system-packages.sh test
	scripts/test.sh

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	WENKU_DATA_DIR=$${TMPDIR:-/tmp}/wenku-lint $(BIN)/mypy

bench: venv messages
	@scripts/system-packages.sh test
	$(BIN)/python bench/ingest.py

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Wenku needs Python 3.11 or newer"; exit 1)
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || \
		(scripts/system-packages.sh runtime && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev,postgres]"
	@touch $@

messages: venv
	@scripts/system-packages.sh runtime >/dev/null 2>&1 || true
	@cd src/wenku && ../../$(BIN)/django-admin compilemessages -v0 2>/dev/null || \
		echo "(msgfmt missing: the interface stays in English until gettext is installed)"

clean:
	rm -rf $(VENV) build *.egg-info
