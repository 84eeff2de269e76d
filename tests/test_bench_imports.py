"""The benchmarks are run on demand, not by CI: at least make sure each still imports against
today's package (a renamed function broke bench_writeback once without anyone noticing)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_bench_module_imports(path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))          # bench_pack imports legacy_pack beside it
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)                  # definitions only: main() runs under __main__
    assert callable(getattr(module, "main", None)) or path.stem == "legacy_pack"
    sys.modules.pop(spec.name, None)
