"""``regc init``: scaffold a working set-up of regc in the current repository.

It writes the configuration (``regc.toml``, or a ``[tool.regc]`` table appended to an existing
``pyproject.toml``, whose bytes it keeps), a starter ``registry.md`` that builds and lints clean, a
commented ``policy.yaml``, the hook wiring (a ``.pre-commit-config.yaml`` entry or the plain git hook
of ``regc install-hook``) and a GitHub workflow. Every file is checked before any is written: an
existing one is never overwritten (exit 2 naming it, nothing written). Flags say what to make; what
they leave out is asked for when stdin is a terminal, and otherwise takes the documented default
(``--targets json --config regc.toml`` (pyproject when one exists) ``--hook git --ci github``).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import sys
from pathlib import Path

import click

from regc.about import DOCS, HOMEPAGE, INSTALL_SOURCE, __version__
from regc.cli.context import EXIT_OK, Context, pass_context
from regc.errors import UsageError

DEFAULT_TARGETS = ("json",)
HOOKS = ("git", "pre-commit", "none")
CI = ("github", "none")
CONFIG_KINDS = ("regc.toml", "pyproject")
WORKFLOW = ".github/workflows/regc.yml"


@dataclasses.dataclass(frozen=True)
class Plan:
    """What `regc init` was asked to make."""

    targets: tuple[str, ...]
    registry: str
    config: str
    hook: str
    ci: str


@click.command("init")
@click.option("--targets", metavar="NAMES", help="comma-separated targets to configure (default: json; `regc build` makes them)")
@click.option("--registry", "registry", metavar="PATH", help="the registry to create (default: registry.md)")
@click.option("--config", "config_kind", type=click.Choice(CONFIG_KINDS),
              help="where the configuration goes (default: pyproject when ./pyproject.toml exists, else regc.toml)")
@click.option("--hook", type=click.Choice(HOOKS), help="how commits are checked (default: git, the plain git hook)")
@click.option("--ci", type=click.Choice(CI), help=f"a CI workflow to add (default: github, {WORKFLOW})")
@pass_context
def init(obj: Context, *, targets: str | None, registry: str | None, config_kind: str | None, hook: str | None,
         ci: str | None) -> int:
    """Scaffold regc in this repository: configuration, registry.md, policy.yaml, hook and CI (never overwrites)."""
    root = Path.cwd()
    ask = sys.stdin.isatty()
    default_config = "pyproject" if (root / "pyproject.toml").is_file() else "regc.toml"
    plan = Plan(
        targets=_targets(targets if targets is not None else _ask(ask, _targets_question(), ",".join(DEFAULT_TARGETS))),
        registry=_relative(registry if registry is not None else _ask(ask, "Registry file", "registry.md")),
        config=config_kind or _ask(ask, "Configuration", default_config, CONFIG_KINDS),
        hook=hook or _ask(ask, "Hook", "git", HOOKS),
        ci=ci or _ask(ask, "CI", "github", CI),
    )
    files = scaffold(plan, root, today=datetime.date.today())
    existing = [path for path, (mode, _) in files.items() if mode == "create" and (root / path).exists()]
    if existing:
        raise UsageError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; `regc init` never "
                         "overwrites a file and wrote nothing (move it aside, or pass --registry/--config/--hook/--ci to skip it)")
    if plan.hook == "git":
        hooks, top = _hooks_dir(root)  # before any write: outside a git repository, nothing is written
        _no_foreign_hook(hooks / "pre-commit", root)
    for path, (mode, data) in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "append":
            with target.open("ab") as handle:
                handle.write(data)
            obj.out(f"updated {path} ([tool.regc] appended)\n")
        else:
            with target.open("xb") as handle:  # exclusive: a file that appeared since the check is not overwritten
                handle.write(data)
            obj.out(f"created {path}\n")
    if plan.hook == "git":
        from regc.git import install

        config_file = "pyproject.toml" if plan.config == "pyproject" else "regc.toml"
        below = os.path.relpath(root / config_file, top).replace(os.sep, "/")
        # git runs the hook at the repository's top: a project below it names its configuration file.
        done = install.install(hooks, args=["--config", below] if "/" in below else [])
        obj.out(f"{done.action} {os.path.relpath(done.path, root)}\n")
    # pre-commit's own hook script is installed by pre-commit: without it, commits are not checked at all.
    install_first = "run `pre-commit install` (it installs the hooks .pre-commit-config.yaml lists), " if plan.hook == "pre-commit" else ""
    obj.log(f"regc: next: {install_first}edit {plan.registry}, run `regc build`, then commit the registry with its outputs")
    return EXIT_OK


def _targets_question() -> str:
    from regc.targets import all_targets

    return f"Targets (comma-separated: {', '.join(all_targets())})"


def scaffold(plan: Plan, root: Path, *, today: datetime.date) -> dict[str, tuple[str, bytes]]:
    """Every file to write, project-relative: ``("create", bytes)``, or ``("append", bytes)`` to pyproject.toml."""
    files: dict[str, tuple[str, bytes]] = {}
    if plan.config == "pyproject":
        pyproject = root / "pyproject.toml"
        if not pyproject.is_file():
            raise UsageError("--config pyproject: there is no pyproject.toml here; use --config regc.toml")
        from regc.io.discovery import has_tool_regc

        if has_tool_regc(pyproject):
            raise UsageError("pyproject.toml already has a [tool.regc] table; `regc init` never overwrites a configuration")
        current = pyproject.read_bytes()
        from regc.model.config import parse_settings

        # Appending to a file TOML cannot read would only move the error to the next `regc build`.
        parse_settings(current.decode("utf-8", errors="replace"), "pyproject.toml", "pyproject.toml")
        separator = b"" if not current or current.endswith(b"\n\n") else b"\n" if current.endswith(b"\n") else b"\n\n"
        files["pyproject.toml"] = ("append", separator + config_text(plan, "tool.regc").encode())
    else:
        files["regc.toml"] = ("create", config_text(plan, "").encode())
    files[plan.registry] = ("create", REGISTRY.format(today=today.isoformat()).encode())
    files["policy.yaml"] = ("create", POLICY.encode())
    if plan.hook == "pre-commit":
        inputs, registry_pattern = _pre_commit_files(plan, root)
        files[".pre-commit-config.yaml"] = ("create", PRE_COMMIT.format(url=HOMEPAGE, rev=f"v{__version__}", inputs=inputs,
                                                                         registry=registry_pattern).encode())
    if plan.ci == "github":
        prefix = _prefix(root)
        config_file = "pyproject.toml" if plan.config == "pyproject" else "regc.toml"
        # GitHub reads workflows at the repository's top only, and runs them there: a project below it is named.
        workflow = os.path.relpath(root / "/".join([".."] * prefix.count("/")) / WORKFLOW, root).replace(os.sep, "/") \
            if prefix else WORKFLOW
        where = f" --config {prefix}{config_file}" if prefix else ""
        files[workflow] = ("create", GITHUB_WORKFLOW.format(source=INSTALL_SOURCE, config=where).encode())
    return files


def config_text(plan: Plan, prefix: str) -> str:
    """The configuration: the registry, the policy and one table per target (at the target's default path)."""
    header = f"[{prefix}]\n" if prefix else ""
    dot = f"{prefix}." if prefix else ""
    lines = [f"# regc's configuration (its documentation: {DOCS}/configuration.md).\n"
             "# `regc build` writes each target below at its path.\n",
             header, f'registry = "{plan.registry}"\n', 'policy = "policy.yaml"\n']
    for name in plan.targets:
        lines.append(f"\n[{dot}targets.{name}]\n")
        path = _default_path(name)
        if path is not None:
            lines.append(f'path = "{path}"\n')
    return "".join(lines)


def _prefix(root: Path) -> str:
    """Where ``root`` is below its git repository's top (``services/ai/``), or "" at the top or outside git."""
    import subprocess

    found = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else ""


def _pre_commit_files(plan: Plan, root: Path) -> tuple[str, str]:
    """The ``files`` patterns of regc-lint and regc-fmt (pre-commit matches paths from the repository's top, which this
    project must be): the files lint reads, and the registry fmt formats. The hooks' own defaults match only regc's
    default layout, so a registry elsewhere would never start them. (The regc hook always runs.)"""
    import re

    prefix = _prefix(root)
    if prefix:
        # pre-commit reads .pre-commit-config.yaml at the top and runs hooks there, where this configuration is not found.
        raise UsageError(f"--hook pre-commit: run `regc init` at the repository's top (this is {prefix!r} "
                         "below it), or pass --hook git, whose hook names this project's configuration")
    config = "pyproject.toml" if plan.config == "pyproject" else "regc.toml"

    def pattern(paths: list[str]) -> str:
        return ("^(" + "|".join(re.escape(p) for p in paths) + ")$").replace("'", "''")

    return pattern([plan.registry, "policy.yaml", config]), pattern([plan.registry])


def _default_path(name: str) -> str | None:
    from regc.targets import all_targets

    path = all_targets()[name].Options.model_fields["path"].default
    return path if isinstance(path, str) else None


def _targets(text: str) -> tuple[str, ...]:
    from regc.parse.suggest import nearest
    from regc.targets import all_targets

    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise UsageError("--targets: name at least one target (e.g. --targets go,litellm)")
    known = list(all_targets())
    for name in names:
        if name not in known:
            near = nearest(name, known)
            hint = f"did you mean {near!r}? " if near else ""
            raise UsageError(f"--targets: unknown target {name!r}; {hint}known targets: {', '.join(known)}")
    return names


def _relative(path: str) -> str:
    if Path(path).is_absolute() or ".." in Path(path).parts or not path.strip():
        raise UsageError(f"--registry {path!r}: give a path inside this directory, such as registry.md")
    if Path(path).suffix not in {".md", ".markdown"}:
        raise UsageError(f"--registry {path!r}: `regc init` writes a markdown registry; name it *.md")
    return Path(path).as_posix()


def _ask(interactive: bool, question: str, default: str, choices: tuple[str, ...] | None = None) -> str:
    if not interactive:
        return default
    kind = click.Choice(choices) if choices else None
    answer: str = click.prompt(question, default=default, type=kind)
    return answer


def _no_foreign_hook(path: Path, root: Path) -> None:
    """Refuse, before any write, when a pre-commit hook that regc did not write is there (install would refuse later)."""
    from regc.git.install import foreign

    if foreign(path):
        raise UsageError(f"{os.path.relpath(path, root)} already exists and was not written by regc; `regc init` wrote nothing "
                         "(pass --hook none and call `regc hook` from that hook, or --hook pre-commit)")


def _hooks_dir(root: Path) -> tuple[Path, Path]:
    """Where git takes hooks from, and the repository's top directory."""
    import subprocess

    from regc.git.repo import Repo

    inside = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=root, capture_output=True, text=True, check=False)
    if inside.returncode != 0:  # not a repository at all (a bare one is Repo.open's to refuse); `init` reads no history
        raise UsageError(f"{root} is not in a git repository, and --hook git (the default) installs regc's hook into one; "
                         "`regc init` wrote nothing: run `git init` first (or `regc init` inside your clone), "
                         "or pass --hook none to set up without a hook")
    repo = Repo.open(root)
    return repo.hooks_dir(), repo.top


