"""The mutation check of `make mutants` (scripts/mutants.py), in four parts:

- `lists`: the deliberate bugs listed beside the code they mutate (Sources/**/mutants.txt);
- `schemata`: every listed bug written into one scratch tree as a run-time switch, so that one
  build holds them all and `FACTORSENSE_MUTANT=N` turns bug N on;
- `killers`: which test killed each mutant last time (Tests/mutants/killers.tsv), run first;
- `selection`: which mutants a CI run checks (the changed files' and a rotating sample).
"""
