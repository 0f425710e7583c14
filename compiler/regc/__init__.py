"""regc: the compiler and policy checker for an AI model routing registry.

Library first: ``regc.load("registry.md")`` gives the resolved registry, and
``.resolve("reasoning")`` an alias's chain (primary, then fallbacks in
order). The command line is a thin layer over the same functions.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

__version__ = "0.1.0"
#: Where regc is published; rule docs (docs/rules.md) and SARIF links point under it. Keep [project.urls] in step.
HOMEPAGE = "https://github.com/koder-ai/regc"
__all__ = ["__version__", "load"]

if TYPE_CHECKING:
    from pathlib import Path

    from regc.resolve import ResolvedRegistry


def load(path: str | Path) -> ResolvedRegistry:
    """Read, validate and resolve a registry file (``.md`` or ``.yaml``); ``InputError`` if it has no meaning."""
    from regc.pipeline import load as _load

    return _load(path)
