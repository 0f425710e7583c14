"""`regc verify-commits RANGE`: every commit keeps the registry and its outputs together."""

from __future__ import annotations

import json
from pathlib import Path

from tests.protocol.conftest import CONFIG, DROP_O3, FAST_NOTE, FEATURES, Repo, edit, init_repo

JSON = "targets/json/registry.json"


def _regenerated_commit(repo: Repo, registry: str, message: str) -> str:
    repo.write("registry.md", registry)
    repo.build()
    repo.git("add", "-A")
    assert repo.commit(message).returncode == 0
    return repo.short()


def test_a_no_verify_commit_is_named_with_what_was_stale(hooked: Repo) -> None:
    base = hooked.head()
    good = _regenerated_commit(hooked, edit(FEATURES, DROP_O3), "Drop o3")
    hooked.write("registry.md", edit(edit(FEATURES, DROP_O3), FAST_NOTE))
    hooked.git("add", "registry.md")
    assert hooked.commit("Reword the fast alias").returncode == 1  # the hook stops it...
    assert hooked.commit("Reword the fast alias", "--no-verify").returncode == 0  # ...unless skipped
    bad = hooked.short()
    hooked.write("README.md", "# docs only\n")
    hooked.git("commit", "-q", "-am", "Docs")

    result = hooked.regc("verify-commits", f"{base}..HEAD")

    assert result.code == 1
    assert result.out == f"{bad} Reword the fast alias\n  registry.md changed but {JSON} was not regenerated\n"
    assert f"regc: 3 commits in {base}..HEAD: 2 checked, 1 skipped; 1 breaks the same-commit protocol" in result.err
    assert good not in result.out

    verbose = hooked.regc("-v", "verify-commits", f"{base}..HEAD")
    assert f"{good} Drop o3\n  ok\n" in verbose.out
    assert "Docs\n  skipped: touches neither the registry, its configuration nor its outputs\n" in verbose.out


def test_json_output(hooked: Repo) -> None:
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.git("commit", "-q", "--no-verify", "-am", "stale")

    result = hooked.regc("verify-commits", "--format", "json", "HEAD~1..HEAD")

    document = json.loads(result.out)
    assert result.code == 1
    assert document["ok"] is False
    [commit] = document["commits"]
    assert commit["sha"] == hooked.head()
    assert commit["status"] == "bad"
    assert commit["problems"] == [
        {"path": JSON, "problem": "stale", "message": f"registry.md changed but {JSON} was not regenerated"},
    ]


def test_a_hand_edited_output_in_history(repo: Repo) -> None:
    repo.write(JSON, repo.read(JSON).replace('"cheap fast Anthropic"', '"cheap and fast"'))
    repo.git("commit", "-q", "-am", "Edit the JSON by hand")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 1
    assert f"  {JSON} changed but differs from what registry.md generates (edited by hand?)\n" in result.out


def test_the_root_commit_is_checked_when_the_range_reaches_it(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "project", commit=False)
    repo.git("add", "-A")  # outputs never built
    repo.git("commit", "-q", "-m", "Initial")
    root = repo.short()

    result = repo.regc("verify-commits", "HEAD")

    assert result.code == 1
    assert result.out.startswith(f"{root} Initial\n  regc.outputs is missing: registry.md generates it, and it is not in the commit\n"
                                 "  schema/config.schema.json is missing: registry.md generates it, and it is not in")
    assert f"  {JSON} is missing: registry.md generates it, and it is not in the commit\n" in result.out
    assert init_repo(tmp_path / "good").regc("verify-commits", "HEAD").code == 0


def test_merge_commits_are_judged_by_their_result(repo: Repo) -> None:
    base = repo.head()
    repo.git("checkout", "-q", "-b", "feature")
    _regenerated_commit(repo, edit(FEATURES, FAST_NOTE), "Reword fast")
    repo.git("checkout", "-q", "main")
    _regenerated_commit(repo, edit(FEATURES, DROP_O3), "Drop o3")
    repo.git("merge", "-q", "--no-commit", "--no-ff", "feature")
    repo.git("checkout", "HEAD", "--", JSON)  # a careless resolution: main's JSON, without the feature's change
    repo.git("commit", "-q", "--no-verify", "--no-edit")
    bad_merge = repo.short()
    assert "cheap and fast" in repo.show("HEAD:registry.md")

    result = repo.regc("verify-commits", f"{base}..HEAD")

    assert result.code == 1
    assert result.out == f"{bad_merge} Merge branch 'feature'\n  registry.md changed but {JSON} was not regenerated\n"

    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("merge", "-q", "--no-edit", "feature")  # git merges both the registry and the JSON cleanly here
    assert repo.regc("verify-commits", f"{base}..HEAD").code == 0


