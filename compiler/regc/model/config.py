"""Configuration: ``[tool.regc]`` in ``pyproject.toml``, or ``regc.toml``.

The configuration file's directory is the project root: the registry, the
policy and every output path are relative to it. Without a configuration
file the current directory is the root and the defaults apply to the commands
that only read (lint, explain); ``build`` and ``check`` refuse to run without
one and point to ``regc init``.

```toml
[tool.regc]
registry = "registry.md"
policy = "policy.yaml"

[tool.regc.targets.json]
path = "targets/json/registry.json"

[tool.regc.targets.go]
path = "targets/go/config.go"
package = "config"
```

A target is built when it has a table under ``targets``; with no
``targets`` table at all, every built-in target is built at its default
path. ``enabled = false`` switches a configured target off.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from regc.errors import Diagnostic, InputError
from regc.model.providers import Provider


def _provider_name(name: str) -> str:
    from regc.parse.cells import PROVIDER_RE

    if not re.fullmatch(PROVIDER_RE, name):
        raise ValueError(f"provider name {name!r} can never appear in a model reference `provider/model`; "
                         "use ASCII letters, digits, '_', '.' and '-'")
    return name


ProviderName = Annotated[str, AfterValidator(_provider_name)]


class ConfigFile(BaseModel):
    """regc configuration (`[tool.regc]` in pyproject.toml, or the top level of regc.toml)."""

    model_config = ConfigDict(extra="forbid")

    registry: str = Field(default="registry.md", description="the registry file, markdown (.md) or YAML (.yaml)")
    policy: str = Field(default="policy.yaml", description="the policy file (retirements, rule settings, waivers, custom rules)")
    cache_dir: str = Field(default=".regc-cache", description="where parse/lint results are cached, keyed by content hash")
    targets: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="target name -> options (`path`, `enabled`, and the target's own options); absent: every built-in target",
    )
    providers: dict[ProviderName, Provider] = Field(
        default={},
        description="provider name -> fields that override or add to regc's built-in provider table",
    )

    @field_validator("registry", "policy", "cache_dir")
    @classmethod
    def _a_path(cls, value: str) -> str:
        if not value.strip() or "\x00" in value:
            raise ValueError("must be a path")
        return value

    @field_validator("cache_dir")
    @classmethod
    def _inside(cls, value: str) -> str:
        # The cache is written: like the outputs, it stays inside the project and out of git's own files.
        if Path(value).is_absolute() or ".." in Path(value).parts or Path(value) == Path("."):
            raise ValueError("must be a directory inside the project root, e.g. .regc-cache (no absolute path, no `..`)")
        if any(part.casefold() == ".git" for part in Path(value).parts):
            raise ValueError("must be a directory outside git's directory (.git), e.g. .regc-cache; regc never writes into git's own files")
        return value



@dataclasses.dataclass(frozen=True)
class Config:
    """The configuration in effect: a validated ``ConfigFile`` plus where it was found."""

    root: Path
    file: Path | None
    settings: ConfigFile
    #: The file's text when it was not read from ``file`` on disk (a git blob: the index, a commit).
    text: str | None = None

    @property
    def registry_path(self) -> Path:
        return self.root / self.settings.registry

    @property
    def policy_path(self) -> Path:
        return self.root / self.settings.policy

    def providers(self) -> dict[str, Provider]:
        """regc's provider table with this configuration's overrides applied."""
        from regc.model.providers import providers

        return providers(self.settings.providers)

    def display(self, path: Path) -> str:
        """A path as the user should see it: relative to the root when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def with_registry(self, registry: str | None) -> Config:
        if registry is None:
            return self
        path = Path(registry)
        if not path.is_absolute():
            path = Path.cwd() / path
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = str(path.resolve())
        return dataclasses.replace(self, settings=self.settings.model_copy(update={"registry": relative}))


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``regc.toml``, or ``pyproject.toml`` with a ``[tool.regc]`` table, at or above ``start``."""
    from regc.io.discovery import find_config as find

    return find((start or Path.cwd()).resolve())


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Load the given configuration file, or find one; defaults when there is none."""
    file = path if path is not None else find_config(start)
    if file is None:
        return Config(root=(start or Path.cwd()).resolve(), file=None, settings=ConfigFile())
    file = file.resolve()
    shown = display_path(file)
    text = _read_text(file, shown)
    settings = parse_settings(text, file.name, shown)
    config = Config(root=file.parent, file=file, settings=settings or ConfigFile())
    problem = cache_dir_problem(config)
    if problem is not None:
        prefix = "tool.regc." if file.name == "pyproject.toml" else ""
        raise InputError.at(shown, key_line(text, prefix + "cache_dir"), f"{prefix}cache_dir: {problem}")
    return config


