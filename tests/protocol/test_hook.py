"""`regc hook` through the installed plain git hook: real `git commit`s in temporary repositories."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Run, run_regc
from tests.protocol.conftest import CONFIG, DROP_O3, FAST_NOTE, FEATURES, Repo, edit, init_repo

JSON = "targets/json/registry.json"


def _aliases(document: str) -> dict[str, dict[str, object]]:
    aliases: dict[str, dict[str, object]] = json.loads(document)["aliases"]
    return aliases


def test_a_commit_with_the_registry_and_its_regenerated_outputs_passes(hooked: Repo) -> None:
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.build()
    hooked.git("add", "-A")

    result = hooked.commit("Drop o3 from reasoning")

    assert result.returncode == 0, result.stderr
    assert "regc: the staged registry.md and its 6 outputs agree" in result.stderr
    assert "openai/o3" not in _aliases(hooked.show(f"HEAD:{JSON}"))["reasoning"]["fallbacks"]  # type: ignore[operator]


def test_registry_staged_without_regenerating_stops_the_commit_with_the_fix(hooked: Repo) -> None:
    before = hooked.head()
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.git("add", "registry.md")

    result = hooked.commit("Drop o3 from reasoning")

    assert result.returncode == 1
    assert hooked.head() == before
    assert f"regc hook: registry.md is staged but {JSON} was not regenerated\n" in result.stderr
    assert f"fix: regc build && git add {JSON}\n" in result.stderr


def test_a_hand_edited_output_is_named_as_such(hooked: Repo) -> None:
    document = hooked.read(JSON)
    hooked.write(JSON, document.replace('"cheap fast Anthropic"', '"cheap and fast"'))
    hooked.git("add", JSON)

    result = hooked.commit("Tweak the generated JSON")

    assert result.returncode == 1
    assert f"regc hook: {JSON} is staged but differs from what the staged registry.md generates (edited by hand?)" in result.stderr


def test_a_commit_that_stages_nothing_regc_watches_passes(hooked: Repo) -> None:
    hooked.write("registry.md", edit(FEATURES, DROP_O3))  # stale, but not staged: not this commit's business
    hooked.write("README.md", "# changed\n")
    hooked.git("add", "README.md")

    result = hooked.commit("Docs")

    assert result.returncode == 0, result.stderr
    assert "regc" not in result.stderr


def test_partial_staging_is_judged_by_the_index_not_the_working_tree(hooked: Repo) -> None:
    """Stage a registry edit with its outputs, then edit the working tree further: the index is consistent."""
    first = edit(FEATURES, DROP_O3)
    hooked.write("registry.md", first)
    hooked.build()
    hooked.git("add", "-A")
    hooked.write("registry.md", edit(first, FAST_NOTE))  # a second edit, not staged
    hooked.build()  # even the working tree's outputs now differ from the staged ones

    result = hooked.commit("Drop o3")

    assert result.returncode == 0, result.stderr
    assert "cheap fast Anthropic" in hooked.show("HEAD:registry.md")
    assert "`openai/o3`, `xai" not in hooked.show("HEAD:registry.md")
    assert hooked.git("status", "--porcelain").stdout == f" M registry.md\n M {JSON}\n"


def test_the_reverse_a_consistent_working_tree_does_not_excuse_a_stale_index(hooked: Repo) -> None:
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.build()  # the working tree agrees...
    assert hooked.regc("check").code == 0
    hooked.git("add", "registry.md")  # ...but only the registry is staged

    result = hooked.commit("Drop o3")

    assert result.returncode == 1  # the outputs were regenerated, and the hook says that only `git add` is missing
    assert result.stderr == f"regc hook: regenerated but not staged: {JSON}; run git add {JSON}\n"
    hooked.git("add", JSON)
    assert hooked.commit("Drop o3").returncode == 0


def test_outputs_generated_from_an_unstaged_version_of_the_registry(hooked: Repo) -> None:
    """`git add -p` staged one hunk of registry.md; `regc build` ran on the whole working tree."""
    both = edit(edit(FEATURES, DROP_O3), FAST_NOTE)
    hooked.write("registry.md", both)
    hooked.build()
    hooked.git("add", JSON, "schema")
    hooked.stage_text("registry.md", edit(FEATURES, DROP_O3))  # one of the two edits staged

    result = hooked.commit("Drop o3")

    assert result.returncode == 1
    assert (f"regc hook: {JSON} is staged but differs from what the staged registry.md generates "
            "(generated from another version of it, or edited by hand)") in result.stderr
    assert "note: registry.md has changes that are not staged; `regc build` regenerates from the working tree" in result.stderr


def test_git_commit_with_a_path_uses_its_temporary_index(hooked: Repo) -> None:
    """`git commit registry.md` commits only that file, through a temporary index named by GIT_INDEX_FILE."""
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.build()  # outputs regenerated in the working tree, but not part of this commit

    only = hooked.commit("Drop o3", "registry.md")
    assert only.returncode == 1  # judged by the temporary index: the regenerated output is not in it
    assert f"regc hook: regenerated but not staged: {JSON}; run git add {JSON}" in only.stderr

    everything = hooked.commit("Drop o3", "-a")
    assert everything.returncode == 0, everything.stderr


def test_staging_a_config_change_without_its_outputs(hooked: Repo) -> None:
    hooked.write("regc.toml", CONFIG.replace("targets/json/registry.json", "targets/json/aliases.json"))
    hooked.git("add", "regc.toml")

    result = hooked.commit("Rename the JSON output")

    assert result.returncode == 1
    assert "regc hook: targets/json/aliases.json is missing: registry.md generates it, and it is not in the index" in result.stderr


def test_a_deleted_output(hooked: Repo) -> None:
    hooked.git("rm", "-q", JSON)

    result = hooked.commit("Remove the JSON")

    assert result.returncode == 1
    assert f"regc hook: {JSON} is deleted in the index, but registry.md still generates it" in result.stderr


def test_a_registry_without_meaning_stops_the_commit_with_its_position(hooked: Repo) -> None:
    before = hooked.head()
    hooked.write("registry.md", FEATURES.replace("| **Primary** | `anthropic/claude-opus-4-7` |\n", ""))
    hooked.git("add", "registry.md")

    result = hooked.commit("Break it")

    assert result.returncode == 1  # git's own code for "the hook failed"
    assert hooked.head() == before
    assert result.stderr == ("registry.md:22:3: error: alias `reasoning` has no Primary: add a row | **Primary** | `provider/model` | "
                             "above this one, or, if this first row was meant as the Primary, name it **Primary**\n")
    assert hooked.regc("hook").code == 2  # the hook's own: bad input


def test_fix_writes_the_outputs_of_the_staged_registry_and_still_fails(hooked: Repo) -> None:
    staged = edit(FEATURES, DROP_O3)
    hooked.write("registry.md", edit(staged, FAST_NOTE))  # the working tree has one more edit
    hooked.stage_text("registry.md", staged)

    result = hooked.regc("hook", "--fix")

    assert result.code == 1
    assert result.out == (f"regc hook: registry.md is staged but {JSON} was not regenerated\nwrote {JSON}\n"
                          f"regc hook: regenerated but not staged: {JSON}; run git add {JSON}\n")
    assert "stage them and commit again" in result.err
    written = _aliases(hooked.read(JSON))
    assert "openai/o3" not in written["reasoning"]["fallbacks"]  # type: ignore[operator]
    assert written["fast"]["notes"] == ["cheap fast Anthropic"]  # from the staged registry, not the working tree's
    hooked.git("add", JSON)
    assert hooked.commit("Drop o3").returncode == 0


def test_only_the_outputs_left_stale_get_the_regenerate_advice(hooked: Repo) -> None:
    go = "targets/go/config.go"
    hooked.write("regc.toml", CONFIG + f'\n[targets.go]\npath = "{go}"\n')
    hooked.regc("build")
    hooked.git("add", "-A")
    assert hooked.commit("Go too").returncode == 0
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.git("add", "registry.md")
    hooked.regc("build")
    hooked.write(JSON, hooked.read(JSON) + " ")  # regenerated, then touched: not what the staged registry generates

    result = hooked.regc("hook")

    assert result.code == 1
    assert result.out == (f"regc hook: registry.md is staged but {JSON} was not regenerated\n"
                          f"regc hook: regenerated but not staged: {go}; run git add {go}\n")
    assert f"fix: regc build && git add {go} {JSON}" in result.err


def test_fix_names_new_outputs_that_pre_commit_cannot_see(hooked: Repo) -> None:
    hooked.write("regc.toml", CONFIG.replace("targets/json/registry.json", "targets/json/aliases.json"))
    hooked.git("add", "regc.toml")

    result = hooked.regc("hook", "--fix")

    assert result.code == 1
    assert "wrote targets/json/aliases.json\n" in result.out
    assert "note: targets/json/aliases.json is not in the index; pre-commit does not notice new files, so add them yourself" in result.err
    assert (hooked.path / "targets/json/aliases.json").is_file()


def test_the_root_commit(tmp_path: Path) -> None:
    good = init_repo(tmp_path / "good", commit=False)
    good.install_hook()
    good.build()
    good.git("add", "-A")
    assert good.commit("Initial").returncode == 0

    bad = init_repo(tmp_path / "bad", commit=False)
    bad.install_hook()
    bad.git("add", "-A")
    result = bad.commit("Initial, outputs forgotten")
    assert result.returncode == 1
    assert f"regc hook: {JSON} is missing: registry.md generates it, and it is not in the index" in result.stderr
    assert bad.git("rev-parse", "--verify", "-q", "HEAD", check=False).returncode != 0


def test_paths_with_spaces(tmp_path: Path) -> None:
    config = 'registry = "my registry.md"\n\n[targets.json]\npath = "out dir/registry.json"\n'
    repo = init_repo(tmp_path / "with spaces", config=config, commit=False)
    (repo.path / "registry.md").rename(repo.path / "my registry.md")
    repo.install_hook()
    repo.build()
    repo.git("add", "-A")
    assert repo.commit("Initial").returncode == 0, "clean"

    repo.write("my registry.md", edit(FEATURES, DROP_O3))
    repo.git("add", "my registry.md")
    result = repo.commit("Drop o3")

    assert result.returncode == 1
    assert "regc hook: my registry.md is staged but out dir/registry.json was not regenerated" in result.stderr
    assert "fix: regc build && git add 'out dir/registry.json'" in result.stderr


def test_a_commit_on_a_detached_head(hooked: Repo) -> None:
    hooked.git("checkout", "-q", "--detach")
    hooked.write("registry.md", edit(FEATURES, DROP_O3))
    hooked.git("add", "registry.md")
    assert hooked.commit("Detached, stale").returncode == 1
    hooked.build()
    hooked.git("add", "-A")
    assert hooked.commit("Detached, regenerated").returncode == 0


def test_unresolved_merge_conflicts_are_a_clear_error(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "other")
    repo.write("registry.md", FEATURES.replace("cheap fast Anthropic", "the other branch's note"))
    repo.git("commit", "-q", "-am", "other")
    repo.git("checkout", "-q", "main")
    repo.write("registry.md", FEATURES.replace("cheap fast Anthropic", "main's note"))
    repo.git("commit", "-q", "-am", "main")
    assert repo.git("merge", "other", check=False).returncode != 0

    result = repo.regc("hook")

    assert result.code == 2
    assert result.err == "error: registry.md has unresolved merge conflicts; resolve them and `git add registry.md` first\n"


def test_outside_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    result = Repo(tmp_path / "plain").regc("hook")
    assert result.code == 2
    assert result.err == f"error: {tmp_path / 'plain'} is not in a git repository; this command reads git history (run it inside a clone)\n"


def test_a_project_in_a_subdirectory_with_config_given_to_the_hook(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "mono")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("services/ai/regc.toml", CONFIG)
    repo.write("services/ai/registry.md", FEATURES)
    assert run_in(repo, "services/ai", "build").code == 0
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "init")
    assert repo.regc("--config", "services/ai/regc.toml", "install-hook").code == 0
    assert "-P -m regc hook --config services/ai/regc.toml" in (repo.path / ".git/hooks/pre-commit").read_text()

    repo.write("services/ai/registry.md", edit(FEATURES, DROP_O3))
    repo.git("add", "-A")
    result = repo.commit("Drop o3")

    assert result.returncode == 1
    assert "regc hook: services/ai/registry.md is staged but services/ai/targets/json/registry.json was not regenerated" in result.stderr
    assert "fix: regc --config services/ai/regc.toml build && git add services/ai/targets/json/registry.json" in result.stderr
    assert "(or `regc hook --config services/ai/regc.toml --fix`: it writes the outputs of the staged registry" in result.stderr


def run_in(repo: Repo, directory: str, *args: str) -> Run:
    return run_regc(*args, cwd=repo.path / directory)


def test_without_git_on_path(repo: Repo) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([sys.executable, "-m", "regc", "hook"], cwd=repo.path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: git is not installed or not on PATH; this command runs git")


def test_a_config_file_that_does_not_exist(repo: Repo) -> None:
    result = repo.regc("hook", "--config", "nope.toml")
    assert result.code == 2
    assert result.err == "nope.toml:1:1: error: no such configuration file\n"


def test_files_regex_for_pre_commit_matches_exactly_what_the_hook_watches(tmp_path: Path) -> None:
    import re

    config = ('registry = "ai/my registry.md"\npolicy = "ai/policy.yaml"\n\n'
              '[targets.json]\npath = "gen/r.json"\n\n[targets.schema]\npath = "gen/schema"\n')
    repo = init_repo(tmp_path / "custom", config=config, commit=False)

    result = repo.regc("hook", "--files-regex")

    assert result.code == 0
    pattern = re.compile(result.out.strip())
    for path in ("ai/my registry.md", "ai/policy.yaml", "regc.toml", "gen/r.json", "gen/schema/config.schema.json"):
        assert pattern.search(path), path
    for path in ("registry.md", "gen/r.json.bak", "gen/other.json", "README.md", "ai/my registry.mdx"):
        assert not pattern.search(path), path


# --- policy errors: the staged registry under the staged policy -------------------------------

O3_RETIRED = (
    "| `openai/o3` | chat | $2.00 | $8.00 | $0.50 | | 200K | active | catalog |",
    "| `openai/o3` | chat | $2.00 | $8.00 | $0.50 | | 200K | retired 2026-01-01 → `openai/gpt-5` | catalog |",
)
WAIVE_O3 = 'waivers:\n  - {rule: retired-model, model: openai/o3, reason: "o3 stays until the gpt-5 evals finish"}\n'


def test_registry_lints_clean_on_any_day(tmp_path: Path) -> None:
    """The hook lints with today's date: the registry these tests commit must not turn red with the calendar."""
    (tmp_path / "empty-policy.yaml").write_text("")
    registry = Path(__file__).parent / "registry.md"
    for day in ("2026-01-01", "2026-11-22", "2035-12-31"):
        result = run_regc("lint", "--registry", str(registry), "--policy", "empty-policy.yaml", "--today", day, cwd=tmp_path)
        assert result.code == 0, (day, result.out)


