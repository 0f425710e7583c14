"""The hook's fast path: ``regc hook`` with nothing staged that regc watches, decided with the standard library.

``regc hook`` runs on every ``git commit``. Most commits stage nothing that
regc cares about, and for those the hook must exit 0 at once: before click,
pydantic, GitPython, jinja2 or jsonschema are imported (importing them alone
costs far more than the whole fast path). So this module uses the standard
library only: it asks git for the staged names (one ``git diff-index --cached``),
reads the configuration from the index with ``tomllib``, and returns 0 when
no staged path is the configuration, the registry, the policy or a target's
output. Whenever it cannot be sure (an unusual command line, an option it
does not know, a target without an explicit path that it has no default
for, any error) it hands over to the full command, which decides exactly and
reports errors properly.

``DEFAULT_PATHS`` and ``EXTRA_PATH_OPTIONS`` repeat the built-in targets'
default paths and the options besides ``path`` that name a file they write; tests
keep them equal to the targets' own ``Options``. A target it does not know (a
plugin's) may write files under options it cannot name: for those it watches every
path the staged outputs manifest (``regc.outputs``) lists.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

#: Default output path of every built-in target (kept equal to the targets' Options by a test).
DEFAULT_PATHS = {
    "bifrost": "targets/bifrost/config.json",
    "envoy": "targets/envoy/ai-gateway.yaml",
    "go": "targets/go/config.go",
    "json": "targets/json/registry.json",
    "litellm": "targets/litellm/config.yaml",
    "openrouter": "targets/openrouter/presets.json",
    "portkey": "targets/portkey/configs.json",
    "schema": "schema",
    "sqlite": "targets/sqlite/task_categories.sql",
}

#: Options besides ``path`` that name a file a built-in target writes (kept equal to ``TargetOptions.path_options``).
EXTRA_PATH_OPTIONS = {"sqlite": ("database",)}

_GLOBAL_FLAGS = {"-q", "--quiet", "-v", "--verbose"}
_HOOK_FLAGS = {"--fix", "--no-lint", *_GLOBAL_FLAGS}


def fast_hook_exit(args: Sequence[str]) -> bool:
    """True when ``args`` is ``hook`` and nothing relevant is staged (so the hook passes)."""
    config_arg = _parse_hook_args(args)
    if config_arg is None:
        return False
    try:
        return _nothing_relevant_staged(config_arg or None)
    except Exception:  # anything unexpected: let the full command decide and report
        return False


def _parse_hook_args(args: Sequence[str]) -> str | None:
    """``""`` (no --config) or the --config value when ``args`` is a plain hook call; None otherwise."""
    config = ""
    seen_hook = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in (_HOOK_FLAGS if seen_hook else _GLOBAL_FLAGS):
            continue
        if arg == "hook" and not seen_hook:
            seen_hook = True
        elif arg == "--config" and rest:
            config = rest.pop(0)
        elif arg.startswith("--config="):
            config = arg.removeprefix("--config=")
        else:
            return None  # --help, another command, an option this path does not know
    return config if seen_hook else None


def _git(*args: str) -> bytes | None:
    import subprocess  # only when the hook asks git: the replay of a cached run never does

    result = subprocess.run(["git", *args], capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def _nothing_relevant_staged(config_arg: str | None) -> bool:
    out = _git("diff-index", "--cached", "--name-only", "-z", "--no-renames", "HEAD")
    if out is None:
        return False  # not a repository, no commit yet, or git failed: the full command decides
    staged = [name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]
    if not staged:
        return True
    top_out = _git("rev-parse", "--show-toplevel")
    if top_out is None:
        return False
    top = Path(top_out.decode("utf-8", "surrogateescape").strip())
    watched = watched_paths(top, Path.cwd(), config_arg)
    if watched is None:
        return False
    return not any(is_watched(name, watched) for name in staged)


def is_watched(path: str, watched: Sequence[str]) -> bool:
    """``path`` is one of ``watched`` or lies below one of them (a target may write a directory)."""
    return any(path == w or path.startswith(w + "/") for w in watched)


def watched_paths(top: Path, cwd: Path, config_arg: str | None) -> list[str] | None:
    """Top-relative paths whose staging makes the hook work: config, registry, policy, outputs.

    None when this module cannot tell (the full command then decides).
    """
    from regc.io.discovery import config_file, top_relative

    file = config_file(cwd, config_arg, top=top)
    if file is None:
        project = top_relative(top, cwd)
        if project is None:
            return None
        return _watched_for(top, project, None, {}, _staged)
    config_rel = top_relative(top, file)
    if config_rel is None:
        return None
    text = _git("cat-file", "blob", f":{config_rel}")  # the staged configuration, as the full hook reads it
    if text is None:
        text = file.read_bytes()  # not tracked: the working tree's is all there is
    import tomllib

    data: Any = tomllib.loads(text.decode("utf-8"))
    table = data.get("tool", {}).get("regc") if file.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        return None
    return _watched_for(top, posixpath.dirname(config_rel), config_rel, table, _staged)


def _staged(path: str) -> bytes | None:
    return _git("cat-file", "blob", f":{path}")


def _watched_for(top: Path, project: str, config_rel: str | None, table: dict[str, Any],
                 staged: Callable[[str], bytes | None]) -> list[str] | None:
    from regc.io import manifest

    registry = table.get("registry", "registry.md")
    policy = table.get("policy", "policy.yaml")
    targets = table.get("targets")
    if not isinstance(registry, str) or not isinstance(policy, str):
        return None
    sources = [posixpath.join(project, registry), posixpath.join(project, policy), *([config_rel] if config_rel else [])]
    if any(through_link(top, source) for source in sources):
        return None  # the file a link leads to is watched too, as the index holds it: the full command reads the links
    paths = [registry, policy, manifest.NAME]
    if targets is None:
        paths.extend(DEFAULT_PATHS.values())
    elif isinstance(targets, dict):
        plugins = False
        for name, options in targets.items():
            if not isinstance(options, dict):
                return None
            if options.get("enabled", True) is False:
                continue
            path = options.get("path", DEFAULT_PATHS.get(name))
            if not isinstance(path, str):
                return None  # a target whose default path this module does not know
            paths.append(path)
            for option in EXTRA_PATH_OPTIONS.get(name, ()):
                extra = options.get(option)
                if extra is not None and not isinstance(extra, str):
                    return None
                if extra is not None:
                    paths.append(extra)
            plugins = plugins or name not in DEFAULT_PATHS
        if plugins:  # its other outputs are what the last build wrote: the staged manifest lists them
            paths.extend(manifest.parse(staged(posixpath.join(project, manifest.NAME))))
    else:
        return None
    watched = [posixpath.normpath(posixpath.join(project, p)) for p in paths]
    if config_rel is not None:
        watched.append(config_rel)
    return [w for w in watched if not w.startswith("../") and not posixpath.isabs(w)]


def through_link(top: Path, relative: str) -> bool:
    """A symbolic link on the working tree's path to ``relative`` (the file itself or a directory above it)."""
    path = top
    for part in posixpath.normpath(relative).split("/"):
        path = path / part
        if path.is_symlink():
            return True
    return False
