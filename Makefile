# One command installs everything and runs the bot; one installs everything and runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test lint bench clean

$(BIN)/rmo-bot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The project's own modules byte-compiled, as pip does for the packages it installs: each start then loads
# them instead of compiling ~170 modules (about 0.3 s of `rmo-bot run`'s start, more of `rmo-bot ask`'s).
install: $(BIN)/rmo-bot
	$(BIN)/python -m compileall -q bot handlers storage

run: install
	$(BIN)/rmo-bot run

lint: install
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/ruff format --check bot handlers storage tests bench
	$(BIN)/mypy --strict bot handlers storage

# Two workers on a 2-core machine (one per core): the suite spends most of its time waiting on
# subprocesses and servers. A test file stays on one worker, so its module fixtures start once.
test: lint
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: install
	$(BIN)/python bench/qa.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
