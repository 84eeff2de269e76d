"""Analytic hierarchy process: weights and consistency of a pairwise comparison matrix.

Entry ``a[i][j]`` says how much more important criterion i is than j on Saaty's 1–9 scale
(001 §13 4.3.3.1), with ``a[j][i] = 1 / a[i][j]``. Weights come from one of three methods:

- ``eigen``: the principal eigenvector (power iteration), Saaty's definition;
- ``colnorm``: normalise every column to sum 1, then average the rows (what 001 §13 4.3.3.3 does);
- ``geomean``: the geometric mean of each row, normalised.

λmax is always the principal eigenvalue of the matrix, so CI = (λmax − n)/(n − 1) and
CR = CI / RI(n) describe the matrix whatever the weighting method; the matrix is acceptably
consistent when CR ≤ 0.10 (the threshold and the RI table come from the policy).

>>> names, m = read_matrix_csv(",A,B\\nA,1,3\\nB,1/3,1\\n")
>>> r = analyse(names, m, "colnorm", random_index=[0, 0, 0.58], max_cr=0.10)
>>> r.weights
{'A': 0.75, 'B': 0.25}
"""
from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from generator.core.errors import UserError

METHODS = ("eigen", "colnorm", "geomean")
RECIPROCAL_TOLERANCE = 0.05  # people write 1/7 as 0.14 and 1/8 as 0.13: a relative slip up to 5% is accepted


@dataclass(frozen=True)
class AhpResult:
    criteria: list[str]
    method: str
    weights: dict[str, float]
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool

    def to_dict(self, places: int = 6) -> dict:
        return {
            "weights": {k: round(v, places) for k, v in self.weights.items()},
            "lambda_max": round(self.lambda_max, places),
            "ci": round(self.ci, places),
            "cr": round(self.cr, places),
            "consistent": self.consistent,
            "method": self.method,
        }


def parse_entry(text) -> Fraction:
    """'3', '1/5', '0.2', ' １/３ ', '⅓' → an exact positive-or-not Fraction (validity is checked later)."""
    if isinstance(text, (int, Fraction)):
        return Fraction(text)
    s = unicodedata.normalize("NFKC", str(text)).replace("\u2044", "/").replace(" ", "").strip()
    try:
        if "/" in s:
            num, den = s.split("/")
            return Fraction(num) / Fraction(den)
        return Fraction(s)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"无法识别的比较值 {text!r}（应如 3、1/5 或 0.2）") from None


def read_matrix_csv(text: str) -> tuple[list[str], list[list[Fraction | None]]]:
    """Parse a matrix as people type it: names across the first row and down the first column.

    Comma-, tab- or semicolon-separated; the top-left cell is ignored; empty trailing rows and
    columns are dropped. Blank cells come back as None (``check_matrix`` fills a blank diagonal
    with 1 and a blank cell whose mirror is filled with the reciprocal).
    """
    text = text.lstrip("\ufeff")
    lines = [l for l in text.splitlines() if l.strip(" \t,;")]
    if not lines:
        raise UserError("矩阵文件为空")
    delim = max(",\t;", key=lambda d: lines[0].count(d))
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    while width and all(not r[width - 1] for r in rows):
        width -= 1
    header = rows[0][1:width]
    names = [r[0] for r in rows[1:]]
    if len(header) != len(names):
        raise UserError(f"矩阵不是方阵：第一行有 {len(header)} 个准则，第一列有 {len(names)} 个准则")
    if header != names:
        bad = next(i for i, (a, b) in enumerate(zip(header, names)) if a != b)
        raise UserError(f"第 {bad + 1} 个准则在第一行是“{header[bad]}”，在第一列是“{names[bad]}”：两者应同名同序")
    matrix = []
    for i, r in enumerate(rows[1:]):
        out = []
        for j, cell in enumerate(r[1:width]):
            try:
                out.append(parse_entry(cell) if cell else None)
            except ValueError as e:
                raise UserError(f"行“{names[i]}”列“{names[j]}”：{e}") from None
        matrix.append(out)
    return names, matrix