def test_a_policy_error_in_the_staged_registry_stops_the_commit(hooked: Repo) -> None:
    before = hooked.head()
    hooked.write("registry.md", edit(FEATURES, O3_RETIRED))
    hooked.build()
    hooked.git("add", "-A")

    result = hooked.commit("Mark o3 retired, keep routing to it")

    assert result.returncode == 1
    assert hooked.head() == before
    line = next(n for n, text in enumerate(FEATURES.splitlines(), 1) if "| **Alternatives** | `openai/o3`" in text)
    # git hands a pre-commit hook's stdout to the user on stderr
    assert f"registry.md:{line}:22: error retired-model `openai/o3` (fallback of `reasoning`) was retired on 2026-01-01" in result.stderr
    assert "has policy errors; fix them (`regc lint` lists them) and stage it again" in result.stderr


def test_the_staged_policy_decides_not_the_working_tree(hooked: Repo) -> None:
    hooked.write("registry.md", edit(FEATURES, O3_RETIRED))
    hooked.build()
    hooked.write("policy.yaml", WAIVE_O3)
    hooked.git("add", "registry.md", "targets", "schema")

    unstaged_waiver = hooked.commit("Retire o3, waiver not staged")
    assert unstaged_waiver.returncode == 1
    assert "error retired-model" in unstaged_waiver.stderr

    hooked.git("add", "policy.yaml")
    staged_waiver = hooked.commit("Retire o3, with its waiver")
    assert staged_waiver.returncode == 0, staged_waiver.stdout + staged_waiver.stderr
    assert "policy.yaml" in hooked.git("show", "--name-only", "--format=", "HEAD").stdout


def test_fix_checks_every_output_against_the_write_policy_before_writing_any(repo: Repo) -> None:
    """A refused output (a link) stops `hook --fix` before it writes the outputs that sort before it, as `build` does."""
    edited = "/* edited by hand */\n"
    repo.write("schema/config.schema.json", edited)  # stale, and written before targets/json/ in path order
    link = repo.path / JSON
    link.unlink()
    link.symlink_to("../../README.md")
    repo.git("add", "-A")

    result = repo.regc("hook", "--fix")

    assert result.code == 2
    assert result.err == ("regc.toml:4:1: error: output path 'targets/json/registry.json' is a symbolic link; regc writes plain "
                          "files in plain directories, never through a link: remove the link or give the target another path\n")
    assert repo.read("schema/config.schema.json") == edited  # nothing written
    assert repo.read("README.md") == "# a project that keeps a registry\n"
    assert "wrote" not in result.out
