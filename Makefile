# `make run` and `make test` set up everything they need on a fresh machine
# with Python 3.11 and make (plus Debian's chromium for the browser tests,
# installed here when missing and running as root).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
LOCALES := es zh
PO_FILES := $(foreach l,$(LOCALES),translations/$(l)/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-fast lint translations extract update-translations \
        db seed browser-deps bench bench-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# --- translations (Flask-Babel catalogs) ------------------------------------
translations: $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d translations -l $*

extract: $(STAMP)
	$(BIN)/pybabel extract -F pyproject.toml -k _l -k lazy_gettext -k _r --no-wrap \
	  --project=engagement --copyright-holder="Engagement contributors" \
	  -o translations/messages.pot .

update-translations: extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap --no-fuzzy-matching --ignore-obsolete

# --- running it --------------------------------------------------------------
db: install
	mkdir -p instance
	$(FLASK) db upgrade

seed: db translations
	$(FLASK) seed domain
	$(FLASK) surveys load surveys/ --open
	$(FLASK) seed demo
	$(FLASK) reports rebuild

run: seed
	@echo ""
	@echo "  Engagement surveys at http://$(HOST):$(PORT)/"
	@echo "    family survey (Spanish):   http://$(HOST):$(PORT)/s/family-2026?school=jackson&lang=es"
	@echo "    family survey (Mandarin):  http://$(HOST):$(PORT)/s/family-2026?school=field&lang=zh"
	@echo "    student climate survey:    http://$(HOST):$(PORT)/s/student-climate-2026?school=blair"
	@echo "    staff survey:              http://$(HOST):$(PORT)/s/staff-2026"
	@echo ""
	@PUBLIC_BASE_URL=http://$(HOST):$(PORT) $(FLASK) users demo-admin
	@echo ""
	SMS_PUBLIC_NUMBER=$${SMS_PUBLIC_NUMBER:-+16265550100} $(FLASK) run --host $(HOST) --port $(PORT)

# --- checks --------------------------------------------------------------------
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and fonts-noto-cjk for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "note: browser tests need Debian's chromium and fonts-noto-cjk"; fi

test: install translations browser-deps
	$(BIN)/python -m pytest

test-fast: install translations
	$(BIN)/python -m pytest -m "not browser"

lint: install
	$(BIN)/ruff check engagement tests bench wsgi.py gunicorn.conf.py
	$(BIN)/ruff format --check engagement tests bench wsgi.py gunicorn.conf.py

bench: install translations bench-deps
	$(BIN)/python bench/web_submissions.py
	$(BIN)/python bench/sms_webhooks.py
	$(BIN)/python bench/in_process.py
	$(BIN)/python bench/instructions.py

bench-deps:
	@if command -v valgrind >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing valgrind for bench/instructions.py"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; \
	else echo "note: bench/instructions.py needs Debian's valgrind"; fi

clean:
	rm -rf $(VENV) instance build translations/*/LC_MESSAGES/*.mo
