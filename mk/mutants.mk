# mk/mutants.mk — the mutation check, included by the main Makefile (which defines PYTHON and
# the deps targets). docs/testing.md explains it and how to add a mutant.
#
#   make mutants         every mutant of Sources/**/mutants.txt, each in a scratch copy
#                        .build/mutants/tree[-N] (one a core): rebuild, pytest -x (oracles first), C tests, swift
#                        test; fails if any mutant survives or any entry is out of date
#   make mutants-check   only check that every entry's text is found exactly once (seconds)
#   make mutants MUTANTS="name …"   some of them

MUTANTS ?=

.PHONY: mutants mutants-check

mutants: deps-system deps-python
	$(VENV_PYTHON) scripts/mutants.py $(MUTANTS)

mutants-check:
	$(VENV_PYTHON) scripts/mutants.py --check
