"""action.yml's steps, run as the composite action's runner runs them, on a pull-request checkout.

GitHub's runner is not available here, so this test plays its part for the
`run:` steps: each step's script runs in bash with the environment the
runner gives it (GITHUB_ACTIONS, GITHUB_ACTION_PATH, GITHUB_STEP_SUMMARY, the
step's `env:` with the base branch filled in). `uses:` steps (setup-python)
and the pip install of regc are the runner's and pip's business: regc is put
on PATH from this environment instead (the pre-commit test proves that pip
installs regc from a checkout).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.conftest import ROOT
from tests.protocol.conftest import DROP_O3, FAST_NOTE, FEATURES, Repo, edit, init_repo

ACTION: dict[str, Any] = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
WORKFLOW: dict[str, Any] = YAML(typ="safe").load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))


#: What the runner puts for each `${{ }}` expression of the steps' `env:` (the base branch is the test's).
INPUTS = {"${{ inputs.usage }}": "", "${{ inputs.summary }}": "true", "${{ inputs.github-token }}": "",
          "${{ github.event.pull_request.number }}": ""}


def _run_steps(checkout: Repo, tmp_path: Path, base: str, inputs: dict[str, str] | None = None,
               runner_env: dict[str, str] | None = None) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every `run:` step (the plan comment's only when ``inputs`` names a pull request), as the runner runs it."""
    summary = tmp_path / "summary.md"
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    values = {**INPUTS, "${{ inputs.base-ref || github.base_ref }}": base, **(inputs or {})}
    results = {}
    for step in ACTION["runs"]["steps"]:
        if "uses" in step or step["name"] == "Install regc":
            continue
        if step["name"] == "regc plan comment" and not values["${{ github.event.pull_request.number }}"]:
            continue  # `if: ... github.event.pull_request.number`: not a pull request
        assert step["shell"] == "bash"
        assert step["working-directory"] == "${{ inputs.working-directory }}"
        env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_STEP_SUMMARY": str(summary),
               "GITHUB_WORKSPACE": str(checkout.path), "RUNNER_TEMP": str(temp),
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **(runner_env or {})}
        for key, value in step.get("env", {}).items():
            env[key] = values[value]
        results[step["name"]] = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=checkout.path, env=env, capture_output=True,
                                                text=True, check=False)
    return results


def _pull_request(tmp_path: Path) -> tuple[Repo, Repo]:
    upstream = init_repo(tmp_path / "upstream")
    checkout = Repo(tmp_path / "checkout")
    Repo(tmp_path).git("clone", "-q", str(upstream.path), str(checkout.path))
    checkout.git("checkout", "-q", "-b", "feature")
    return upstream, checkout


def test_a_clean_pull_request_passes_every_step(tmp_path: Path) -> None:
    _, checkout = _pull_request(tmp_path)
    checkout.write("registry.md", edit(FEATURES, DROP_O3))
    checkout.build()
    checkout.git("add", "-A")
    checkout.git("commit", "-q", "-m", "Drop o3")

    results = _run_steps(checkout, tmp_path, "main")

    assert {name: r.returncode for name, r in results.items()} == {
        "regc check": 0, "regc verify-commits": 0, "regc breaking": 0, "regc diff (job summary)": 0,
    }
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("### Registry changes: origin/main:registry.md → registry.md\n")
    assert "| `reasoning` | fallbacks − openai/o3" in summary


def test_a_no_verify_commit_and_a_removed_alias_fail_with_annotations(tmp_path: Path) -> None:
    _, checkout = _pull_request(tmp_path)
    checkout.write("registry.md", edit(FEATURES, FAST_NOTE))
    checkout.git("commit", "-q", "--no-verify", "-am", "Reword fast, outputs forgotten")
    stale = checkout.short()
    checkout.write("registry.md", edit(FEATURES, FAST_NOTE).replace(
        "| `fast` | `anthropic/claude-haiku-4-5-20251001` | `openai/gpt-5-mini` | cheap and fast |\n", ""))
    checkout.build()
    checkout.git("add", "-A")
    checkout.git("commit", "-q", "-m", "Remove fast, regenerate")

    results = _run_steps(checkout, tmp_path, "main")

    assert results["regc check"].returncode == 0  # the tip agrees...
    verify = results["regc verify-commits"]
    assert verify.returncode == 1  # ...but one commit on the way did not
    assert f"::error file=targets/json/registry.json,title=regc verify-commits::{stale} Reword fast, outputs forgotten: " in verify.stdout
    breaking = results["regc breaking"]
    assert breaking.returncode == 1
    assert "::error file=registry.md,title=regc breaking::fast: legacy alias removed" in breaking.stdout
    assert "**1 breaking change**" in (tmp_path / "summary.md").read_text()


def test_the_repository_workflow_runs_the_action_on_pull_requests() -> None:
    job = WORKFLOW["jobs"]["registry"]
    assert job["if"] == "github.event_name == 'pull_request'"
    checkout, action = job["steps"]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # verify-commits needs the history
    assert action == {"uses": "./"}
