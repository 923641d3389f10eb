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

install: $(BIN)/rmo-bot

run: install
	$(BIN)/rmo-bot run

lint: install
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/ruff format --check bot handlers storage tests bench
	$(BIN)/mypy --strict bot handlers storage

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/qa.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
