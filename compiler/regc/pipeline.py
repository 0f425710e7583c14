"""The whole flow, top to bottom: read -> parse -> model -> resolve -> lint / targets -> write/check.

``regc.cli`` is a thin layer over the functions here, and ``regc.load`` is
``load`` below: the library and the command line run the same code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regc.errors import InputError, PluginError, RegcError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator, Mapping

    from regc.catalogs import Catalog
    from regc.io import write
    from regc.io.write import Change
    from regc.lint import LintResult
    from regc.lint.policy import Policy
    from regc.model import ModelRef
    from regc.model.config import Config
    from regc.model.openrouter import IdMap
    from regc.model.resolve import ResolvedRegistry
    from regc.parse.raw import RawRegistry
    from regc.targets import Target


def load(path: str | Path, *, display: str | None = None) -> ResolvedRegistry:
    """Read, parse, validate and resolve a registry (markdown or YAML)."""
    from regc.io.source import read_text

    path = Path(path)
    display = display or str(path)
    return load_text(read_text(path, display), display)


def load_text(text: str, display: str) -> ResolvedRegistry:
    """Parse, validate and resolve a registry's text (e.g. staged in git's index); ``display`` names it and picks the format."""
    return load_raw(parse(text, display))


def load_raw(raw: RawRegistry) -> ResolvedRegistry:
    """Validate and resolve a registry already parsed (``parse``): for a caller that also needs the parse itself."""
    from regc.model import build
    from regc.model.resolve import resolve

    with collector_paused():
        return resolve(build(raw))


def collector_paused() -> contextlib.AbstractContextManager[None]:
    """Pause CPython's cyclic garbage collector for one step, then restore it as it was.

    Parsing a large registry allocates some hundred thousand objects (parser tokens, cells,
    IR models) that all stay alive until the step ends. Every full collection rescans all of
    them and frees nothing (reference counting frees what dies, and these steps make no
    cycles worth collecting): that rescanning was 40% of a 10,000-alias build. Peak memory
    is the same with the collector paused (measured: ~215 MB either way).
    """
    return _collector(enabled=False)


def collector_running() -> contextlib.AbstractContextManager[None]:
    """Run the collector for one step inside a paused one: a step that makes cyclic garbage.

    ruamel.yaml's composed nodes hold cycles that only the collector frees: with it paused, a
    99,000-alias YAML registry peaked at 910 MB instead of 725 MB.
    """
    return _collector(enabled=True)


@contextlib.contextmanager
def _collector(*, enabled: bool) -> Iterator[None]:
    was_enabled = gc.isenabled()
    if enabled:
        gc.enable()
    else:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def parse(text: str, display: str) -> RawRegistry:
    """The front end for the file's suffix: ``.md`` markdown, ``.yaml``/``.yml`` YAML.

    Every registry text passes here, whatever it was read from (a file, git's index, a commit),
    so the size limits of ``regc.io.source.check_document`` hold for all of them: checked here for
    markdown, and by ``regc.parse.yamlio.load`` for YAML (as for every YAML file regc reads).
    """
    suffix = Path(display).suffix.lower()
    if suffix in {".md", ".markdown"}:
        from regc.io.source import check_document
        from regc.parse.markdown import parse_markdown

        check_document(text, display, pipes=True)
        with collector_paused():
            return parse_markdown(text, display)
    if suffix in {".yaml", ".yml"}:
        from regc.parse.yaml import parse_yaml

        with collector_running():
            return parse_yaml(text, display)
    raise InputError.at(display, 1, f"unknown registry format {suffix or '(no suffix)'!r}; use .md or .yaml")


@dataclasses.dataclass(frozen=True)
class BuildResult:
    registry: ResolvedRegistry
    changes: list[Change]
    written: list[Change]
    not_ours: tuple[str, ...] = ()  # outputs over an existing file regc did not write (a check's; a build refuses them)
    notices: tuple[str, ...] = ()  # "target: what it left out" (``Target.notices``), "registry: a model without a price"
    advice: dict[str, str] = dataclasses.field(default_factory=dict)  # not_ours path -> its target's advice (hand_written)

    @property
    def stale(self) -> list[Change]:
        return [c for c in self.changes if c.status != "same"]


def build(config: Config, *, check: bool = False, output_dir: Path | None = None, adopt: Collection[str] = ()) -> BuildResult:
    """Regenerate every configured target; write the ones that changed unless ``check``.

    ``adopt``: output paths whose existing files regc may overwrite although it did not write them
    (``regc build --adopt``; ``regc.io.write.plan`` refuses that otherwise).
    """
    with collector_paused():  # the whole build: re-enabling it between steps would rescan all that a step made, once
        return _build(config, check=check, output_dir=output_dir, adopt=adopt)


def _build(config: Config, *, check: bool, output_dir: Path | None, adopt: Collection[str]) -> BuildResult:
    from regc.io import atomic, write

    registry = load(config.registry_path, display=config.display(config.registry_path))
    settings: dict[str, str] = {}
    edited: set[str] = set()
    notices = unpriced(registry)
    outputs = generate(registry, config, settings=settings, edited=edited, notices=notices)
    unknown = sorted(set(adopt) - set(outputs))
    if unknown:
        from regc.errors import UsageError

        raise UsageError(f"--adopt {unknown[0]}: no configured target writes that path; the outputs are: {', '.join(sorted(outputs))}")
    root = output_dir or config.root
    if not check:
        try:  # the root exists before it is locked (a new --output-dir)
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from regc.errors import UsageError

            raise UsageError(f"cannot create the output directory {root}: {exc.strerror or exc}") from None
    # Builds of one project take turns (an exclusive lock on the root; --check shares it), so the
    # outputs on disk come from one registry even when two builds run at once.
    with atomic.locked(root, shared=check):
        locate = (lambda path: setting_line(config, settings.get(path, ""))) if config.file is not None else None
        # A file regc did not write is not overwritten (unless adopted); a check writes nothing, so it only compares.
        owned = None if check else {*edited, *adopt}
        changes = write.plan(outputs, root, policy=write_policy(config, root, locate), owned=owned,
                             advise=lambda path, existing: advice(config, settings, path, existing))
        if not check:
            _offer_adopted(config, settings, changes, edited)
        written = [] if check else write.apply(changes, root)
    not_ours = tuple(write.not_ours(changes, {*edited, *adopt})) if check else ()
    olds = {change.path: change.old for change in changes}
    return BuildResult(registry, changes, written, not_ours, tuple(notices),
                       {path: found for path in not_ours if (found := advice(config, settings, path, olds[path] or b""))})


def _offer_adopted(config: Config, settings: Mapping[str, str], changes: list[Change], edited: set[str]) -> None:
    """Each adopted file (one ``write.plan`` would refuse but for ``--adopt``) goes to its target's ``adopting``, which
    refuses it when the output would break what the file was part of (a Go file's package)."""
    from regc.io import write

    adopted = set(write.not_ours(changes, edited))
    for change in changes:
        if change.path in adopted and change.old is not None and (owner := _owner(config, settings.get(change.path, ""))):
            owner[0].adopting(change.path, change.old, owner[1])


def advice(config: Config, settings: Mapping[str, str], path: str, existing: bytes) -> str:
    """What the target that writes ``path`` (``settings``: path -> the setting that names it, as ``render`` fills it)
    advises about ``existing``, a file at that path that regc did not write: '' when it has nothing to add."""
    owner = _owner(config, settings.get(path, ""))
    return owner[0].hand_written(path, existing, owner[1]) if owner else ""


def _owner(config: Config, setting: str) -> tuple[Target[Any], Any] | None:
    """The configured target a setting (``targets.go.path``) belongs to, with its options; only for the rare file
    regc did not write, so the configuration is read again rather than kept from ``render``."""
    from regc import targets

    name = setting.split(".")[1] if setting.count(".") >= 2 else ""
    return next(((target, options) for target, options in targets.configured(config) if target.name == name), None)


def unpriced(registry: ResolvedRegistry) -> list[str]:
    """A notice for each routed model of a registry that has a Models table but no row for that model (a mistyped id,
    as often as not): every gateway gets it without a price. ``regc lint`` (``price-present``) fails on it; a build,
    which does not lint, still says so."""
    if not registry.registry.models:
        return []  # a registry without prices at all: nothing was dropped from one
    from regc.parse.suggest import nearest

    routed: dict[int, tuple[ModelRef, str]] = {}  # by identity: a reference is one shared object per text, mostly
    for alias in registry.aliases:
        for ref in registry.resolve(alias.name).models:  # the targets resolve the same chains: cached
            routed.setdefault(id(ref), (ref, alias.name))
    found: dict[str, str] = {}
    for ref, routed_by in routed.values():
        if registry.model(ref) is None and str(ref) not in found:
            near = nearest(str(ref), [str(model.ref) for model in registry.models])
            found[str(ref)] = (f"registry: `{ref}` (routed by `{routed_by}`) has no Models row, so no gateway gets a price "
                               "for it" + (f"; did you mean `{near}`?" if near else ""))
    return list(found.values())


def write_policy(config: Config, root: Path, locate: Callable[[str], tuple[str, int]] | None = None) -> write.Policy:
    """The write policy for outputs under ``root``: no output may be a file regc reads, or enter regc's cache."""
    from regc.io import write

    inputs = {config.registry_path: "the registry", config.policy_path: "the policy file"}
    if config.file is not None:
        inputs[config.file] = "the configuration file"
    catalog = _named_catalog(config)
    if catalog is not None:
        inputs[catalog] = "the catalog the policy names"
    protected = {config.root / config.settings.cache_dir: f"regc's cache directory ({config.settings.cache_dir})"}
    return write.Policy.at(root, inputs=inputs, protected=protected, locate=locate)


def _named_catalog(config: Config) -> Path | None:
    """The catalog file the policy names (``catalog:``), found without validating the policy: a build does not lint,
    and a policy with errors is ``regc lint``'s to report. None when there is none, or it cannot be told."""
    import re

    from regc.io import cache
    from regc.io.source import read_text

    path = config.policy_path
    if not path.is_file():
        cache.note(path, None)  # a policy created later may name a catalog
        return None
    display = config.display(path)
    try:
        text = read_text(path, display)
        if not re.search(r"(?m)(^|[{,]\s*)catalog\s*:", text):
            return None
        from regc.parse import yamlio

        document = yamlio.to_python(yamlio.load(text, display))
        spec = document.get("catalog") if isinstance(document, dict) else None
        if not isinstance(spec, str):
            return None
        from regc.catalogs import litellm_path, models_dev_path

        if spec == "litellm":
            return litellm_path()[0]
        if spec == "models.dev":
            return models_dev_path()
    except RegcError:  # an unreadable policy, or a named catalog that is not here (a UsageError): lint reports it
        return None
    return Path(spec) if Path(spec).is_absolute() else config.root / spec


def generate(registry: ResolvedRegistry, config: Config, read: Callable[[str], bytes | None] | None = None, *,
             settings: dict[str, str] | None = None, edited: set[str] | None = None,
             notices: list[str] | None = None) -> dict[str, bytes]:
    """Every file a build writes: the targets' outputs (``render``) and the manifest that lists the ones regc owns
    (``regc.io.manifest``: not a hand-written file a target edits a block of; ``edited`` receives those)."""
    from regc.io import manifest
    from regc.targets import header

    check_providers(registry, config)
    where: dict[str, str] = {} if settings is None else settings
    edited = set() if edited is None else edited
    outputs = render(registry, config, read, settings=where, edited=edited, notices=notices)
    outputs[manifest.NAME] = manifest.render((path for path in outputs if path not in edited), header(registry))
    where[manifest.NAME] = ""
    return outputs


def check_providers(registry: ResolvedRegistry, config: Config) -> None:
    """Refuse a provider table of the configuration whose kind lacks a field a gateway needs (an Azure provider without
    ``api_version``) or carries another kind's field, and one that nothing uses and that is one slip from a provider
    regc knows or the registry uses (``[providers.olama]``): its overrides would be dropped without a word."""
    configured = config.settings.providers
    if not configured or config.file is None:
        return
    from regc.errors import Diagnostic
    from regc.model.config import table_header
    from regc.model.providers import BUILTIN, PRESETS
    from regc.parse.suggest import one_edit

    table = config.providers()
    found = []
    for name in configured:
        problems = table[name].problems()
        if problems:
            file, line = setting_line(config, f"providers.{name}.{problems[0][0]}")  # the field's line, else the table's
            header = table_header(config.file.name, f"providers.{name}")
            found.append(Diagnostic(file, line, 1, f"provider {name!r} of kind {table[name].kind!r}: "
                                    f"{'; '.join(text for _, text in problems)}; fix {header} (docs/providers.md)"))
    if found:
        raise InputError(found)
    ir = registry.registry
    refs = [*(model.ref for model in ir.models),
            *(entry.ref for alias in ir.aliases for entry in (alias.primary, *alias.alternatives) if entry.ref is not None)]
    used = {ref.provider for ref in refs if ref.provider is not None}
    known = sorted({*BUILTIN, *PRESETS, *used})
    for name in configured:
        if name in used or name in BUILTIN or name in PRESETS:
            continue
        meant = next((provider for provider in known if one_edit(name, provider)), None)
        if meant is not None:
            file, line = setting_line(config, f"providers.{name}")
            found.append(Diagnostic(file, line, 1, f"unknown provider {name!r} in {table_header(config.file.name, f'providers.{name}')}: "
                                    f"no model reference in the registry uses it, so its settings would apply to nothing; "
                                    f"did you mean {meant!r}?"))
    if found:
        raise InputError(found)


def render(registry: ResolvedRegistry, config: Config, read: Callable[[str], bytes | None] | None = None, *,
           settings: dict[str, str] | None = None, edited: set[str] | None = None,
           notices: list[str] | None = None) -> dict[str, bytes]:
    """Every configured target's outputs, all in memory: nothing is written until all succeeded.

    ``read`` is how a target reads an existing project file (the go target's block mode
    edits one): by default from the project root; the git hook reads the index instead.
    ``settings``, when given, receives for each output path the setting that names it
    (``targets.go.path``, ``targets.sqlite.database``), for errors about that path; ``edited``
    the outputs that are hand-written files a target edits (read, then rewrote a part of).

    Output paths are in their one spelling (``regc.io.write.normal_path``), and the part of the
    write policy that the names alone decide holds here, wherever the files come from (disk,
    git's index, a commit): no two targets write one path, none writes the configuration,
    the registry or the policy, and none writes a file that another target edits (the go
    target's hand-written file in block mode).
    """
    from regc import targets
    from regc.io import write
    outputs: dict[str, bytes] = {}
    where: dict[str, str] = {}  # output path -> the setting that names it
    edits: dict[str, str] = {}  # project file a target read -> that target
    with collector_paused():  # the targets' modules and templates load while the whole IR is alive: paused for them too
        for target, options in targets.configured(config, read):
            target.read = _noting_reads(target.read, target.name, edits)
            rendered = _rendered(target, registry, options)
            if notices is not None:
                notices += [f"{target.name}: {notice}" for notice in getattr(target, "notices", ())]  # a plugin's may lack it
            for path, data in rendered.items():
                setting = f"targets.{target.name}.{_setting_of(path, options.model_dump())}"
                try:
                    normal = write.normal_path(path)
                except write.OutputPathError as exc:
                    raise _setting_error(config, setting, str(exc)) from None
                if normal in outputs:
                    raise _setting_error(config, setting, f"output path {normal!r} is also written by {where[normal]}; "
                                                          "give one of them another path")
                outputs[normal] = data
                where[normal] = setting
    inputs = input_names(config)
    for normal, setting in where.items():
        if normal in inputs:
            raise _setting_error(config, setting, f"output path {normal!r} is {inputs[normal]}, which regc reads; "
                                                  "an output never overwrites an input: give the target another path")
        editor = edits.get(normal)
        if editor is not None and editor != setting.split(".")[1]:
            raise _setting_error(config, setting, f"output path {normal!r} is the hand-written file the {editor} target "
                                                  "edits; give the target another path")
    if settings is not None:
        settings.update(where)
    if edited is not None:
        edited.update(path for path in outputs if edits.get(path) == where[path].split(".")[1])
    return outputs


def _noting_reads(read: Callable[[str], bytes | None], target: str, edits: dict[str, str]) -> Callable[[str], bytes | None]:
    import posixpath

    def noted(path: str) -> bytes | None:
        edits.setdefault(posixpath.normpath(path), target)
        return read(path)

    return noted


def input_names(config: Config) -> dict[str, str]:
    """The files regc reads or keeps, as project-relative paths in their one spelling (what the names alone can tell)."""
    import posixpath

    from regc.io import manifest

    found = {posixpath.normpath(config.settings.registry): "the registry", posixpath.normpath(config.settings.policy): "the policy file",
             manifest.NAME: "regc's list of the files it generated"}
    if config.file is not None and config.file.parent == config.root:
        found[config.file.name] = "the configuration file"
    return found


def _setting_error(config: Config, setting: str, message: str) -> RegcError:
    """An error about the output path a setting names: at the setting's line when the configuration is a file."""
    if config.file is None:
        from regc.errors import UsageError

        return UsageError(message)
    file, line = setting_line(config, setting)
    return InputError.at(file, line, message)


def _setting_of(path: str, options: dict[str, object]) -> str:
    """The option of a target that names output ``path``: one equal to it, else ``path`` (a directory, as schema's)."""
    return next((key for key, value in options.items() if value == path and key != "path"), "path")


def setting_line(config: Config, setting: str) -> tuple[str, int]:
    """The configuration file (as shown to the user) and the line of a dotted setting, for an error about it.

    Only for a configuration read from a file; without one there is no line to point at.
    """
    from regc.model.config import display_path, key_line

    assert config.file is not None
    text = config.text if config.text is not None else config.file.read_text(encoding="utf-8")
    prefix = "tool.regc." if config.file.name == "pyproject.toml" else ""
    return display_path(config.file), key_line(text, prefix + setting) if setting else 1


def _rendered(target: Target[Any], registry: ResolvedRegistry, options: Any) -> dict[str, bytes]:
    """A target's outputs; an exception from a plugin's target is that plugin's bug and says so (exit 3)."""
    if type(target).__module__.startswith("regc."):
        return target.render(registry, options)  # a built-in target that raises is regc's bug: the CLI's internal error
    try:
        return target.render(registry, options)
    except RegcError:
        raise
    except Exception as exc:
        raise PluginError("target", target.name, type(target).__module__, exc) from exc


def load_policy(config: Config, path: Path | None = None) -> Policy:
    """The policy in effect: ``path`` (which must exist), else the configured policy file, else none.

    The configured file may be missing while the setting is the default
    (``policy.yaml``): a project without a policy lints with the rules' defaults.
    """
    from regc.lint.policy import EMPTY
    from regc.lint.policy import load_policy as read_policy

    if path is not None:
        return read_policy(path, config.display(path))
    explicit = "policy" in config.settings.model_fields_set
    if not explicit and not config.policy_path.exists():
        from regc.io import cache

        cache.note(config.policy_path, None)  # creating it later must not replay this run
        return EMPTY
    return read_policy(config.policy_path, config.display(config.policy_path))


def lint(
    registry: ResolvedRegistry,
    config: Config,
    *,
    today: datetime.date | None = None,
    policy: Policy | None = None,
    text: str | None = None,
) -> LintResult:
    """Lint a resolved registry under the project's policy: what ``regc lint``, ``regc check`` and the git hook run.

    - ``registry``: from ``load(path)``, or ``load_text(staged_text, "registry.md")`` for what git's index holds;
    - ``config``: the project's configuration (its policy file and provider table);
    - ``today``: the date the date rules judge by (retired, deprecated, review, waiver expiry); default: today;
    - ``policy``: a policy already loaded, e.g. ``regc.lint.policy.parse_policy(staged_text, "policy.yaml")``;
      default: ``load_policy(config)``;
    - ``text``: the registry's source text, which ``no-inline-secret`` searches; default: the file at
      ``registry.registry.path`` (relative to the project root), if it can be read.

    When the policy names a catalog (``catalog: litellm``), its deprecation dates feed ``retired-model`` and
    ``deprecated-model``; a catalog that cannot be read is an ``InputError`` at the policy's ``catalog:`` line.

    Returns a ``LintResult``: ``findings`` in force, ``waived``, ``counts``, and ``failed(fail_severity)``,
    true when a finding in force is at least that severe (the CLI then exits 1). Raises ``InputError``
    (exit 2) for a policy or waiver without meaning: bad YAML, unknown rule ids, bad options, a waiver
    without a reason.
    """
    from regc.lint import run

    if policy is None:
        policy = load_policy(config)
    if text is None:
        text = _source_text(registry, config)
    check_providers(registry, config)
    catalog = policy_catalog(policy, config)
    return run(registry, policy=policy, today=today or datetime.date.today(), providers=config.providers(), text=text, catalog=catalog,
               config_file=config.file.name if config.file is not None else None)


def policy_catalog(policy: Policy, config: Config) -> Catalog | None:
    """The catalog the policy names (``catalog:``), read; None when it names none (then no catalog is read)."""
    if policy.file.catalog is None:
        return None
    from regc.catalogs import load_catalog

    where = policy.diagnostic(("catalog",), "catalog: ")
    ids = openrouter_ids(config).id_of if policy.file.catalog == "openrouter" else None
    return load_catalog(policy.file.catalog, root=config.root, where=where, openrouter=ids)


def openrouter_ids(config: Config) -> IdMap:
    """The OpenRouter id mapping the configuration's ``openrouter`` target uses (its ``models`` and ``ids`` options), so
    that ``--catalog openrouter`` compares exactly the models the target emits; the built-in one when it sets none."""
    from regc.model.openrouter import IdMap
    from regc.targets import configured
    from regc.targets.openrouter import OpenRouterOptions

    for _, options in configured(config):
        if isinstance(options, OpenRouterOptions):
            return options.id_map()
    return IdMap()


def _source_text(registry: ResolvedRegistry, config: Config) -> str | None:
    from regc.io import cache
    from regc.io.source import read_text

    path = Path(registry.registry.path)
    for candidate in (config.root / path, path) if not path.is_absolute() else (path,):
        if candidate.is_file():
            return read_text(candidate, registry.registry.path)
        cache.note(candidate, None)
    return None
