"""README.md opens with the two commands that set up and run regc, and set up and pass the tests; every shell and
Python example of README.md and docs/ is executed.

An example is a fenced block in `console`, `sh`, `shell`, `bash` or `python`. Each one is run here, or is run by a
named test (an HTML comment on the line above: `<!-- example: NAME (tests/test_x.py ...) -->`, and that test file
reads the page), or is marked `<!-- not-run: REASON -->` with the reason it cannot run here. Nothing is skipped
without saying why.

Run here, in a copy of this repository's registry, configuration, outputs and fixtures:
- `python`: the block, as a script;
- `console`: each `$ COMMAND` line with bash (regc from this venv first on PATH, HOME a scratch directory whose
  `catalogs/modelsdev_models.json` is shared/reference's copy); it exits 0 or 1 (1: findings, as an example may
  show), and the lines shown after it, up to a `...` line, are what it prints (stdout and stderr, in order);
- `sh`/`shell`/`bash`: the block with bash, exit 0.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, shared_reference

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```sh\n(.+?)\n```", README)

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LANGUAGES = ("console", "sh", "shell", "bash", "python")
BLOCK = re.compile(r"^(?P<fence>`{3,})(?P<lang>\w+)\n(?P<body>.*?)\n(?P=fence)$", re.M | re.S)
MARK = re.compile(r"<!-- (?:(?P<example>example): (?P<name>[\w-]+) \((?P<test>tests/[\w/]+\.py)[^)]*\)|not-run: (?P<reason>.+?)) -->")
#: What the examples run in: the repository's own project (and the fixtures they name).
PROJECT = ("pyproject.toml", "registry.md", "policy.yaml", "regc.outputs", "targets", "schema", "tests/fixtures")


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    lang: str
    body: str
    mark: re.Match[str] | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def examples() -> list[Example]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in BLOCK.finditer(text):
            if block["lang"] not in LANGUAGES:
                continue
            before = text[: block.start()].rstrip("\n").rsplit("\n", 1)[-1]
            found.append(Example(page, text.count("\n", 0, block.start()) + 1, block["lang"], block["body"], MARK.fullmatch(before)))
    return found


EXAMPLES = examples()
RUN_HERE = [example for example in EXAMPLES if example.mark is None]


def test_readme_opens_with_the_build_and_test_commands() -> None:
    build, test = COMMANDS[:2]
    assert README.index(build) < README.index("## ")
    assert build.endswith("regc build") and "pip install -e ." in build
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert COMMANDS[1] in ci.splitlines()


def test_examples_are_found_and_each_is_run_here_by_a_named_test_or_marked_with_a_reason() -> None:
    assert len(EXAMPLES) >= 10 and len(RUN_HERE) >= 4
    for example in EXAMPLES:
        if example.mark is None:
            continue
        if example.mark["example"]:
            test = ROOT / example.mark["test"]
            assert test.is_file(), f"{example.where}: {example.mark['test']} does not exist"
            source = test.read_text(encoding="utf-8")
            assert str(example.page.relative_to(ROOT)) in source, f"{example.where}: {example.mark['test']} does not read this page"
        else:
            assert len(example.mark["reason"].split()) >= 3, f"{example.where}: say why the example cannot run here"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, symlinks=True)
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    return root


def _environment(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    (home / "catalogs").mkdir(parents=True)
    models_dev = shared_reference("catalogs", "modelsdev_models.json")
    if models_dev is not None:
        (home / "catalogs/modelsdev_models.json").symlink_to(models_dev)
    bin_dir = str(Path(sys.executable).parent)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "LC_ALL": "C.UTF-8", "NO_COLOR": "1",
            "REGC_NO_CACHE": "1", "SYSTEMROOT": os.environ.get("SYSTEMROOT", "")}


def _commands(body: str) -> list[tuple[str, list[str]]]:
    """A console block's `$ COMMAND` lines, each with the lines shown after it (up to a `...` line)."""
    runs: list[tuple[str, list[str]]] = []
    shown_done = False
    for line in body.splitlines():
        if line.startswith("$ "):
            runs.append((line[2:], []))
            shown_done = False
        elif line == "...":
            shown_done = True
        elif not shown_done:
            assert runs, f"output before the first command: {line!r}"
            runs[-1][1].append(line)
    return runs