REGISTRY = """\
---
reviewed: {today}
---
# Model registry

Which model to use for which job. Clients ask for an alias (`reasoning`, `cheap`); this file says which
model it resolves to today and which to fall back to, in order. `regc build` compiles it into the
configured outputs, `regc lint` checks it against policy.yaml, and the hook keeps both in one commit.
Prose like this paragraph is kept, never interpreted.

## 1. Reasoning · alias `reasoning`

|                  |                                                                          |
| ---------------- | ------------------------------------------------------------------------ |
| **Primary**      | `anthropic/claude-opus-4-7`                                              |
| **Alternatives** | `openai/gpt-5.4`                                                         |
| **Why primary**  | Replace with why this model is the pick for hard, high-stakes questions. |

## 2. Cheap commodity · alias `cheap`

|                  |                                                                                             |
| ---------------- | ------------------------------------------------------------------------------------------- |
| **Primary**      | `openai/gpt-4o-mini`                                                                        |
| **Alternatives** | `anthropic/claude-haiku-4-5-20251001`                                                       |
| **Why primary**  | Replace with why this model is the pick for classification, summaries and simple questions. |

## Tier shortcuts (legacy — back-compat)

| Alias  | Resolves to                           | Alternatives     | Notes                            |
| ------ | ------------------------------------- | ---------------- | -------------------------------- |
| `fast` | `anthropic/claude-haiku-4-5-20251001` | `openai/gpt-5.4` | an older name clients still send |

## Models

| Model | Kind | Input $/MTok | Output $/MTok | Cache read $/MTok | Cache write $/MTok | Context | Status | Source |
|---|---|---|---|---|---|---|---|---|
| `anthropic/claude-haiku-4-5-20251001` | chat | $1.00 | $5.00 | $0.10 | $1.25 | 200K | active | provider's price list |
| `anthropic/claude-opus-4-7` | chat | $5.00 | $25.00 | $0.50 | $6.25 | 1M | active | provider's price list |
| `openai/gpt-4o-mini` | chat | $0.15 | $0.60 | $0.075 | | 128K | active | provider's price list |
| `openai/gpt-5.4` | chat | $2.50 | $15.00 | $0.25 | | 1M | active | provider's price list |
"""

