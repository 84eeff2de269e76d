"""Controlled forms: which records a form covers (subjects), its template context (context) and
control block (control), the sandboxed docx engine (engine) with its page rules (pages), output
file names (names), batch rendering (batch), records as sections of one document (compose),
reproducible files (docx_repro, pdf_repro), PDF conversion through LibreOffice (pdf), print
files with a bookmark per record (printfile) and the distribution log (distribution). ``render`` only re-exports old names
for the audit pack.

Owns: turning register records into .docx and .pdf files.
May import: ``core`` … ``assess``.
"""
