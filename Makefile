# ilo in Python — developer entry points.
#
#   make demo    bootstrap, then show ilo running, failing cleanly, and
#                stopping a runaway loop
#   make test    bootstrap, then run the whole test suite
#   make bench   bootstrap, then run every bench/*.py script
#   make clean   remove caches and build leftovers (keeps .venv)
#
# Bootstrapping creates .venv when it is missing and reinstalls the package
# (editable, with test extras) only when pyproject.toml is newer than the
# stamp file, so reruns are fast.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ilo-installed
ILO    := $(BIN)/ilo

.PHONY: all bootstrap demo test bench clean distclean

all: test

bootstrap: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --config-settings editable_mode=compat -e '.[test]'
	@$(BIN)/python -c "from ilo.syntax import tables; tables.tables()"   # lark builds the grammar tables once
	@touch $(STAMP)

demo: bootstrap
	@echo "== 1. a while loop, inline (prints 5)"
	@echo "\$$ ilo 'main>n;n=0;wh <n 5{n=+n 1};n'"
	@$(ILO) 'main>n;n=0;wh <n 5{n=+n 1};n'
	@echo
	@echo "== 2. a function from an example file (prints 3628800)"
	@echo "\$$ ilo examples/functions-guards.ilo fac 10"
	@$(ILO) examples/functions-guards.ilo fac 10
	@echo
	@echo "== 3. a program with a mistake: a clean diagnostic, exit code 2"
	@echo "\$$ ilo --text 'f x:n>n;+x y' 1"
	@$(ILO) --text 'f x:n>n;+x y' 1; rc=$$?; echo "(exit code $$rc)"; \
	  if [ $$rc -eq 0 ]; then echo "demo: expected a non-zero exit" >&2; exit 1; fi
	@echo
	@echo "== 4. a runaway loop stopped by the runtime guard after 1 second"
	@echo "\$$ ilo --text --max-runtime 1 'main>n;i=0;wh true{i=+i 1};i'"
	@timeout -k 5 30 $(ILO) --text --max-runtime 1 'main>n;i=0;wh true{i=+i 1};i'; rc=$$?; echo "(exit code $$rc)"; \
	  if [ $$rc -eq 124 ] || [ $$rc -eq 137 ]; then echo "demo: the guard did not stop the loop (killed by the demo's 30 s safety timeout)" >&2; exit 1; fi; \
	  if [ $$rc -eq 0 ]; then echo "demo: expected the guard to stop the loop" >&2; exit 1; fi

test: bootstrap
	$(BIN)/python -m pytest -q

bench: bootstrap
	@set -e; found=0; \
	for f in bench/*.py; do \
	  [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(BIN)/python "$$f"; \
	done; \
	if [ $$found -eq 0 ]; then echo "no bench/*.py scripts yet"; fi

clean:
	rm -rf build dist .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