@pytest.mark.parametrize("example", RUN_HERE, ids=lambda example: example.where)
def test_the_example_runs(example: Example, project: Path, tmp_path: Path) -> None:
    env = _environment(tmp_path)
    if "REGC_MODELS_DEV=~/catalogs" in example.body and not (Path(env["HOME"]) / "catalogs/modelsdev_models.json").exists():
        pytest.skip("shared/reference's models.dev catalog is not here")
    if example.lang == "python":
        ran = subprocess.run([sys.executable, "-c", example.body], cwd=project, env=env, capture_output=True, text=True, check=False)
        assert ran.returncode == 0, f"{example.where}:\n{ran.stderr}"
        return
    if example.lang != "console":
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", example.body], cwd=project, env=env, capture_output=True, text=True,
                             check=False)
        assert ran.returncode == 0, f"{example.where}:\n{ran.stderr}"
        return
    for command, shown in _commands(example.body):
        ran = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=project, env=env, capture_output=True, text=True, check=False)
        assert ran.returncode in (0, 1), f"{example.where}: `{command}` exited {ran.returncode}:\n{ran.stdout}{ran.stderr}"
        printed = ran.stdout.splitlines()
        at = 0
        for line in shown:
            assert line in printed[at:], f"{example.where}: `{command}` did not print {line!r}; it printed:\n{ran.stdout}"
            at = printed.index(line, at) + 1


def test_the_readme_registry_example_is_a_registry(tmp_path: Path) -> None:
    import regc

    section = README[README.index("## The registry, by example"):README.index("## Commands")]
    block = re.search(r"```markdown\n(.*?)\n```", section, re.S)
    assert block, "README lost its registry example"
    (tmp_path / "registry.md").write_text(block[1] + "\n", encoding="utf-8")
    chain = regc.load(tmp_path / "registry.md").resolve("reasoning")
    assert str(chain.primary) == "anthropic/claude-opus-4-7"
    assert [str(ref) for ref in chain.fallbacks] == ["openai/gpt-5.5"]
    assert [str(entry.ref) for entry in chain.pending] == ["perplexity/sonar-pro"]


@pytest.mark.parametrize("command", ["regc check", "regc build --check"])
def test_the_commands_tables_name_exit_2_where_the_command_exits_2(command: str, tmp_path: Path) -> None:
    """New-user trial 3: `regc check` without a configuration exits 2, which the Commands table did not say."""
    from tests.conftest import run_regc

    (tmp_path / "registry.md").write_text("no configuration next to it\n")
    done = run_regc(*command.split()[1:], cwd=tmp_path)
    assert done.code == 2 and "regc init" in done.err, done.err
    for page in (README, (ROOT / "docs/commands.md").read_text(encoding="utf-8")):
        row = next(line for line in page.splitlines() if line.startswith(f"| `{command}`"))
        assert ", 2 no configuration" in row.rsplit("|", 2)[-2], row


def test_no_paragraph_of_the_readme_is_there_twice() -> None:
    """New-user trial 3: the paragraph on what regc promises stood twice, before and after `## Guarantees`."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", README) if len(p.strip()) > 80 and not p.lstrip().startswith("|")]
    twice = {p[:80] for p in paragraphs if paragraphs.count(p) > 1}
    assert not twice, twice


def test_the_readme_gives_both_forms_that_exit_2_takes(tmp_path: Path) -> None:
    """README said exit 2 "always" has `file:line:col:`; a call that cannot work (no configuration) has no file."""
    from tests.conftest import run_regc

    (tmp_path / "registry.md").write_text("# not a registry\n")
    in_a_file = run_regc("lint", cwd=tmp_path)
    no_config = run_regc("build", cwd=tmp_path)
    assert in_a_file.code == 2 and re.match(r"registry\.md:\d+:\d+: error: ", in_a_file.err), in_a_file.err
    assert no_config.code == 2 and no_config.err.startswith("error: "), no_config.err
    promise = README[README.index("## Guarantees"):].split("\n\n")[1]
    assert "`file:line:col: error: message`" in promise and "`error: message` for a call that cannot" in promise, promise
