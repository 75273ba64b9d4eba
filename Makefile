# `make report`: set up (venv, CPU torch, the package) and report on the sample article.
# `make test`: set up, lint and run the tests. Both work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: report test setup

# The pinned CPU torch goes in first: a bare torch requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: $(STAMP)

report: $(STAMP)
	$(VENV)/bin/attrib report seeds/korea-arms-ukraine.txt

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q
