"""The package's layout is held by tests: the layers (import-linter's contracts in pyproject.toml), no cycles, few top-level modules.

docs/architecture.md draws the rooms; ``lint-imports`` (run here, so CI runs it) keeps each room importing only
the rooms below it. TYPE_CHECKING-only imports may cross upward (a rule's type hints name the LintContext that
lint builds); every other import, a function-level one included, counts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "compiler" / "regc"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = ("layers", "targets-generate", "rules-read", "rules-open-no-files", "tools-apart", "fast-paths", "gitpython-once", "acyclic")


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None
    if pythonpath is not None:
        import os

        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_every_import_linter_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("targets/json.py", "import regc.lint\n", "Targets are generators"),
    ("rules/retired_model.py", "from regc.targets import json as _json\n", "Rules read the registry"),
    ("rules/review_stale.py", "from regc.io import source as _source\n", "Rules open no files"),
    ("model/config.py", "import regc.pipeline\n", "Each room imports only the rooms below it"),
    ("io/cache.py", "def _heavy() -> None:\n    import pydantic\n", "The fast paths"),
    ("git/snapshot.py", "from regc.reports import compare as _compare\n", "do not know each other"),
    ("git/protocol.py", "def _repo() -> None:\n    import git\n", "GitPython is imported by regc.git.repo alone"),
    ("parse/cells.py", "def _late() -> None:\n    import regc.parse.markdown\n", "No import cycles"),
])
def test_a_planted_import_breaks_its_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    """The contracts are enforced, not decorative: one import across a layer, planted in a copy, fails lint-imports."""
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "regc", ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "regc" / module).open("a", encoding="utf-8") as file:
        file.write("\n\n" + line)
    result = lint_imports(tmp_path, pythonpath=copy)
    assert result.returncode == 1, result.stdout + result.stderr
    broken_section = result.stdout.split("Broken contracts", 1)[-1]
    assert broken in " ".join(broken_section.split()), result.stdout


def test_no_module_imports_itself_back() -> None:
    """No import cycle between any two of regc's modules (import-linter's acyclic contract is between rooms)."""
    graph = grimp.build_graph("regc", exclude_type_checking_imports=True, cache_dir=None)
    cycles = [(module, chain) for module in sorted(graph.modules)
              for imported in graph.find_modules_directly_imported_by(module)
              if (chain := graph.find_shortest_chain(importer=imported, imported=module)) is not None]
    assert cycles == []


def test_the_top_level_holds_the_entry_points_and_a_few_core_modules() -> None:
    """Everything else lives in a room named after a stage of the pipeline (docs/architecture.md)."""
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py", "about.py", "errors.py", "escape.py", "pipeline.py"]
    rooms = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert rooms == ["catalogs", "cli", "git", "io", "lint", "model", "parse", "prices", "reports", "rules", "targets"]
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for room in rooms:
        assert f"`{room}/`" in architecture, f"docs/architecture.md says nothing of {room}/"
