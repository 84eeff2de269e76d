import re

import pytest

from generator.config.policy import default_policy, default_policy_text, load_policy
from generator.core.errors import UserError


def write(tmp_path, text):
    p = tmp_path / "policy.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_default_policy_loads_and_validates(tmp_path):
    p = write(tmp_path, default_policy_text())
    assert load_policy(p) == default_policy()


def test_every_value_cites_its_source():
    """Each value line has a trailing comment, or its table has a `source = ...` field."""
    blocks, current = [], []
    for line in default_policy_text().splitlines():
        s = line.strip()
        if re.match(r"\[\[?[A-Za-z_]", s):  # a table header, not a row of a multi-line array
            blocks.append(current)
            current = []
        elif s and not s.startswith("#") and "=" in s:
            current.append(s)
    blocks.append(current)
    uncited = [
        line for block in blocks
        if not any(l.startswith("source") for l in block)
        for line in block if "#" not in line
    ]
    assert uncited == []


@pytest.mark.parametrize("edit,problem", [
    (lambda t: t.replace('hotline = "', 'hotlne = "', 1), "未知的键 company.hotlne"),
    (lambda t: t.replace('hotline = "', 'hotline = 4008001234 #', 1), "company.hotline 应为文本"),
    (lambda t: t.replace("retention_years = 3", "", 1), "缺少 records.retention_years"),
    (lambda t: t.replace('SC = "生产部"', "SC = 12", 1), "departments.SC 应为文本"),
    (lambda t: t + '\n[deadlines."my.rule"]\nclock = "working_days"\n', "缺少 deadlines.my.rule.amount"),
    (lambda t: t + "\n[company.extra]\n", "未知的键 company.extra"),
    (lambda t: t + '\n[forms.no_such_form]\ndoc_no = "X"\n', "未知的表单 forms.no_such_form"),
    (lambda t: t + '\n[forms.repair_record]\ncolour = "red"\n', "未知的键 forms.repair_record.colour"),
    (lambda t: t + '\n[forms.repair_record]\nrevision = "2"\n', "forms.repair_record.revision 应为数字"),
    (lambda t: "forms = 3\n" + t, "forms 应为表"),
])
def test_invalid_policy_names_the_exact_key(tmp_path, edit, problem):
    p = write(tmp_path, edit(default_policy_text()))
    with pytest.raises(UserError) as e:
        load_policy(p)
    assert problem in e.value.message, e.value.message
    assert str(p) in e.value.message


def test_company_may_add_entries_to_open_tables(tmp_path):
    text = default_policy_text().replace(
        'YF = "研发部"', 'YF = "研发部"\nWX = "外协部"  # company addition', 1)
    assert load_policy(write(tmp_path, text))["departments"]["WX"] == "外协部"


def test_forms_table_is_optional_and_holds_overrides(tmp_path):
    assert "forms" not in load_policy(write(tmp_path, default_policy_text()))
    assert load_policy(write(tmp_path, default_policy_text() + "\n[forms]\n"))["forms"] == {}
    text = default_policy_text() + '\n[forms.repair_record]\ndoc_no = "QR-01"  # company choice\nrevision = 2\n'
    assert load_policy(write(tmp_path, text))["forms"] == {"repair_record": {"doc_no": "QR-01", "revision": 2}}


def test_a_policy_with_the_old_full_form_entries_stays_valid(tmp_path):
    """Before the defaults moved into the form specs, init wrote every [forms.<id>] in full."""
    from generator.config.form_specs import load_forms

    def toml(v):
        return f'"{v}"' if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)

    old = "".join(f"\n[forms.{fid}]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in f.defaults().items())
                  for fid, f in load_forms().items())
    assert set(load_policy(write(tmp_path, default_policy_text() + old))["forms"]) == set(load_forms())


def test_broken_toml_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="格式错误"):
        load_policy(write(tmp_path, "[company\nname ="))
