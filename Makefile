# `make report`: set up (venv, CPU torch, the package) and report on the sample article.
# `make test`: set up, lint and run the tests. `make serve`: the web app on the sample article.
# All three work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER_PACKAGES := chromium chromium-driver

.PHONY: report test setup serve browser

# The pinned CPU torch goes in first: a bare torch requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# tests/test_browser.py drives Debian's chromium through /usr/bin/chromedriver. Installed here when
# missing and we may (root, with apt-get; about 50 s); never fatal: without them those tests skip.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing $(BROWSER_PACKAGES) for the browser tests (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null \
		|| { apt-get update -q >/dev/null && apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; } \
		|| echo "could not install $(BROWSER_PACKAGES): the browser tests will be skipped"; \
	else \
		echo "no /usr/bin/chromium and /usr/bin/chromedriver, and no root apt-get to install them:" \
			"the browser tests will be skipped"; \
	fi

setup: $(STAMP) browser

report: $(STAMP)
	$(VENV)/bin/attrib report seeds/korea-arms-ukraine.txt

# http://127.0.0.1:8000/ (this computer only), the sample article in the text box.
serve: $(STAMP)
	$(VENV)/bin/attrib serve --sample

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q