POLICY = """\
# The policy `regc lint` and `regc check` apply to the registry (`regc rules` lists the rules,
# `regc explain RULE` explains one). Every key is optional; with none, each rule runs at its defaults.

# The severity from which `regc lint` and `regc check` exit 1: error, warning or info.
fail_severity: error

# Models their providers retire: before the date a model is deprecated, from it on retired.
# retired:
#   - model: openai/gpt-4o-mini
#     date: 2027-01-14
#     replacement: openai/gpt-5.4-mini
#     source: the provider's deprecation notice

# A rule's severity or options, by rule id (`regc explain RULE` lists its options).
# rules:
#   review-stale:
#     severity: warning
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com): `pre-commit install` wires these hooks into git.
# `files` says when pre-commit starts regc-lint and regc-fmt: this project's registry, policy and configuration
# (keep it in step when you move one of them); the regc hook starts on every commit and finds the outputs itself.
repos:
  - repo: {url}
    rev: {rev}
    hooks:
      - id: regc  # the staged registry and its generated outputs agree (it runs on every commit: it knows the outputs)
      - id: regc-lint  # the registry passes policy.yaml (the one hook that prints its findings)
        files: '{inputs}'
      - id: regc-fmt  # the registry's tables are formatted (it rewrites them: review and stage)
        files: '{registry}'
"""

GITHUB_WORKFLOW = """\
# regc on every push and pull request: outputs match the registry, the registry passes its policy, and every
# pushed commit kept registry and outputs together (`git commit --no-verify` skips the hook; this does not).
name: regc
on:
  push:
  pull_request:
jobs:
  regc:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # verify-commits reads every commit of the range
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "regc @ {source}"
      - run: regc{config} check
      - name: regc verify-commits (the pushed or proposed commits)
        env:
          BEFORE: ${{{{ github.event.before }}}}
          BASE: ${{{{ github.base_ref }}}}
        run: |
          if [ -n "$BASE" ]; then range="origin/$BASE..HEAD"
          elif git cat-file -e "$BEFORE^{{commit}}" 2>/dev/null; then range="$BEFORE..HEAD"
          else range=HEAD; fi  # a new branch, or a force push: every commit (those before regc was adopted are skipped)
          regc{config} verify-commits "$range"
"""

COMMANDS = (init,)
