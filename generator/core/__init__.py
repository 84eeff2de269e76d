"""The vocabulary every layer shares: errors, findings and the catalogue of finding codes,
periods (months, quarters, years), money and rounding, cell-value normalisation, text formatting
and the dotted policy look-up.

Owns: plain data types and pure helpers; nothing here reads or writes a file.
May import: the standard library only (and ``decimal``/``datetime`` values); no other layer.
"""
