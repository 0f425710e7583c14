"""`regc breaking --against REF` and `regc diff --against REF`, reading the old registry with git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.protocol.conftest import CONFIG, FEATURES, Repo, init_repo

FAST_ROW = "| `fast` | `anthropic/claude-haiku-4-5-20251001` | `openai/gpt-5-mini` | cheap fast Anthropic |\n"
NO_FAST = FEATURES.replace(FAST_ROW, "")
NEW_PRIMARY = FEATURES.replace("| **Primary** | `anthropic/claude-opus-4-7` |", "| **Primary** | `xai/grok-4.20-0309-reasoning` |")


def test_a_removed_legacy_alias_is_breaking(repo: Repo) -> None:
    repo.write("registry.md", NO_FAST)

    result = repo.regc("breaking", "--against", "HEAD")

    assert result.code == 1
    assert result.out == "fast: legacy alias removed: clients that send `fast` will get an error  [breaking]\n"
    assert "regc: 1 breaking change against HEAD:registry.md" in result.err


def test_a_new_primary_is_reported_not_breaking(repo: Repo) -> None:
    repo.write("registry.md", NEW_PRIMARY)

    result = repo.regc("breaking", "--against", "HEAD")

    assert result.code == 0
    assert "reasoning: primary anthropic/claude-opus-4-7 → xai/grok-4.20-0309-reasoning\n" in result.out
    assert "reasoning: output $25.00 → $6.00 per 1M, ×0.2\n" in result.out
    assert "regc: no breaking change against HEAD:registry.md" in result.err


def test_staged_compares_the_index(repo: Repo) -> None:
    repo.write("registry.md", NO_FAST)  # the working tree breaks...
    assert repo.regc("breaking", "--against", "HEAD").code == 1
    assert repo.regc("breaking", "--against", "HEAD", "--staged").code == 0  # ...the index does not
    repo.git("add", "registry.md")
    assert repo.regc("breaking", "--against", "HEAD", "--staged").code == 1


def test_the_old_registry_path_comes_from_the_config_at_ref(repo: Repo) -> None:
    repo.git("mv", "registry.md", "models.md")
    repo.write("regc.toml", CONFIG.replace('registry = "registry.md"', 'registry = "models.md"'))
    repo.write("models.md", NO_FAST)

    result = repo.regc("breaking", "--against", "HEAD")

    assert result.code == 1
    assert "regc: 1 breaking change against HEAD:registry.md" in result.err


def test_a_ref_without_a_registry_has_nothing_to_break(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "new")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("README.md", "x\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "before the registry")
    repo.write("regc.toml", CONFIG)
    repo.write("registry.md", FEATURES)

    result = repo.regc("breaking", "--against", "HEAD")

    assert result.code == 0
    assert "regc: HEAD:registry.md does not exist: nothing to compare with, nothing can break" in result.err


def test_bad_refs_and_broken_old_registries_are_input_errors(repo: Repo) -> None:
    unknown = repo.regc("breaking", "--against", "nope")
    assert unknown.code == 2
    assert unknown.err == f"error: unknown revision 'nope': no commit of that name in {repo.path}\n"

    repo.write("registry.md", FEATURES.replace("| **Primary** | `anthropic/claude-opus-4-7` |\n", ""))
    repo.git("commit", "-q", "-am", "broken")
    repo.write("registry.md", FEATURES)
    broken = repo.regc("breaking", "--against", "HEAD")
    assert broken.code == 2
    assert broken.err.startswith(f"{repo.short()}:registry.md:22:3: error: alias `reasoning` has no Primary")


def test_shallow_clone_without_the_base(repo: Repo, tmp_path: Path) -> None:
    repo.write("README.md", "# more\n")
    repo.git("commit", "-q", "-am", "second")
    clone = Repo(tmp_path / "clone")
    Repo(tmp_path).git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone.path))

    result = clone.regc("breaking", "--against", "HEAD~1")

    assert result.code == 2
    assert result.err.endswith("in a shallow clone fetch it first (actions/checkout: fetch-depth: 0)\n")


def test_diff_markdown_for_the_pull_request(repo: Repo) -> None:
    repo.write("registry.md", NEW_PRIMARY.replace(FAST_ROW, ""))

    result = repo.regc("diff", "--against", "HEAD", "--format", "markdown")

    assert result.code == 0  # diff reports; only `breaking` fails
    assert result.out.startswith("### Registry changes: HEAD:registry.md → registry.md\n\n**1 breaking change**")
    assert "output $25.00 → $6.00 per 1M, ×0.2" in result.out
    document = json.loads(repo.regc("diff", "--against", "HEAD", "--format", "json").out)
    assert document["breaking"] is True
    assert {c["alias"] for c in document["changes"]} == {"fast", "reasoning", "best"}


def test_github_annotations(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    repo.write("registry.md", NEW_PRIMARY.replace(FAST_ROW, ""))

    result = repo.regc("breaking", "--against", "HEAD")

    assert result.code == 1
    assert ("::error file=registry.md,title=regc breaking::fast: legacy alias removed: clients that send `fast` will get an error\n"
            in result.out)
    assert ("::notice file=registry.md,line=18,title=regc%3A registry change::reasoning: primary anthropic/claude-opus-4-7 → "
            "xai/grok-4.20-0309-reasoning\n") in result.out


def test_init_repo_helper_builds_agreeing_outputs(tmp_path: Path) -> None:
    assert init_repo(tmp_path / "x").regc("check").code == 0
