"""The whole flow, top to bottom: read -> parse -> model -> resolve -> targets -> write/check.

``cli.py`` is a thin layer over the functions here, and ``regc.load`` is
``load`` below: the library and the command line run the same code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from regc.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from regc.config import Config
    from regc.parse.raw import RawRegistry
    from regc.resolve import ResolvedRegistry
    from regc.write import Change


def load(path: str | Path, *, display: str | None = None) -> ResolvedRegistry:
    """Read, parse, validate and resolve a registry (markdown or YAML)."""
    from regc.model import build
    from regc.resolve import resolve
    from regc.source import read_text

    path = Path(path)
    display = display or str(path)
    text = read_text(path, display)
    return resolve(build(parse(text, display)))


def parse(text: str, display: str) -> RawRegistry:
    """The front end for the file's suffix: ``.md`` markdown, ``.yaml``/``.yml`` YAML."""
    suffix = Path(display).suffix.lower()
    if suffix in {".md", ".markdown"}:
        from regc.parse.markdown import parse_markdown

        return parse_markdown(text, display)
    if suffix in {".yaml", ".yml"}:
        from regc.parse.yaml import parse_yaml

        return parse_yaml(text, display)
    raise InputError.at(display, 1, f"unknown registry format {suffix or '(no suffix)'!r}; use .md or .yaml")


@dataclasses.dataclass(frozen=True)
class BuildResult:
    registry: ResolvedRegistry
    changes: list[Change]
    written: list[Change]

    @property
    def stale(self) -> list[Change]:
        return [c for c in self.changes if c.status != "same"]


def build(config: Config, *, check: bool = False, output_dir: Path | None = None) -> BuildResult:
    """Regenerate every configured target; write the ones that changed unless ``check``."""
    from regc import write

    registry = load(config.registry_path, display=config.display(config.registry_path))
    outputs = render(registry, config)
    root = output_dir or config.root
    changes = write.plan(outputs, root)
    written = [] if check else write.apply(changes, root)
    return BuildResult(registry, changes, written)


def render(registry: ResolvedRegistry, config: Config, read: Callable[[str], bytes | None] | None = None) -> dict[str, bytes]:
    """Every configured target's outputs, all in memory: nothing is written until all succeeded.

    ``read`` is how a target reads an existing project file (the go target's block mode
    edits one): by default from the project root; the git hook reads the index instead.
    """
    from regc import targets

    outputs: dict[str, bytes] = {}
    for target, options in targets.configured(config, read):
        for path, data in target.render(registry, options).items():
            if path in outputs:
                raise InputError.at(str(config.file or "config"), 1, f"two targets write {path!r}; give one of them another path")
            outputs[path] = data
    return outputs
