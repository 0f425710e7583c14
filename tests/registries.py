"""Hypothesis strategies for registries that carry hostile but valid strings (for the target tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from regc.errors import InputError
from regc.model import build
from regc.model.resolve import ResolvedRegistry, resolve
from regc.pipeline import parse

provider = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
model_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:@~+-]{0,20}", fullmatch=True)
reference = st.builds(lambda p, m: f"{p}/{m}", provider, model_id)
#: Any text: quotes, backticks, newlines, NUL, `{{ }}`, `*/`, `%`, every plane of Unicode (no lone surrogates).
free_text = st.text(max_size=60)
#: Alias names follow one grammar in both formats, `[A-Za-z0-9][A-Za-z0-9._-]*` (any other name is an input
#: error): here short ones, words YAML 1.1 reads as booleans, nulls, numbers or dates, and ones long enough
#: to change gofmt's alignment.
alias_name = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True),
    st.sampled_from(["yes", "No", "on", "OFF", "y", "null", "true", "1e3", "0x1F", "2026-01-01", "NaN", "inf", "0", "007"]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{30,70}", fullmatch=True),
)
price = st.one_of(
    st.decimals(min_value=0, max_value=1000, places=4).map(str),
    st.sampled_from(["free", "n/a", "0.20-0.60", "$0.04/image", "$0.006/min", "$15.00"]),
)


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar that loads back as exactly ``text``."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


@st.composite
def yaml_registries(draw: st.DrawFn) -> str:
    """A YAML registry: use-case and legacy aliases with arbitrary names, titles, notes and rationale, and prices."""
    names = draw(st.lists(alias_name, min_size=1, max_size=9, unique=True))
    use_case, legacy, primaries = ["aliases:"], ["legacy:"], []
    for name in names:
        primary = draw(reference)
        primaries.append(primary)
        alternatives = ", ".join(yaml_string(ref) for ref in draw(st.lists(reference, max_size=4)))
        if draw(st.booleans()):
            rationale = draw(st.dictionaries(free_text, free_text, min_size=1, max_size=2))
            use_case += [f"  {yaml_string(name)}:", f"    title: {yaml_string(draw(free_text))}", f"    primary: {yaml_string(primary)}",
                         f"    alternatives: [{alternatives}]", "    rationale:"]
            use_case += [f"      {yaml_string(key)}: {yaml_string(value)}" for key, value in rationale.items()]
        else:
            legacy += [f"  {yaml_string(name)}:", f"    resolves_to: {yaml_string(primary)}", f"    alternatives: [{alternatives}]",
                       f"    notes: {yaml_string(draw(free_text))}"]
    if len(use_case) == 1:
        use_case.append("  {}: {{primary: a/b}}".format(yaml_string(names[0] + " use-case")))
    models = ["models:"] + [
        f"  {yaml_string(ref)}: {{input: {yaml_string(draw(price))}, output: {yaml_string(draw(price))}}}" for ref in sorted(set(primaries))
    ]
    return "\n".join([*use_case, *(legacy if len(legacy) > 1 else []), *models]) + "\n"


def load_text(text: str) -> ResolvedRegistry | None:
    """What ``text`` means as ``registry.yaml``, exactly as ``regc.load`` reads it; None if it is an input error
    (two aliases of one name, an alias named like a reference that makes a cycle): nothing to generate then."""
    try:
        return resolve(build(parse(text, "registry.yaml")))
    except InputError:
        return None
