"""AHP weights and consistency: the seed's matrix (001 §13 4.3.3), matrices as people type them,
bad matrices named by cell, the ``aftersales ahp`` CLI, and properties of consistent matrices."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.cli import app
from generator.config.policy import default_policy
from generator.core.errors import UserError
from generator.rules import ahp

CASES = Path(__file__).parent / "cases"
POLICY = default_policy()
runner = CliRunner()

# 001 §13 4.3.3.3: column normalisation, with the seed's two slips (21/668, 5/668) corrected (RULES.md S3)
SEED_COLNORM = {"顾客期望": 0.0633, "顾客对质量的感知": 0.4300, "顾客对价值的感知": 0.2109,
                "顾客满意度": 0.0363, "顾客抱怨": 0.1102, "顾客忠诚": 0.1494}


def analyse_file(name: str, method: str = "eigen") -> ahp.AhpResult:
    names, m = ahp.read_matrix_csv((CASES / name).read_text(encoding="utf-8"))
    return ahp.policy_analyse(names, m, method, POLICY)


def test_seed_matrix_by_column_normalisation_gives_the_corrected_seed_weights():
    r = analyse_file("ahp_seed.csv", "colnorm")
    assert r.weights.keys() == SEED_COLNORM.keys()
    for k, w in SEED_COLNORM.items():
        assert abs(r.weights[k] - w) < 0.001, k


def test_seed_matrix_is_flagged_inconsistent():
    for method in ahp.METHODS:
        r = analyse_file("ahp_seed.csv", method)
        assert r.cr == pytest.approx(0.21, abs=0.01)
        assert r.consistent is False
        assert r.ri == 1.24 and r.lambda_max > 6


def test_seed_matrix_in_the_policy_equals_the_csv():
    names, m = ahp.read_matrix_csv((CASES / "ahp_seed.csv").read_text(encoding="utf-8"))
    cfg = POLICY["scores"]["csi"]
    assert names == cfg["criteria"]
    assert ahp.check_matrix(names, m) == ahp.check_matrix(cfg["criteria"], cfg["matrix"])


def test_eigen_method_matches_numpy():
    names, m = ahp.read_matrix_csv((CASES / "ahp_seed.csv").read_text(encoding="utf-8"))
    a = np.array([[float(v) for v in row] for row in ahp.check_matrix(names, m)])
    values, vectors = np.linalg.eig(a)
    i = int(np.argmax(values.real))
    v = np.abs(vectors[:, i].real)
    r = ahp.policy_analyse(names, m, "eigen", POLICY)
    assert r.lambda_max == pytest.approx(values[i].real, abs=1e-9)
    assert list(r.weights.values()) == pytest.approx(list(v / v.sum()), abs=1e-9)


@pytest.mark.parametrize("name,weights,consistent", [
    # a perfectly consistent matrix: weights 6/11, 3/11, 2/11 by every method, CR 0
    ("ahp_consistent.csv", {"价格": 6 / 11, "质量": 3 / 11, "服务": 2 / 11}, True),
    # tab-separated, upper triangle only, full-width ３ and ⅑: blanks filled with reciprocals
    ("ahp_upper_tab.csv", {"响应速度": 0.2923, "技能": 0.1067, "态度": 0.0573, "价格": 0.5437}, True),
])
def test_matrices_as_people_type_them(name, weights, consistent):
    r = analyse_file(name)
    assert r.weights == pytest.approx(weights, abs=1e-4)
    assert r.consistent is consistent and r.cr < 0.10


@pytest.mark.parametrize("name,message", [
    ("ahp_bad_reciprocal.csv", "行“B”列“C”为 2，行“C”列“B”为 1/3：不互为倒数"),
    ("ahp_not_square.csv", "矩阵不是方阵"),
    ("ahp_negative.csv", "行“A”列“B”的值 -2 不是正数"),
    ("ahp_bad_entry.csv", "行“A”列“B”：无法识别的比较值 '三'"),
])
def test_bad_matrices_name_the_offending_cell(name, message):
    with pytest.raises(UserError) as e:
        analyse_file(name)
    assert message in e.value.message


@pytest.mark.parametrize("text,message", [
    (",A,B\nA,1,2\nC,1/2,1\n", "第 2 个准则在第一行是“B”，在第一列是“C”"),
    (",A,B\nA,2,2\nB,1/2,1\n", "行“A”列“A”是对角线，应为 1"),
    (",A,B\nA,1,\nB,,1\n", "行“A”列“B”为空，其对称格也为空"),
    ("", "矩阵文件为空"),
])
def test_more_bad_matrices(text, message):
    with pytest.raises(UserError, match=message):
        ahp.policy_analyse(*ahp.read_matrix_csv(text), "eigen", POLICY)


@pytest.mark.parametrize("entry,value", [
    ("3", Fraction(3)), ("1/5", Fraction(1, 5)), ("0.2", Fraction(1, 5)), (" １/３ ", Fraction(1, 3)), ("⅓", Fraction(1, 3)),
])
def test_entries_are_read_exactly(entry, value):
    assert ahp.parse_entry(entry) == value


def test_two_decimal_reciprocals_are_accepted():
    names, m = ahp.read_matrix_csv(",A,B,C\nA,1,7,9\nB,0.14,1,2\nC,0.11,0.5,1\n")
    assert ahp.policy_analyse(names, m, "geomean", POLICY).weights["A"] > 0.7


# ---------------------------------------------------------------------------- CLI

def test_cli_ahp_json_default_method_is_the_policys():
    """The default policy names column normalisation (001 §13 4.3.3.3), so ``ahp`` uses it."""
    r = runner.invoke(app, ["ahp", str(CASES / "ahp_seed.csv"), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) >= {"weights", "lambda_max", "ci", "cr", "consistent"}
    assert data["method"] == POLICY["scores"]["csi"]["method"] == "colnorm" and data["consistent"] is False
    assert data["weights"]["顾客对质量的感知"] == pytest.approx(0.4300, abs=1e-4)
    assert data["cr"] == pytest.approx(0.2112, abs=1e-4)


def test_cli_ahp_colnorm_table():
    r = runner.invoke(app, ["ahp", str(CASES / "ahp_seed.csv"), "--method", "colnorm"])
    assert r.exit_code == 0, r.output
    assert "0.4300" in r.stdout and "一致性不可接受" in r.stdout


def test_cli_ahp_method_option_overrides_the_policy():
    r = runner.invoke(app, ["ahp", str(CASES / "ahp_seed.csv"), "--method", "eigen", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["method"] == "eigen"


def test_cli_ahp_reads_gbk_csv_from_excel(tmp_path):
    p = tmp_path / "m.csv"
    p.write_bytes((CASES / "ahp_consistent.csv").read_text(encoding="utf-8").encode("gbk"))
    r = runner.invoke(app, ["ahp", str(p), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["weights"]["价格"] == pytest.approx(6 / 11, abs=1e-6)


def test_cli_ahp_bad_matrix_exits_2():
    r = runner.invoke(app, ["ahp", str(CASES / "ahp_bad_reciprocal.csv")])
    assert r.exit_code == 2
    assert "不互为倒数" in r.output


def test_cli_ahp_missing_file_exits_2(tmp_path):
    r = runner.invoke(app, ["ahp", str(tmp_path / "none.csv")])
    assert r.exit_code == 2 and "找不到矩阵文件" in r.output


# ---------------------------------------------------------------------------- properties

positive_weights = st.lists(st.integers(min_value=1, max_value=50), min_size=2, max_size=9)


@given(positive_weights, st.sampled_from(ahp.METHODS))
def test_a_consistent_matrix_gives_back_its_weights(ws, method):
    names = [f"C{i}" for i in range(len(ws))]
    m = [[Fraction(a, b) for b in ws] for a in ws]
    r = ahp.policy_analyse(names, m, method, POLICY)
    assert list(r.weights.values()) == pytest.approx([w / sum(ws) for w in ws], abs=1e-9)
    assert r.cr == pytest.approx(0, abs=1e-9) and r.consistent


saaty = st.sampled_from([Fraction(v) for v in (1, 2, 3, 4, 5, 6, 7, 8, 9)] + [Fraction(1, v) for v in range(2, 10)])


@given(st.integers(min_value=3, max_value=7).flatmap(lambda n: st.lists(saaty, min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2)))
def test_any_reciprocal_matrix_has_lambda_max_at_least_n(upper):
    n = int((1 + (1 + 8 * len(upper)) ** 0.5) / 2)
    it = iter(upper)
    m = [[Fraction(1)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            m[i][j] = next(it)
            m[j][i] = 1 / m[i][j]
    for method in ahp.METHODS:
        r = ahp.policy_analyse([f"C{i}" for i in range(n)], m, method, POLICY)
        assert sum(r.weights.values()) == pytest.approx(1)
        assert all(w > 0 for w in r.weights.values())
        assert r.lambda_max >= n - 1e-9
