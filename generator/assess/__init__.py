"""Judgements over the registers of a folder: the run context, the checks (fields, numbers,
deadline clocks), the monthly penalty ledger, a period's scores and the report statistics.

Owns: turning registers + policy + today into findings, ledgers, scores and statistics.
May import: ``core``, ``rules``, ``config``, ``registers``, ``sample``.
"""
