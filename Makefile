# musclewise: every target does its own set-up (a .venv made with the machine's python3).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Debian packages the project needs outside Python: Pango and a font for WeasyPrint (the PDF
# report), poppler-utils for the tests that read the PDF (pdftoppm, pdftotext), Chromium for the
# web app's browser tests and screenshots (Playwright drives /usr/bin/chromium), wrk for the HTTP
# benchmarks (benchmarks/api.py).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium wrk
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install clean system-packages screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) system-packages

# Installs the missing SYSTEM_PACKAGES with apt-get when running as root; otherwise says what to
# install and goes on (only the PDF report, the browser tests and their tests need them).
system-packages:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	else \
	  echo "note: not a Debian system; the PDF report needs Pango and a font, the tests poppler (pdftoppm)"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages:$$missing"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	     (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null)) || \
	    echo "warning: could not install$$missing; the PDF report or the browser tests will not work"; \
	  else \
	    echo "note: the PDF report and the browser tests need these Debian packages:$$missing"; \
	    echo "      sudo apt-get install -y --no-install-recommends$$missing"; \
	  fi; \
	fi

# Starts the web app on the diary's default SQLite file and prints its address (Ctrl-C stops it).
run: $(STAMP) system-packages
	$(BIN)/musclewise serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The suite on every core (pytest-xdist): each test makes its own files, schemas and servers.
test: lint system-packages
	$(BIN)/python -m pytest -q -n auto

# Each page of the web app at 1280 and 375 px wide, into docs/screenshots/ (a demo diary).
screenshots: $(STAMP) system-packages
	$(BIN)/python -m musclewise.web.screenshots docs/screenshots

bench: $(STAMP) system-packages
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
