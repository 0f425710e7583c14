"""Errors that reach the user, and the positions they point at.

Every error a user can cause carries a file and line, so the CLI can print
``path:line:col: error: message`` and exit 2 without a traceback. Internal
errors (bugs) are everything else: the CLI reports those with exit 3.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclasses.dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem with an input file, at a position (1-based line and column)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: error: {self.message}"


class RegcError(Exception):
    """Base class of every error regc reports to the user (exit 2)."""

    exit_code = 2

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return ()

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics) or super().__str__()


class InputError(RegcError):
    """The registry, policy or config cannot be given a meaning.

    Carries every diagnostic found, sorted by position, so one run shows all
    structural problems at once (as a compiler does), not just the first.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._diagnostics = tuple(sorted(set(diagnostics)))
        assert self._diagnostics, "InputError needs at least one diagnostic"
        super().__init__(str(self))

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self._diagnostics

    @classmethod
    def at(cls, file: str, line: int, message: str, col: int = 1) -> InputError:
        return cls([Diagnostic(file, line, col, message)])


class UsageError(RegcError):
    """A command was called in a way that cannot work (a missing alias, a bad flag value)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return f"error: {self.message}"


class PluginError(RegcError):
    """Code installed beside regc (a plugin rule or target) failed: exit 3, naming the plugin, not regc."""

    exit_code = 3

    def __init__(self, kind: str, name: str, module: str, exc: BaseException) -> None:
        self.message = (f"the {kind} {name!r} from {module} raised {type(exc).__name__}: {exc}; "
                        f"this is a bug in that plugin, not in regc (rerun with -v for the traceback)")
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"regc: {self.message}"


class DiagnosticCollector:
    """Collects diagnostics for one file while a front end keeps going."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Diagnostic] = []

    def error(self, line: int, message: str, col: int = 1) -> None:
        self.items.append(Diagnostic(self.file, line, col, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)
