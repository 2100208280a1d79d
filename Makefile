# jiceng: two commands for a newcomer.
#   make demo   set up, load the demo county 零陵区 and serve on http://127.0.0.1:8000
#   make test   set up and run the whole test suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CASES  ?= 5000
PORT   ?= 8000

.PHONY: setup demo test serve messages bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/jiceng migrate -v0
	$(BIN)/jiceng seed-demo --cases $(CASES) --if-empty
	JICENG_SMS_URL=$${JICENG_SMS_URL:-fake} $(BIN)/jiceng serve --port $(PORT)   # demo: SMS go to the outbox page only

test: setup
	scripts/test.sh

messages: setup
	cd src/jiceng && ../../$(BIN)/jiceng makemessages -l zh_Hans -l en --no-obsolete && ../../$(BIN)/jiceng compilemessages

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