def cache_dir_problem(config: Config) -> str | None:
    """Why the cache directory may not be written, judged on disk (the write policy's checks for a directory), or None.

    Refused: a symbolic link as the directory or on its way to it (it would send the cache's writes elsewhere),
    a place inside git's directory (``$GIT_DIR``, a worktree's), and a file regc reads.
    """
    import stat

    from regc.io.write import git_dirs

    setting = config.settings.cache_dir
    path = config.root
    for part in Path(setting).parts:
        path = path / part
        try:
            info = path.lstat()
        except OSError:
            break  # the rest is created by the first cached run
        if stat.S_ISLNK(info.st_mode):
            return (f"{path.relative_to(config.root).as_posix()!r} is a symbolic link; regc writes its cache in a plain "
                    "directory, never through a link: remove the link or set another cache_dir")
    real = Path(os.path.realpath(config.root / setting))
    for git_dir in git_dirs(config.root):
        if real.is_relative_to(os.path.realpath(git_dir)):
            return f"{setting!r} is inside git's directory {os.path.realpath(git_dir)}; regc never writes there: set another cache_dir"
    inputs = {config.registry_path: "the registry", config.policy_path: "the policy file",
              **({config.file: "the configuration file"} if config.file is not None else {})}
    for file, what in inputs.items():
        if real == Path(os.path.realpath(file)):
            return f"{setting!r} is {what}, which regc reads; set another cache_dir"
    return None


def _read_text(file: Path, shown: str) -> str:
    from regc.io.source import MAX_BYTES, read_bytes

    try:
        data = read_bytes(file, shown, MAX_BYTES, "configuration file")  # noted in the run cache's record
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.at(shown, 1, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError.at(shown, 1, f"cannot read: {exc.strerror}") from None


def parse_settings(text: str, name: str, shown: str) -> ConfigFile | None:
    """The settings in the text of a configuration file named ``name`` (``regc.toml`` or ``pyproject.toml``), read
    from disk or from git; errors name it ``shown``. None for a pyproject.toml without ``[tool.regc]``."""
    import tomllib

    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(match[1]), int(match[2])) if match else (1, 1)
        raise InputError.at(shown, line, f"malformed TOML: {str(exc).split(' (at')[0]}", col) from None
    except ValueError:  # the one other ValueError: an integer longer than Python converts (sys.get_int_max_str_digits)
        from regc.io.source import long_number, position

        long = long_number(text)
        line, col = position(text, long.start() if long else -1)
        raise InputError.at(shown, line, f"a number of {len(long[0]) if long else 0:,} digits is out of range", col) from None
    except RecursionError:  # arrays or inline tables nested past what the parser's recursion reaches
        from regc.io.source import deepest, position

        line, col = position(text, deepest(text))
        raise InputError.at(shown, line, "arrays or inline tables nest too deeply for a configuration file", col) from None
    pyproject = name == "pyproject.toml"
    tool: Any = document.get("tool")
    if pyproject and not (isinstance(tool, dict) and "regc" in tool):
        return None
    table = tool["regc"] if pyproject else document
    prefix = "tool.regc." if pyproject else ""
    if not isinstance(table, dict):
        raise InputError.at(shown, 1, f"[{prefix.rstrip('.') or 'regc'}] must be a table")
    try:
        return ConfigFile.model_validate(table)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                from regc.parse.suggest import keys_at, unknown_key

                table_loc = error["loc"][:-1]
                message = unknown_key(str(error["loc"][-1]), keys_at(ConfigFile, table_loc),
                                      table_header(name, ".".join(str(part) for part in table_loc)))
            found.append(Diagnostic(shown, key_line(text, prefix + key), 1, f"{prefix}{key}: {message}"))
        raise InputError(found) from None


def table_header(file_name: str | None, dotted: str) -> str:
    """The table ``dotted`` (``providers.ollama``, or ``""`` for the top level) as the configuration file in use
    writes it: ``[providers.ollama]`` in regc.toml, ``[tool.regc.providers.ollama]`` in pyproject.toml; without a
    configuration file, both."""
    regc_toml = f"[{dotted}] in regc.toml" if dotted else "regc.toml"
    pyproject = f"[tool.regc{'.' + dotted if dotted else ''}] in pyproject.toml"
    if file_name == "pyproject.toml":
        return pyproject
    if file_name is not None:
        return regc_toml
    return f"{regc_toml} (or {pyproject})"


def key_line(text: str, dotted: str) -> int:
    """Best-effort line of a dotted TOML key (tomllib keeps no positions).

    The key's own line when it is found in its table, else the line of the
    nearest enclosing table header that exists, else 1.
    """
    parts = dotted.split(".")
    lines = text.splitlines()
    # Quotes around a header's keys (`[providers."my-llm"]`) are TOML syntax, not part of the name.
    headers = [(i, re.sub(r"(?<!\s)\s*+\.\s*+", ".", m[1].strip()).replace('"', "").replace("'", ""))
               for i, line in enumerate(lines) if (m := re.match(r"\s*+\[++([^\]]++)\]++\s*+$", line))]
    regions = {"": (0, headers[0][0] if headers else len(lines))}
    for n, (i, name) in enumerate(headers):
        regions[name] = (i + 1, headers[n + 1][0] if n + 1 < len(headers) else len(lines))
    for cut in range(len(parts) - 1, -1, -1):
        table, key = ".".join(parts[:cut]), parts[cut]
        if table in regions:
            start, end = regions[table]
            for index in range(start, end):
                if re.match(rf'\s*"?{re.escape(key)}"?\s*=', lines[index]):
                    return index + 1
        if ".".join(parts[: cut + 1]) in regions:
            return regions[".".join(parts[: cut + 1])][0]  # the header's line (1-based = the region's 0-based start)
    return 1


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (how users named it)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
