"""Period reports and summary workbooks: native Excel charts and a Chinese PDF.

Owns: writing what ``assess`` computed as .xlsx and .pdf files.
May import: ``core`` … ``documents``.
"""
