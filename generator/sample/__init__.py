"""The deterministic sample year (2025-07 … 2026-06) with its documented planted mistakes.

Owns: generating register rows; writing them is ``registers``' job.
May import: ``core``, ``rules``, ``config``.
"""
