"""Old import path of the form renderer, kept for the audit pack (generator/pack/build.py)
until it imports from the split modules: subjects, context, control, engine, names, batch
(and ``generator.core.text`` for ``fmt``/``mask``). Nothing else imports from here.
"""
from __future__ import annotations

from generator.core.text import mask
from generator.core.text import value_text as fmt
from generator.documents.context import build_context
from generator.documents.control import control_block, form_policy
from generator.documents.engine import (
    make_env,
    render_docx,
    template_path,
    template_revision,
)
from generator.documents.names import unique_names
from generator.documents.subjects import FormData, subjects

__all__ = [
    "FormData", "build_context", "control_block", "fmt", "form_policy", "make_env", "mask", "render_docx",
    "subjects", "template_path", "template_revision", "unique_names",
]
