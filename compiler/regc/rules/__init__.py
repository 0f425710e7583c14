"""Lint rules: one module per rule, whose docstring is the rule's documentation.

A rule is a ``Rule`` subclass with an ``id``; defining the class registers it
(as targets do). Third-party rules register the same way from any module named
in the ``regc.rules`` entry-point group::

    [project.entry-points."regc.rules"]
    house-rules = "mypkg.regc_rules"

The module docstring is what ``regc explain RULE`` prints and what
``docs/rules.md`` shows: a one-line summary, the explanation, and a failing
and a passing example (small registries in ```` ```markdown ```` fences after
lines ``Fails...:`` and ``Passes...:``). The test suite lints both examples,
so a rule cannot ship without documentation that is true.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import importlib
import pkgutil
import re
import sys
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from regc.about import DOCS
from regc.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from regc.lint.context import LintContext

ENTRY_POINT_GROUP = "regc.rules"
#: Where the built-in rules' documentation lives (``docs/rules.md``, generated from the docstrings).
DOCS_URL = f"{DOCS}/rules.md"
#: The date the documentation examples are linted on (date rules need one to be reproducible).
EXAMPLES_TODAY = datetime.date(2026, 11, 22)

Severity = Literal["error", "warning", "info"]
Level = Literal["error", "warning", "info", "off"]
#: Most severe first; ``failed(level)`` compares positions in this tuple.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def at_least(severity: Severity, threshold: Severity) -> bool:
    """``severity`` is as severe as ``threshold`` or more."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)


@dataclasses.dataclass(frozen=True)
class Hit:
    """What a rule reports; the engine adds the rule id, the severity in effect, and waivers.

    ``file`` is the registry unless given (a waiver in ``policy.yaml`` is reported there).
    """

    message: str
    line: int
    col: int = 1
    alias: str | None = None
    model: str | None = None
    file: str | None = None
    #: This hit's own severity, for a rule whose findings grow more severe with time (``alias-sunset`` warns before a
    #: date and errors from it). None: the rule's level. A level the policy sets for the rule applies to every hit.
    severity: Severity | None = None


class RuleOptions(BaseModel):
    """Options every rule has (none); a rule's own ``Options`` adds to these."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=RuleOptions)


class Rule(Generic[OptionsT]):
    """Base class of every rule. Subclassing with an ``id`` registers the rule."""

    id: str
    default_severity: Severity = "error"
    Options: type[RuleOptions] = RuleOptions
    #: The rule's documentation page; None: the built-in docs page's section for ``id``.
    help_uri: str | None = None

    registry: ClassVar[dict[str, type[Rule[Any]]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "id" in cls.__dict__:
            if not RULE_ID.match(cls.id):
                raise TypeError(f"rule id {cls.id!r} of {cls.__qualname__} is not kebab-case")
            Rule.registry[cls.id] = cls

    def check(self, ctx: LintContext, options: OptionsT) -> Iterable[Hit]:
        raise NotImplementedError

    @property
    def doc(self) -> str:
        """The rule's documentation: its class docstring if it has one, else its module's."""
        text = type(self).__dict__.get("__doc__") or sys.modules[type(self).__module__].__doc__ or ""
        return _dedent_doc(text)

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.strip().split("\n", 1)[0].strip()

    @property
    def builtin(self) -> bool:
        return type(self).__module__.startswith(f"{__name__}.")

    @property
    def uri(self) -> str:
        return self.help_uri or f"{DOCS_URL}#{self.id}"


def _dedent_doc(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


@functools.lru_cache(maxsize=1)
def all_rules() -> Mapping[str, type[Rule[Any]]]:
    """Every installed rule class by id: this package's modules, then the entry-point group."""
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()
        except Exception as exc:  # a broken plugin is the environment's problem, reported like bad input
            raise InputError.at(f"entry point {entry.name} = {entry.value}", 1,
                                f"cannot load the {ENTRY_POINT_GROUP} plugin: {type(exc).__name__}: {exc}") from None
    return dict(sorted(Rule.registry.items()))


def builtin_rules() -> list[Rule[Any]]:
    return [cls() for cls in all_rules().values() if cls.__module__.startswith(f"{__name__}.")]
