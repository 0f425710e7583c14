"""regc: the compiler and policy checker for an AI model routing registry.

Library first: ``regc.load("registry.md")`` gives the resolved registry, and
``.resolve("reasoning")`` an alias's chain (primary, then fallbacks in
order). The command line is a thin layer over the same functions.
"""

from __future__ import annotations

from regc.about import HOMEPAGE, __version__

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

__all__ = ["HOMEPAGE", "__version__", "load"]

if TYPE_CHECKING:
    from pathlib import Path

    from regc.model.resolve import ResolvedRegistry


def load(path: str | Path) -> ResolvedRegistry:
    """Read, validate and resolve a registry file (``.md`` or ``.yaml``); ``InputError`` if it has no meaning."""
    from regc.pipeline import load as _load

    return _load(path)
