"""A policy that names a catalog (`catalog:`) feeds its deprecation dates to retired-model and deprecated-model;
a policy that names none makes lint, check and the hook read no catalog at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_regc

REGISTRY = """---
reviewed: 2026-11-01
---
## Reasoning · alias `reasoning`

| | |
|---|---|
| **Primary** | `openai/o3` |
| **Alternatives** | `xai/grok-4.3`, `openai/gpt-4o` |

## Models

| Model | Input | Output | Status |
|---|---|---|---|
| `openai/o3` | $2.00 | $8.00 | active |
| `xai/grok-4.3` | $1.25 | $2.60 | active |
| `openai/gpt-4o` | $2.50 | $10.00 | active |
"""


def project(tmp_path: Path, policy: str) -> Path:
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.json]\npath = "registry.json"\n')
    (tmp_path / "registry.md").write_text(REGISTRY)
    (tmp_path / "policy.yaml").write_text(policy)
    catalogs = tmp_path / "catalogs"
    catalogs.mkdir()
    for name in ("litellm-small.json", "modelsdev-small.json"):
        (catalogs / name).write_bytes((FIXTURES / "catalogs" / name).read_bytes())
    return tmp_path


def lint(root: Path, today: str) -> tuple[int, list[dict[str, object]]]:
    result = run_regc("lint", "--format", "json", "--today", today, "--fail-severity", "warning", cwd=root)
    return result.code, json.loads(result.out)["findings"] if result.out else []


def test_catalog_dates_feed_the_date_rules(tmp_path: Path) -> None:
    root = project(tmp_path, "catalog: catalogs/litellm-small.json\nrules:\n  alias-has-fallback: off\n  revision-trigger: off\n")
    code, findings = lint(root, "2026-11-22")
    assert code == 1
    assert [(f["rule"], f["model"], f["severity"]) for f in findings] == [("deprecated-model", "openai/o3", "warning")]
    assert findings[0]["message"] == ("`openai/o3` (primary of `reasoning`) retires on 2026-12-11, in 19 days "
                                      "(LiteLLM cost map (litellm-small.json) `o3`); choose its replacement")
    code, findings = lint(root, "2026-12-11")  # the catalog's day: retired from then on
    assert [(f["rule"], f["severity"]) for f in findings] == [("retired-model", "error")]
    assert "was retired on 2026-12-11 (LiteLLM cost map (litellm-small.json) `o3`); replace it" in str(findings[0]["message"])


def test_the_earliest_source_wins_and_a_policy_replacement_is_kept(tmp_path: Path) -> None:
    policy = ("catalog: catalogs/litellm-small.json\nretired:\n  - {model: openai/o3, date: 2027-01-31, replacement: openai/gpt-4o}\n"
              "rules:\n  revision-trigger: off\n")
    _, findings = lint(project(tmp_path, policy), "2026-12-20")
    assert [f["rule"] for f in findings] == ["retired-model"]
    assert "(LiteLLM cost map (litellm-small.json) `o3`); route to `openai/gpt-4o` instead" in str(findings[0]["message"])


def test_an_undated_catalog_deprecation_warns_like_a_deprecated_status(tmp_path: Path) -> None:
    _, findings = lint(project(tmp_path, "catalog: catalogs/modelsdev-small.json\nrules:\n  revision-trigger: off\n"), "2026-11-22")
    assert [(f["rule"], f["model"]) for f in findings] == [("deprecated-model", "openai/gpt-4o")]
    assert "is deprecated (no retirement date given) (models.dev (modelsdev-small.json) `openai/gpt-4o`)" in str(findings[0]["message"])


def test_without_a_catalog_the_registry_alone_decides(tmp_path: Path) -> None:
    code, findings = lint(project(tmp_path, "rules:\n  revision-trigger: off\n"), "2026-12-20")
    assert (code, findings) == (0, [])


def test_a_catalog_the_policy_cannot_have_is_an_input_error_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, "rules:\n  revision-trigger: off\ncatalog: catalogs/missing.json\n")
    result = run_regc("lint", cwd=root)
    assert result.code == 2
    assert result.err.startswith("policy.yaml:3:10: error: catalog: no catalog file 'catalogs/missing.json'")
    (root / "policy.yaml").write_text("catalog: models.dev\n")
    monkeypatch.delenv("REGC_MODELS_DEV", raising=False)
    named = run_regc("check", cwd=root)
    assert named.code == 2 and named.err.startswith("policy.yaml:1:10: error: catalog: catalog `models.dev`: set REGC_MODELS_DEV")
    (root / "policy.yaml").write_text("catalog: catalogs/litellm-small.json\n")
    (root / "catalogs" / "litellm-small.json").write_text("{not json")
    broken = run_regc("lint", cwd=root)
    assert broken.code == 2 and broken.err.startswith("catalogs/litellm-small.json:1:2: error: the catalog is not valid JSON")


def test_the_policys_catalog_is_the_default_of_prices_check(tmp_path: Path) -> None:
    root = project(tmp_path, "catalog: catalogs/modelsdev-small.json\n")
    result = run_regc("prices", "check", "--today", "2026-11-22", cwd=root)
    assert "models.dev (modelsdev-small.json)" in result.err


def test_lint_check_and_the_hook_read_no_catalog_unless_the_policy_names_one() -> None:
    """A cold `regc check` of this repository (its policy names no catalog) imports no catalog code and opens no catalog."""
    code = (
        "import builtins, sys\n"
        "opened = []\n"
        "real_open = builtins.open\n"
        "def spy(file, *a, **k):\n"
        "    opened.append(str(file))\n"
        "    return real_open(file, *a, **k)\n"
        "builtins.open = spy\n"
        "from regc.cli import main\n"
        "status = main(['check', '--today', '2026-11-22'])\n"
        "print(status, any(m.startswith('regc.catalogs') or m == 'regc.prices' for m in sys.modules),"
        " [f for f in opened if f.endswith('.json') and 'catalog' in f or 'model_prices' in f])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.stdout.strip().splitlines()[-1] == "0 False []", result.stdout + result.stderr
