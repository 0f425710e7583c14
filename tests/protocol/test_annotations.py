"""GitHub annotations: escaped workflow commands, on when GITHUB_ACTIONS=true."""

from __future__ import annotations

import pytest

from regc.reports.annotate import annotation
from tests.protocol.conftest import DROP_O3, FEATURES, Repo, edit


def test_messages_and_properties_are_escaped() -> None:
    line = annotation("error", "50% done\r\n::warning::injected", file="a,b:c.md", line=3, title="t: x")
    assert line == "::error file=a%2Cb%3Ac.md,line=3,title=t%3A x::50%25 done%0D%0A::warning::injected\n"
    assert line.count("\n") == 1


def test_a_bare_annotation() -> None:
    assert annotation("notice", "hello") == "::notice::hello\n"


def test_check_annotates_stale_outputs_only_on_github(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    assert "::error" not in repo.regc("check").out

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = repo.regc("check")

    assert result.code == 1
    expected = "::error file=targets/json/registry.json,title=regc check::stale: run `regc build` and commit it with the registry\n"
    assert expected in result.out


def test_annotation_paths_are_relative_to_the_github_workspace(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project below the checkout's top: GitHub matches annotations to files from the workspace."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo.path.parent))
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    assert f"::error file={repo.path.name}/targets/json/registry.json,title=regc check::" in repo.regc("check").out
