"""Controlled forms: which records a form covers, its template context and control block, the
sandboxed docx engine, reproducible files, PDF conversion through LibreOffice and the
distribution log.

Owns: turning register records into .docx and .pdf files.
May import: ``core`` … ``assess``.
"""
