"""Audit packs: plan the evidence of a period, build it (forms, PDFs, registers, check and
summary workbooks, manifest, README, audit log) into a reproducible zip, and verify one.

May import: ``core`` … ``reports``.
"""
