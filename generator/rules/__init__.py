"""The regulations as pure functions, table-tested from the seeds: the Chinese working-day
calendar, deadline rules, document numbering (grammar, checks, allocation), penalties, scores,
AHP weights, paid-service quotes and personal-data masking.

Owns: every computation whose inputs are values and the policy dict; no files, no workbooks.
May import: ``core``. Never an I/O library (an import-linter contract in pyproject.toml).
"""
