"""Stamp a Word template with its form and revision after editing it in Word.

The templates ``templates/<form id>_tpl.docx`` are the source of each form's layout: open one
in Word, change it, keep the ``{{ … }}`` fields (names the form spec provides, see
generator/config/form_specs.py), save, then run::

    python templates/stamp_template.py templates/repair_record_tpl.docx 2

It writes ``aftersales:<form>:r<revision>`` into the file's properties (a template older than
the revision in the form's [control] or the policy's [forms.<id>] prints 作废) and rewrites the
file reproducibly (fixed zip dates and order), then checks every field against the spec.
Without a revision it keeps the template's own (or the spec's, for an unstamped file).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from generator.config.form_specs import load_forms  # noqa: E402
from generator.config.policy import default_policy  # noqa: E402
from generator.documents.context import blank_context  # noqa: E402
from generator.documents.engine import make_env, stamp_template, template_revision  # noqa: E402

SUFFIX = "_tpl.docx"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("template", type=Path, help="templates/<form id>_tpl.docx")
    ap.add_argument("revision", type=int, nargs="?", help="template revision (default: keep)")
    ap.add_argument("--folder", type=Path, help="register folder whose forms/ holds the form's spec")
    args = ap.parse_args(argv)
    form_id = args.template.name.removesuffix(SUFFIX)
    form = load_forms(args.folder).get(form_id)
    if not args.template.name.endswith(SUFFIX) or form is None:
        print(f"{args.template}: not a template of a known form (<form id>{SUFFIX})", file=sys.stderr)
        return 2
    revision = args.revision or template_revision(args.template) or form.control["revision"]
    stamp_template(args.template, form_id, revision)
    undeclared = DocxTemplate(str(args.template)).get_undeclared_template_variables(
        jinja_env=make_env(), context=blank_context(form, default_policy()))
    print(f"{args.template}: {form_id} r{revision}")
    if undeclared:
        print(f"fields the spec does not provide: {', '.join(sorted(undeclared))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
