# Two commands for a newcomer: `make demo` (the main job on the sample registers) and
# `make test`. Both set up what they need first: system packages (LibreOffice, CJK fonts,
# poppler) when missing, a virtualenv in .venv and the package with its test extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system demo test bench previews workbooks clean

setup: system $(STAMP)

system:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: setup
	$(BIN)/aftersales demo demo-out

test: setup
	$(BIN)/pytest -n 2

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

workbooks: setup
	$(BIN)/aftersales init workbooks/sample --sample --force
	rm -rf workbooks/sample/备份

previews: setup
	$(BIN)/python scripts/form_previews.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache
