# The kiosk's two commands, and the benchmarks. Each prepares the machine first
# (scripts/bootstrap.sh: Debian packages, .venv, the package).
VENV   := .venv
PYTEST_ARGS ?=
ARGS   ?=

.PHONY: run test bench setup wheel clean

run: setup
	$(VENV)/bin/kiosk run $(ARGS)

test: setup
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(VENV)/bin/python -m benchmarks

setup:
	@sh scripts/bootstrap.sh

wheel: setup
	rm -rf build  # setuptools would carry modules deleted since the last build into the wheel
	$(VENV)/bin/python -m build --wheel --outdir dist

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
