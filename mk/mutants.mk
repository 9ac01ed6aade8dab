# mk/mutants.mk — the mutation check, included by the main Makefile (which defines PYTHON and
# the deps targets). docs/testing.md explains it and how to add a mutant.
#
#   make mutants         every mutant of Sources/**/mutants.txt, all built at once behind run-time
#                        switches in .build/mutants/tree; each runs its recorded killer first
#                        (Tests/mutants/killers.tsv), then the suites; fails if any survives; on
#                        success records the commit in Tests/mutants/full-pass.txt
#   make mutants-ci      what .ci/run checks right after make test: the mutants whose code changed
#                        since that commit, and a rotating sample of 12 others, without re-running
#                        the baseline suites
#   make mutants-check   only check that every entry's text is found exactly once (seconds)
#   make mutants MUTANTS="name …"   some of them

MUTANTS ?=

.PHONY: mutants mutants-ci mutants-check

mutants: deps-system deps-python
	$(VENV_PYTHON) scripts/mutants.py $(MUTANTS)

mutants-ci: deps-system deps-python
	$(VENV_PYTHON) scripts/mutants.py --ci --no-baseline

mutants-check:
	$(VENV_PYTHON) scripts/mutants.py --check
