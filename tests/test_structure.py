"""The layering the project relies on: what imports what, and the one list of pages."""

import ast
import json
import subprocess
import sys

from .test_pages import PAGES, ROOT


def imported_modules(path):
    """Top-level names of every module a Python file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def loaded_after(code):
    """The modules loaded by a fresh interpreter after running ``code``."""
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    return set(json.loads(output.splitlines()[-1]))


def test_nwcore_never_imports_streamlit_and_the_glue_does_no_maths():
    for path in (ROOT / "nwcore").glob("*.py"):
        assert "streamlit" not in imported_modules(path), path.name
    for path in (ROOT / "ui").glob("*.py"):
        assert not {"numpy", "scipy"} & imported_modules(path), path.name


def test_importing_nwcore_loads_neither_altair_nor_scipy():
    loaded = loaded_after("import nwcore")
    assert not {m for m in loaded
                if m.split(".")[0] in ("altair", "scipy", "streamlit", "openpyxl")}
    binned = loaded_after("import numpy as np, nwcore\n"
                          "x = np.linspace(0, 5, 6000)\n"
                          "nwcore.nadaraya_watson(x, x, np.sin(x), bandwidth=0.5, "
                          "method='binned')")
    assert "scipy.fft" in binned and "scipy.signal" not in binned and "altair" not in binned
    charts = loaded_after("import nwcore\nnwcore.show_heatmaps")
    assert "altair" in charts


def test_the_menu_lists_every_page_once():
    from ui.nav import PAGES as MENU

    assert [page.path for page in MENU] == PAGES


def test_explore_reports_the_window_before_its_heavy_imports():
    """The size probe and the chart-library prefetch go to the browser before the page imports
    numpy, pandas and Altair (~0.7 s on a fresh server), so the browser works meanwhile."""
    heavy = {"numpy", "pandas", "altair", "nwcore"}
    probe = loaded_after("import streamlit, ui.viewport") - loaded_after("import streamlit")
    assert "ui.viewport" in probe and not {m for m in probe if m.split(".")[0] in heavy}
    statements = ast.parse((ROOT / "pages" / "2_Explore.py").read_text(encoding="utf-8")).body
    first_call = next(index for index, node in enumerate(statements)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))
    assert ast.unparse(statements[first_call]) == "report_viewport()"
    assert all(isinstance(node, (ast.Import, ast.ImportFrom)) and
               not {module.split(".")[0] for module in _modules(node)} - {"streamlit", "ui"}
               for node in statements[1:first_call] if not isinstance(node, ast.Expr))
    assert {"ui.viewport"} == {module for node in statements[:first_call]
                               if isinstance(node, ast.ImportFrom) for module in _modules(node)
                               if module.startswith("ui")}


def _modules(node):
    return [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]