def check_matrix(names: list[str], matrix: list[list]) -> list[list[Fraction]]:
    """The complete matrix as Fractions, or UserError naming the offending cell by its criteria."""
    n = len(names)
    if n == 0:
        raise UserError("矩阵没有准则")
    if len(set(names)) != n:
        raise UserError(f"准则名称重复：{'、'.join(sorted({x for x in names if names.count(x) > 1}))}")
    if len(matrix) != n or any(len(r) != n for r in matrix):
        raise UserError(f"矩阵应为 {n}×{n} 方阵")
    m = [[None if v is None else parse_entry(v) for v in r] for r in matrix]
    cell = lambda i, j: f"行“{names[i]}”列“{names[j]}”"
    for i in range(n):
        for j in range(n):
            if m[i][j] is None:
                if i == j:
                    m[i][j] = Fraction(1)
                elif matrix[j][i] is not None and m[j][i] and m[j][i] > 0:
                    m[i][j] = 1 / m[j][i]
                else:
                    raise UserError(f"{cell(i, j)}为空，其对称格也为空")
    for i in range(n):
        for j in range(n):
            if m[i][j] <= 0:
                raise UserError(f"{cell(i, j)}的值 {_show(m[i][j])} 不是正数")
        if m[i][i] != 1:
            raise UserError(f"{cell(i, i)}是对角线，应为 1，实际为 {_show(m[i][i])}")
    for i in range(n):
        for j in range(i + 1, n):
            if abs(float(m[i][j] * m[j][i]) - 1) > RECIPROCAL_TOLERANCE:
                raise UserError(
                    f"{cell(i, j)}为 {_show(m[i][j])}，{cell(j, i)}为 {_show(m[j][i])}：不互为倒数"
                    f"（应为 {_show(1 / m[i][j])}）"
                )
    return m


def _show(f: Fraction) -> str:
    if f.denominator == 1:
        return str(f.numerator)
    if f.numerator == 1:
        return f"1/{f.denominator}"
    return f"{float(f):g}"


def weights(matrix: list[list[Fraction]], method: str = "eigen") -> list[float]:
    """Priority weights (summing to 1) of a checked matrix."""
    if method == "eigen":
        return _principal(matrix)[1]
    if method == "colnorm":
        n = len(matrix)
        cols = [sum(matrix[i][j] for i in range(n)) for j in range(n)]
        return [float(sum(matrix[i][j] / cols[j] for j in range(n)) / n) for i in range(n)]
    if method == "geomean":
        g = [math.prod(float(v) for v in row) ** (1 / len(row)) for row in matrix]
        return [x / sum(g) for x in g]
    raise UserError(f"未知的权重方法 {method!r}（可选：{'、'.join(METHODS)}）")


def _principal(matrix: list[list[Fraction]], tol: float = 1e-13, max_iter: int = 10000) -> tuple[float, list[float]]:
    """Principal eigenvalue and eigenvector (normalised to sum 1) of a positive matrix.

    Power iteration converges for positive matrices (Perron–Frobenius).
    """
    a = [[float(v) for v in r] for r in matrix]
    n = len(a)
    w = [1 / n] * n
    lam = float(n)
    for _ in range(max_iter):
        aw = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        lam = sum(aw)  # since sum(w) == 1
        nxt = [x / lam for x in aw]
        done = max(abs(x - y) for x, y in zip(nxt, w)) < tol
        w = nxt
        if done:
            break
    return lam, w


def analyse(names: list[str], matrix: list[list], method: str = "eigen", *, random_index, max_cr) -> AhpResult:
    """Weights, λmax, CI, CR and the consistency verdict of a pairwise comparison matrix."""
    if method not in METHODS:
        raise UserError(f"未知的权重方法 {method!r}（可选：{'、'.join(METHODS)}）")
    m = check_matrix(names, matrix)
    n = len(names)
    if n > len(random_index):
        raise UserError(f"准则数 {n} 超过随机一致性指标 RI 表的范围（最多 {len(random_index)} 个）")
    lam, _ = _principal(m)
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ri = float(random_index[n - 1])
    cr = ci / ri if ri > 0 else 0.0  # n ≤ 2 is always consistent
    cr = max(cr, 0.0)  # rounding noise on a perfectly consistent matrix
    w = weights(m, method)
    return AhpResult(list(names), method, dict(zip(names, w)), lam, max(ci, 0.0), ri, cr, cr <= float(max_cr))


def policy_analyse(names, matrix, method, policy: dict) -> AhpResult:
    """``analyse`` with RI and the CR threshold from ``policy['scores']['ahp']``."""
    cfg = policy["scores"]["ahp"]
    return analyse(names, matrix, method, random_index=cfg["random_index"], max_cr=cfg["max_cr"])
