# Two commands for a fresh machine: `make run` (web chat) and `make test`.
.PHONY: run test setup

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/python app.py

test: setup
	.venv/bin/python -m pytest -q
