"""The register workbooks: read and normalise (python-calamine), the initial layout of a folder
(tables, validations, formulas, the hidden 工作日 sheet), the safe writer (lock, backup, atomic
replace), number write-back and the 校验结果 write-back of findings.

Owns: every read and write of a register workbook.
May import: ``core``, ``rules``, ``config``, ``sample``.
"""