def test_a_merge_that_takes_one_side_unchanged_is_skipped(repo: Repo) -> None:
    base = repo.head()
    repo.git("checkout", "-q", "-b", "feature")
    _regenerated_commit(repo, edit(FEATURES, FAST_NOTE), "Reword fast")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "# docs\n")
    repo.git("commit", "-q", "-am", "Docs")
    repo.git("merge", "-q", "--no-edit", "feature")

    result = repo.regc("-v", "verify-commits", f"{base}..HEAD")

    assert result.code == 0
    assert "Merge branch 'feature'\n  skipped:" in result.out


def test_a_renamed_registry_is_found_through_each_commits_config(repo: Repo) -> None:
    base = repo.head()
    repo.git("mv", "registry.md", "models.md")
    repo.write("regc.toml", CONFIG.replace('registry = "registry.md"', 'registry = "models.md"'))
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Rename the registry")
    repo.write("models.md", edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "-am", "Edit the renamed registry, forget the outputs")

    result = repo.regc("verify-commits", f"{base}..HEAD")

    assert result.code == 1
    assert result.out == (f"{repo.short()} Edit the renamed registry, forget the outputs\n"
                          f"  models.md changed but {JSON} was not regenerated\n")


def test_paths_with_spaces(tmp_path: Path) -> None:
    config = 'registry = "my registry.md"\n\n[targets.json]\npath = "out dir/registry.json"\n'
    repo = init_repo(tmp_path / "with spaces", config=config, commit=False)
    (repo.path / "registry.md").rename(repo.path / "my registry.md")
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "init")
    repo.write("my registry.md", edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "-am", "stale")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 1
    assert "  my registry.md changed but out dir/registry.json was not regenerated\n" in result.out


def test_detached_head(repo: Repo) -> None:
    base = repo.head()
    repo.git("checkout", "-q", "--detach")
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "-am", "stale, detached")

    result = repo.regc("verify-commits", f"{base}..HEAD")

    assert result.code == 1
    assert "stale, detached" in result.out


def test_commits_before_regc_was_configured_are_skipped(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "old")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("registry.md", FEATURES)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "A registry, before regc")
    repo.write("regc.toml", CONFIG)
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Adopt regc")

    result = repo.regc("-v", "verify-commits", "HEAD")

    assert result.code == 0
    assert "A registry, before regc\n  skipped: no regc configuration (regc.toml) in this commit\n" in result.out


def test_a_commit_whose_registry_has_no_meaning(repo: Repo) -> None:
    repo.write("registry.md", FEATURES.replace("| **Primary** | `anthropic/claude-opus-4-7` |\n", ""))
    repo.git("commit", "-q", "-am", "Broken")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 1
    assert result.out == (f"{repo.short()} Broken\n  its registry or configuration has no meaning:\n"
                          f"  {repo.short()}:registry.md:22:3: error: alias `reasoning` has no Primary: add a row | **Primary** | "
                          "`provider/model` | above this one, or, if this first row was meant as the Primary, name it **Primary**\n")


def test_a_shallow_clone_gets_a_clear_message(repo: Repo, tmp_path: Path) -> None:
    repo.write("README.md", "# more\n")
    repo.git("commit", "-q", "-am", "second")
    clone = Repo(tmp_path / "clone")
    Repo(tmp_path).git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone.path))

    result = clone.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 2
    assert "is a shallow clone" in result.err
    assert "`git fetch --unshallow`, or in GitHub Actions `actions/checkout` with `fetch-depth: 0`" in result.err
    assert "Traceback" not in result.err


def test_bad_ranges_are_usage_errors(repo: Repo) -> None:
    unknown = repo.regc("verify-commits", "origin/main..HEAD")
    assert unknown.code == 2
    assert unknown.err == f"error: unknown revision 'origin/main': no commit of that name in {repo.path}\n"
    option = repo.regc("verify-commits", "--", "--all")
    assert option.code == 2
    assert "is not a range" in option.err


def test_an_empty_range(repo: Repo) -> None:
    result = repo.regc("verify-commits", "HEAD..HEAD")
    assert result.code == 0
    assert "regc: 0 commits in HEAD..HEAD: 0 checked, 0 skipped" in result.err


def test_github_annotations(repo: Repo, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "-am", "Stale: a subject, with punctuation")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert (f"::error file={JSON},title=regc verify-commits::{repo.short()} Stale: a subject, with punctuation: "
            f"registry.md changed but {JSON} was not regenerated\n") in result.out
