# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test install install-test lint messages compilemessages browser serve clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# setup.py and the .pyx sources: the compiled kernels are rebuilt when they change.
$(VENV)/.installed: pyproject.toml setup.py $(wildcard src/coproduce/methods/pb/*.pyx) | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Translations: .po files are kept in git, .mo files are built.
compilemessages: install
	cd src/coproduce && ../../$(BIN)/coproduce compilemessages --ignore=.venv >/dev/null

messages: install
	cd src/coproduce && ../../$(BIN)/coproduce makemessages -l fr --no-obsolete --ignore=methods/*

## Browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium: run 'sudo apt-get install chromium' (they are skipped until then)."; \
	fi

lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install-test compilemessages browser lint
	$(BIN)/pytest

demo: install compilemessages
	$(BIN)/coproduce migrate --noinput
	$(BIN)/coproduce collectstatic --noinput >/dev/null
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/coproduce load_demo
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/gunicorn coproduce.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/pb.py

clean:
	rm -rf $(VENV) var/ .pytest_cache
