# socta — every target here is what the README and CI run. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/demo
AUDIENCE ?= public
EDITION_LANG ?= en
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SOCTA_ARGS := --data $(DATA) --audience $(AUDIENCE) --lang $(EDITION_LANG)

.DEFAULT_GOAL := help
.PHONY: help setup tex browser office collect report editions validate run build test test-fast bench demo-data messages clean
# the Debian packages the PDF needs, one a line; socta's own message (socta/book/build.py) reads the same file
TEX_PACKAGES := $(shell cat socta/book/tex_packages.txt)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  variables: DATA=$(DATA) AUDIENCE=$(AUDIENCE) EDITION_LANG=$(EDITION_LANG) JOBS=$(JOBS)"

# uv (pinned) installs the pinned environment in seconds, where pip took over a minute of every CI run;
# where uv cannot be had, pip installs the same requirements.txt. --compile-bytecode, as pip does: where
# PYTHONDONTWRITEBYTECODE is set (this machine, CI) every process would otherwise compile pandas,
# matplotlib and the rest from source each time it starts.
UV := uv==0.13.8
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(PIP) $(UV) && $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt \
		&& $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .; then :; \
	else \
		echo "uv could not install the environment: installing it with pip"; \
		$(PIP) -r requirements.txt && $(PIP) --no-deps -e .; \
	fi
	@touch $@

setup: $(STAMP) ## create .venv from requirements.txt (done by the other targets when needed)

tex: ## install the TeX packages the PDF needs (Debian; as root), or say what to install
	@if command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing TeX for the PDF (about 115 MB, 2-3 minutes) ..."; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(TEX_PACKAGES); \
	else \
		echo "The PDF needs TeX. Install it with:"; \
		echo "  sudo apt-get install -y --no-install-recommends $(TEX_PACKAGES)"; \
		echo "or build the HTML only: make report FORMATS=html"; exit 1; \
	fi

office: ## install Debian's LibreOffice Calc (headless), in which the tests open, recalculate and save the collection workbooks (as root), or say how
	@if command -v soffice >/dev/null || command -v libreoffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing LibreOffice Calc for the collection-workbook tests (about 150 MB) ..."; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc-nogui; \
	else \
		echo "The collection-workbook tests need LibreOffice. Install it with:"; \
		echo "  sudo apt-get install -y --no-install-recommends libreoffice-calc-nogui"; exit 1; \
	fi

browser: ## install Debian's chromium, in which the tests run axe-core over the built pages (as root), or say how
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing chromium for the accessibility tests (about 100 MB) ..."; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	else \
		echo "The accessibility tests need chromium. Install it with:"; \
		echo "  sudo apt-get install -y --no-install-recommends chromium"; exit 1; \
	fi

# AUDIENCE=training is the classroom book of lessons (code shown, exercises, solutions): HTML by default
ifeq ($(AUDIENCE),training)
FORMATS ?= html
PDF_NAME := training.pdf
else
FORMATS ?= html,pdf
PDF_NAME := assessment.pdf
endif
report: $(STAMP) $(if $(findstring pdf,$(FORMATS)),tex) ## validate, execute every notebook, build HTML and PDF in _build/<audience>-<lang>/ (AUDIENCE=public|restricted|training)
	$(BIN)/socta report $(SOCTA_ARGS) --jobs $(JOBS) --formats $(FORMATS)
	@echo "Open _build/$(AUDIENCE)-$(EDITION_LANG)/html/index.html in a browser$(if $(findstring pdf,$(FORMATS)),; the PDF is _build/$(AUDIENCE)-$(EDITION_LANG)/pdf/$(PDF_NAME))"

editions: $(STAMP) $(if $(findstring pdf,$(FORMATS)),tex) ## every language of settings.yaml (en, sr, sr-Latn, mk, cnr) for AUDIENCE: data processed once, pages cached per language
	$(BIN)/socta report --data $(DATA) --audience $(AUDIENCE) --lang all --jobs $(JOBS) --formats $(FORMATS)
	@echo "Open _build/$(AUDIENCE)-<lang>/html/index.html; every page links to the same page in the other languages"

collect: $(STAMP) ## write the units' collection workbooks (.xlsx), pre-filled from DATA, into _build/collection/ (README: "Collecting data from the units")
	$(BIN)/socta collect --data $(DATA) --out _build/collection

validate: $(STAMP) ## check the input tables of DATA and write the processed tables
	$(BIN)/socta validate --data $(DATA)

run: $(STAMP) ## execute the notebooks only (COUNTRY=SRB AREA=drugs to narrow)
	$(BIN)/socta run $(SOCTA_ARGS) --jobs $(JOBS) $(if $(COUNTRY),--country $(COUNTRY)) $(if $(AREA),--area $(AREA))

build: $(STAMP) ## build the book (FORMATS=html,pdf) from the notebooks already executed
	$(BIN)/socta build $(SOCTA_ARGS) --formats $(FORMATS)

test: $(STAMP) tex browser office ## lint (ruff), then the whole test suite: tests/unit, tests/pipeline (changed data processed, templates run in-process), tests/book (notebooks executed, books built, axe-core in chromium)
	$(BIN)/ruff check socta tests bench data
	$(BIN)/python -m pytest

# the unit tier on every core (pytest-xdist; worksteal balances its few long tests): it builds no book, so
# nothing else is using them. The full suite runs in one process: its books already fill both cores.
test-fast: $(STAMP) ## run tests/unit on every core: no notebook executed, no book built
	$(BIN)/python -m pytest tests/unit -n $(JOBS) --dist worksteal

bench: $(STAMP) ## benchmark the runner: naive loop vs socta cold / unchanged / one country changed, and scaling
	$(BIN)/python bench/bench.py --jobs $(JOBS)
	$(BIN)/python bench/bench.py --backtest-only

demo-data: $(STAMP) ## regenerate the synthetic demonstration data from its seed (data/demo on the EU-SOCTA 2025 method profile, data/demo-2016 on the 2016 regional method)
	$(BIN)/python data/demo/generate.py
	$(BIN)/python data/demo/generate.py --method shipped --out data/demo-2016

messages: $(STAMP) ## extract translatable strings to socta/locale/socta.pot and merge them into every <lang>/LC_MESSAGES/socta.po
	mkdir -p socta/locale
	$(BIN)/pybabel extract --no-location -k t -k tn:1,2 -k tp:1c,2 -k tpn:1c,2,3 -k N_ -k NP_:1c,2 -o socta/locale/socta.pot socta
	$(BIN)/python -m socta.i18n.messages socta/locale/socta.pot
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -D socta -d socta/locale -i socta/locale/socta.pot
	@$(BIN)/python -m socta.i18n.messages --status || echo "(the tests require every catalogue complete: translate the messages above)"

clean: ## remove build products (_build); the venv stays
	rm -rf _build
