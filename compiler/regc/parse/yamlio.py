"""Load YAML into values that remember where they came from.

Every YAML input of regc (front matter, ``registry.yaml``, ``policy.yaml``)
goes through ``load``. It composes ruamel.yaml's node graph (YAML 1.2, safe
constructors only) and converts it to ``YMap`` / ``YSeq`` / ``YScalar`` with
line numbers, refusing what a registry never needs and an attacker would use:
anchors and aliases (billion laughs), duplicate keys, non-scalar keys, custom
tags, several documents, absurd nesting.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import warnings
from typing import TYPE_CHECKING, Any

from regc.errors import InputError
from regc.parse.raw import Pos

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_DEPTH = 64
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclasses.dataclass(frozen=True)
class YScalar:
    value: Any
    text: str
    pos: Pos


@dataclasses.dataclass(frozen=True)
class YSeq:
    items: tuple[YNode, ...]
    pos: Pos


@dataclasses.dataclass(frozen=True)
class YMap:
    items: tuple[tuple[YScalar, YNode], ...]
    pos: Pos

    def get(self, key: str) -> YNode | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def keys(self) -> Iterator[YScalar]:
        return (k for k, _ in self.items)


YNode = YScalar | YSeq | YMap


def load(text: str, file: str, *, first_line: int = 1) -> YNode | None:
    """Parse one YAML document; ``None`` for an empty one. Errors are ``InputError`` at file:line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from regc.io.source import check_document

    check_document(text, file, pipes=False)
    yaml = YAML(typ="safe", pure=True)
    deep_flow = _DEEP_FLOW.search(text)
    if deep_flow is not None:
        # ruamel's scanner reads a flow collection to its end before the first event, in time quadratic in
        # its depth: 10,000 `[` took 2 s. Only the text up to the 65th opening bracket is read for its depth.
        deep = _depth_error(yaml, text[: deep_flow.end()], file, first_line)
        if deep is not None:
            raise deep
    try:
        with warnings.catch_warnings():  # ruamel warns (to stderr, with its source line) on a reused anchor: ours is the error
            warnings.simplefilter("ignore")
            nodes = list(yaml.compose_all(text))
    except RecursionError:
        # ruamel composes recursively: nesting in the hundreds exhausts Python's stack before
        # the converter's depth check could say where. Its event parser is not recursive.
        raise _depth_error(yaml, text, file, first_line) or InputError.at(file, first_line, _DEPTH_MESSAGE) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        col = (mark.column + 1) if mark else 1
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        if "end of stream" in problem:
            problem += "; the file ends too early (cut off, or a quote or bracket left open)"
        raise InputError.at(file, line, f"malformed YAML: {problem}", col) from None
    except YAMLError as exc:
        raise InputError.at(file, first_line, f"malformed YAML: {exc}") from None
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + first_line
        raise InputError.at(file, line, "several YAML documents in one file; keep one (remove the extra `---`)")
    if not nodes or nodes[0] is None:
        return None
    return _Converter(yaml, file, first_line).convert(nodes[0], 0)


#: MAX_DEPTH + 1 opening brackets with no closing one between them: flow collections at least that deep.
_DEEP_FLOW = re.compile(rf"(?:[\[{{][^\[\]{{}}]*){{{MAX_DEPTH + 1}}}")


def _depth_error(yaml: Any, text: str, file: str, first_line: int) -> InputError | None:
    """The error for a document nested past ``MAX_DEPTH``, at the collection that passes it; None if it is not."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in yaml.parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    mark = event.start_mark
                    return InputError.at(file, mark.line + first_line, _DEPTH_MESSAGE, mark.column + 1)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except Exception:  # a syntax error before any deep part: composing reports it
        return None
    return None


_DEPTH_MESSAGE = f"YAML nested deeper than {MAX_DEPTH} levels; a regc file needs a few: flatten it"


class _Converter:
    def __init__(self, yaml: Any, file: str, first_line: int) -> None:
        self.yaml = yaml
        self.file = file
        self.first_line = first_line
        self.seen: set[int] = set()

    def pos(self, node: Any) -> Pos:
        return Pos(node.start_mark.line + self.first_line, node.start_mark.column + 1)

    def fail(self, node: Any, message: str) -> InputError:
        pos = self.pos(node)
        return InputError.at(self.file, pos.line, message, pos.col)

    def convert(self, node: Any, depth: int) -> YNode:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        if id(node) in self.seen or getattr(node, "anchor", None):
            raise self.fail(node, "YAML anchors and aliases (&name, *name) are not allowed in regc files; write the value out")
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.fail(node, _DEPTH_MESSAGE)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            self.check_tag(node, "tag:yaml.org,2002:seq")
            return YSeq(tuple(self.convert(item, depth + 1) for item in node.value), self.pos(node))
        if isinstance(node, MappingNode):
            self.check_tag(node, "tag:yaml.org,2002:map")
            items: list[tuple[YScalar, YNode]] = []
            seen_keys: dict[Any, Pos] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise self.fail(key_node, "a mapping key must be a plain scalar (a name), not a list or a mapping")
                key = self.scalar(key_node)
                if key.value == "<<":
                    raise self.fail(key_node, "YAML merge keys (<<) are not allowed in regc files")
                hashable = key.value if not isinstance(key.value, (list, dict)) else key.text
                if hashable in seen_keys:
                    first = seen_keys[hashable]
                    raise self.fail(key_node, f"duplicate key {key.text!r} (first at line {first.line})")
                seen_keys[hashable] = key.pos
                items.append((key, self.convert(value_node, depth + 1)))
            return YMap(tuple(items), self.pos(node))
        raise self.fail(node, "unsupported YAML node")  # pragma: no cover

    def check_tag(self, node: Any, expected: str) -> None:
        if node.tag != expected:
            raise self.fail(node, _tag_message(node.tag))

    def scalar(self, node: Any) -> YScalar:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, _tag_message(node.tag))
        try:
            value = self.yaml.constructor.construct_object(node, deep=True)
        except Exception as exc:  # ruamel raises assorted errors for bad scalars (e.g. 2026-13-45)
            raise self.fail(node, f"cannot read YAML value {node.value!r}: {exc}") from None
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a "\ud800" escape: a lone surrogate is not text
                message = "string contains a lone UTF-16 surrogate (an escape like \\ud800); write the character itself"
                raise self.fail(node, message) from None
        if isinstance(value, datetime.datetime):
            value = value.date() if value.time() == datetime.time() else value
        return YScalar(value, str(node.value), self.pos(node))


def _tag_message(tag: str) -> str:
    if tag == "tag:yaml.org,2002:merge":
        return "YAML merge keys (<<) are not allowed in regc files; write the keys out"
    return f"YAML tag {tag!r} is not allowed in regc files; remove the `!` tag and write a plain value"


def to_python(node: YNode | None) -> Any:
    """Plain Python values (dict, list, scalars) of a loaded node."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSeq):
        return [to_python(item) for item in node.items]
    return {key.value: to_python(value) for key, value in node.items}


def locate(node: YNode | None, loc: tuple[int | str, ...]) -> Pos | None:
    """The position of the value at a pydantic error location (``("aliases", "x", "primary")``)."""
    found = node.pos if node is not None else None
    for part in loc:
        if isinstance(node, YMap):
            for key, value in node.items:
                if key.value == part or key.text == str(part):
                    node, found = value, value.pos
                    break
            else:
                return found
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node.items):
            node = node.items[part]
            found = node.pos
        else:
            return found
    return found
