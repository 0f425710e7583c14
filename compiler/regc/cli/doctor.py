"""``doctor``: is this environment ready to run the gateways the configured targets generate?

The documented pre-start step (docs/deploy.md: a container's entrypoint, a Helm hook). What it looks at is gathered
once (``Setup``); each check is a small function of it that returns the problems it finds, each with its fix, and
``CHECKS`` lists them in the order they print:

- ``variable``: every environment variable a configured target's output references is set and not blank; for
  litellm, every ``os.environ/NAME`` of the generated file, read from the file as the proxy resolves them;
- ``master-key``: the LiteLLM proxy has a master key and its variable is set (without one it answers anyone);
- ``shared-key``: no key variable goes to two providers (one of them would receive the other's key);
- ``openai-key``: no deployment on an OpenAI-compatible route lacks an ``api_key``: LiteLLM 1.102.4 sends
  ``OPENAI_API_KEY`` in its place (to moonshot, perplexity, groq, mistral, xai, a self-hosted server, ...);
- ``litellm-version``: with ``--target litellm`` (the proxy runs here), the installed LiteLLM is the version regc
  pins (its ``conformance`` extra: the version the litellm target is proven on);
- ``stale-output``: the outputs on disk are what the registry generates (``regc check``'s drift; nothing written).

``--litellm-config PATH`` checks a LiteLLM config file alone, as in a container image that ships only
``targets/litellm/config.yaml``: no configuration or registry is read, and the proxy is taken to run here.
Exit 0 ready, 1 problems, 2 bad input. Never cached: its answer is the environment's.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import click

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, Context, pass_context, registry_option, user_path
from regc.errors import InputError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from regc.model.config import Config
    from regc.parse.yamlio import YMap, YNode, YScalar

ENV_PREFIX = "os.environ/"
#: ``litellm_params`` that hold a credential (``api_key``, ``aws_secret_access_key``, ``vertex_credentials``, ...).
CREDENTIAL = re.compile(r"key|secret|credential|token|password")


@dataclass
class Need:
    """One environment variable a target's output reads."""

    variable: str
    target: str
    needed_by: list[str]
    ready: bool

    @property
    def state(self) -> str:
        return _state(self.variable)


@dataclass(frozen=True)
class Problem:
    """One thing that keeps the gateway from starting safely, and how to fix it."""

    check: str  # the check's id (CHECKS)
    subject: str  # what it is about: a target, or an output file
    problem: str
    fix: str

    @property
    def line(self) -> str:
        return f"{self.subject}: {self.problem}; {self.fix}"


@dataclass(frozen=True)
class LitellmDeployment:
    """One ``model_list`` entry of a LiteLLM config: what the checks need of it."""

    group: str
    model: str
    api_base: str | None
    variables: dict[str, str]  # litellm_params key -> the variable of its os.environ/ reference
    keyed: bool  # it has an api_key (a reference or, in a hand-written file, a literal)

    @property
    def route(self) -> str:
        return self.model.split("/", 1)[0]

    @property
    def destination(self) -> str:
        """Where its requests go: the host (and port) of its api_base, else the host LiteLLM's route calls."""
        from urllib.parse import urlsplit

        from regc.model.providers import BUILTIN

        base = self.api_base or next((p.api_base for p in BUILTIN.values() if p.litellm == self.route and p.api_base), None)
        if base is None:
            return self.route
        try:
            url = urlsplit(base)
            return f"{url.hostname}:{url.port}" if url.port else url.hostname or self.route
        except ValueError:
            return self.route


@dataclass(frozen=True)
class LitellmFile:
    """A LiteLLM proxy config, as far as the environment it needs goes."""

    display: str
    deployments: list[LitellmDeployment]
    master_key: str | None  # the variable of general_settings.master_key
    master_key_written: bool  # general_settings.master_key is there at all


@dataclass
class Setup:
    """What the checks look at: gathered once, judged by each check."""

    needs: list[Need] = field(default_factory=list)
    litellm: LitellmFile | None = None
    runs_here: set[str] = field(default_factory=set)  # targets whose program runs in this environment (--target)
    config: Config | None = None  # None: a LiteLLM file alone (--litellm-config), no registry


# --- the checks ---------------------------------------------------------------------------------------------


def missing_variables(setup: Setup) -> list[Problem]:
    master = setup.litellm.master_key if setup.litellm else None
    return [Problem("variable", need.target, f"{need.variable} {need.state} (needed by {_users(need.needed_by)})",
                    f"set {need.variable} in the gateway's environment before it starts")
            for need in setup.needs if not need.ready and not (need.target == "litellm" and need.variable == master)]


def master_key(setup: Setup) -> list[Problem]:
    served = setup.litellm
    if served is None:
        return []
    if served.master_key is not None:
        if _set(served.master_key):
            return []
        return [Problem("master-key", "litellm", f"{served.master_key} {_state(served.master_key)} (the proxy's master key: "
                                                 "without it the proxy answers anyone, with no authentication)",
                        f"set {served.master_key} in the gateway's environment before it starts")]
    if served.master_key_written:
        return [Problem("master-key", "litellm", f"{served.display}: general_settings.master_key is written in the file",
                        "put the key in an environment variable and write `master_key: os.environ/LITELLM_MASTER_KEY` "
                        "(what regc's litellm target writes)")]
    if _set("LITELLM_MASTER_KEY"):
        return []  # the proxy reads it from the environment by itself
    return [Problem("master-key", "litellm", f"{served.display} has no general_settings.master_key and LITELLM_MASTER_KEY "
                                             "is not set: the proxy would answer anyone, with no authentication",
                    "build the file with regc's litellm target (it writes `master_key: os.environ/LITELLM_MASTER_KEY`) "
                    "and set LITELLM_MASTER_KEY")]


def shared_keys(setup: Setup) -> list[Problem]:
    served = setup.litellm
    if served is None:
        return []
    destinations: dict[str, dict[str, list[str]]] = {}  # variable -> destination -> groups
    for deployment in served.deployments:
        for param, variable in deployment.variables.items():
            if CREDENTIAL.search(param):
                destinations.setdefault(variable, {}).setdefault(deployment.destination, []).append(f"model group {deployment.group!r}")
    return [Problem("shared-key", "litellm",
                    f"{variable} is the key of {len(where)} providers ("
                    + "; ".join(f"{host}: {_users(groups)}" for host, groups in sorted(where.items()))
                    + "): each would receive the key meant for the other",
                    "give each provider its own variable (`api_key_env` in [providers.NAME] of the configuration)")
            for variable, where in sorted(destinations.items()) if len(where) > 1]


def openai_key_fallback(setup: Setup) -> list[Problem]:
    from regc.targets.litellm import OPENAI_FORMAT_ROUTES

    served = setup.litellm
    if served is None:
        return []
    found = []
    for deployment in served.deployments:
        if deployment.keyed or deployment.route not in OPENAI_FORMAT_ROUTES:
            continue
        if deployment.route == "openai" and deployment.api_base is None:
            continue  # OpenAI itself: OPENAI_API_KEY is its key
        found.append(Problem("openai-key", "litellm",
                             f"model group {deployment.group!r} ({deployment.model} at {deployment.destination}) has no api_key: "
                             "LiteLLM 1.102.4 sends OPENAI_API_KEY there in its place (or no key at all)",
                             "give its provider a key variable (`api_key_env` in [providers.NAME] of the configuration, any "
                             "variable even for a server that needs no key; in a hand-written file `api_key: os.environ/VAR`)"))
    return found


def litellm_version(setup: Setup) -> list[Problem]:
    if "litellm" not in setup.runs_here:
        return []
    from importlib import metadata

    pinned = pinned_litellm()
    if pinned is None:
        return [Problem("litellm-version", "litellm", "regc's package metadata names no pinned LiteLLM version (regc is not "
                                                      "installed as a package here)",
                        "install regc with pip (`pip install 'regc[conformance]'` pins the proxy it is proven on)")]
    try:
        installed = metadata.version("litellm")
    except metadata.PackageNotFoundError:
        return [Problem("litellm-version", "litellm", f"LiteLLM is not installed here (regc's litellm target is proven on {pinned})",
                        f"install it: pip install 'litellm[proxy]=={pinned}'")]
    if installed != pinned:
        return [Problem("litellm-version", "litellm", f"LiteLLM {installed} is installed; regc's litellm target is proven on {pinned}",
                        f"install that one: pip install 'litellm[proxy]=={pinned}'")]
    return []


def stale_outputs(setup: Setup) -> list[Problem]:
    if setup.config is None:
        return []
    from regc import pipeline

    result = pipeline.build(setup.config, check=True)  # renders and compares in memory: nothing is written
    states = {"create": "missing", "update": "differs from what the registry generates",
              "remove": "no target generates it any more (regc.outputs lists it)"}
    return [Problem("stale-output", change.path, states[change.status],
                    "run `regc build` and deploy the outputs it writes") for change in result.stale]


#: Every check, in the order its problems print.
CHECKS: list[Callable[[Setup], list[Problem]]] = [missing_variables, master_key, shared_keys, openai_key_fallback, litellm_version,
                                                  stale_outputs]


# --- the command ---------------------------------------------------------------------------------------------


@click.command()
@registry_option
@click.option("--litellm-config", "litellm_config", metavar="PATH",
              help="check this LiteLLM config file alone (no configuration or registry read; the proxy runs here)")
@click.option("--target", "only", multiple=True, metavar="NAME",
              help="check only this target's needs, and that its program can run here (repeatable)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="how the result is printed")
@pass_context
def doctor(obj: Context, *, registry: str | None, litellm_config: str | None, only: tuple[str, ...], fmt: str) -> int:
    """Check the environment the generated gateway configs need, before the gateway starts."""
    setup = from_file(litellm_config, only, registry) if litellm_config is not None else from_registry(obj, registry, only)
    problems = [problem for check in CHECKS for problem in check(setup)]
    variables = _variables(setup)
    missing = sum(not ready for ready in variables.values())
    if fmt == "json":
        document = {"ready": not problems, "variables": [asdict(need) for need in setup.needs],
                    "problems": [asdict(problem) for problem in problems]}
        obj.out(json.dumps(document, indent=2) + "\n")
    else:
        obj.out("".join(problem.line + "\n" for problem in problems))
    if problems:
        obj.log(f"regc doctor: {len(problems)} problem(s); {missing} of {len(variables)} environment variables are missing",
                fg="red")
        return EXIT_FINDINGS
    obj.log(f"regc doctor: ready ({len(variables)} environment variables set)")
    return EXIT_OK


def from_registry(obj: Context, registry: str | None, only: tuple[str, ...]) -> Setup:
    """The configured targets' needs; litellm's read from the file it generates (rendered in memory, not written)."""
    from regc import pipeline
    from regc.targets import configured

    config = obj.configured("doctor", registry)  # no configuration: no targets to check, exit 2 naming `regc init`
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    pipeline.check_providers(resolved, config)
    targets = configured(config)
    _known_targets(only, [target.name for target, _ in targets])
    setup = Setup(runs_here=set(only), config=config)
    for target, options in targets:
        if only and target.name not in only:
            continue
        if target.name == "litellm":
            (path, data), = target.render(resolved, options).items()
            setup.litellm = read_litellm(data, path)
            setup.needs += litellm_needs(setup.litellm)
            continue
        for variable, users in sorted(target.environment(resolved, options).items()):
            setup.needs.append(Need(variable, target.name, sorted(set(users)), _set(variable)))
    return setup


def from_file(path: str, only: tuple[str, ...], registry: str | None) -> Setup:
    """A LiteLLM config file alone: its variables are the ones the proxy reading it needs, and the proxy runs here."""
    from regc.io.source import MAX_BYTES, read_bytes

    if registry is not None:
        raise UsageError("--litellm-config checks a LiteLLM config file alone; --registry has no meaning with it (drop one)")
    _known_targets(only, ["litellm"])
    location = user_path(path)
    try:
        data = read_bytes(location, path, MAX_BYTES)
    except FileNotFoundError:
        raise UsageError(f"--litellm-config {path!r}: no such file; give the path of the LiteLLM config the proxy reads") from None
    served = read_litellm(data, path)
    return Setup(needs=litellm_needs(served), litellm=served, runs_here={"litellm"})


def _known_targets(only: tuple[str, ...], names: list[str]) -> None:
    from regc.parse.suggest import nearest

    for name in only:
        if name not in names:
            near = nearest(name, names)
            hint = f"; did you mean {near!r}?" if near else f"; configured: {', '.join(names) or 'none'}"
            raise UsageError(f"--target {name!r} is not a configured target{hint}")


def litellm_needs(served: LitellmFile) -> list[Need]:
    """Every ``os.environ/`` reference of the file, each with the model groups that read it, the master key first."""
    users: dict[str, list[str]] = {}
    if served.master_key is not None:
        users[served.master_key] = ["the proxy itself: its master key"]
    for deployment in served.deployments:
        for variable in deployment.variables.values():
            users.setdefault(variable, []).append(f"model group {deployment.group!r}")
    return [Need(variable, "litellm", list(dict.fromkeys(groups)), _set(variable)) for variable, groups in users.items()]


# --- reading a LiteLLM config -------------------------------------------------------------------------------


def read_litellm(data: bytes, display: str) -> LitellmFile:
    """The deployments and master key of a LiteLLM config; what is not a LiteLLM config is refused at file:line:col."""
    from regc.parse import yamlio

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.at(display, 1, f"not UTF-8 text (byte {exc.start}); give the LiteLLM config file") from None
    root = yamlio.load(text, display)
    top = _mapping(root, display, "a LiteLLM config (a mapping with `model_list`)")
    models = top.get("model_list")
    if not isinstance(models, yamlio.YSeq):
        raise InputError.at(display, (models or top).pos.line, "`model_list` must be a list of deployments; is this a LiteLLM config?",
                            (models or top).pos.col)
    deployments = [_deployment(entry, display) for entry in models.items]
    general = top.get("general_settings")
    written = general.get("master_key") if isinstance(general, yamlio.YMap) else None
    if isinstance(written, yamlio.YScalar):
        _check_reference(written, "general_settings.master_key", display)
    master = _reference(written.value) if isinstance(written, yamlio.YScalar) else None
    return LitellmFile(display, deployments, master, written is not None and getattr(written, "value", None) is not None)


def _deployment(entry: YNode, display: str) -> LitellmDeployment:
    from regc.parse import yamlio

    node = _mapping(entry, display, "a deployment (`model_name` and `litellm_params`)")
    name, params = node.get("model_name"), node.get("litellm_params")
    if not isinstance(name, yamlio.YScalar) or not isinstance(name.value, str):
        raise InputError.at(display, node.pos.line, "a deployment needs `model_name`, the model group's name", node.pos.col)
    table = _mapping(params, display, f"`litellm_params` of {name.value!r} (a mapping with `model`)") if params else None
    model = table.get("model") if table else None
    if table is None or not isinstance(model, yamlio.YScalar) or not isinstance(model.value, str):
        raise InputError.at(display, node.pos.line, f"deployment {name.value!r} needs `litellm_params.model`", node.pos.col)
    values = {key.value: value.value for key, value in table.items if isinstance(value, yamlio.YScalar)}
    for key, value in table.items:
        if isinstance(value, yamlio.YScalar):
            _check_reference(value, f"{name.value!r} litellm_params.{key.value}", display)
    variables = {str(k): var for k, v in values.items() if (var := _reference(v)) is not None}
    api_base = values.get("api_base")
    return LitellmDeployment(name.value, model.value, api_base if isinstance(api_base, str) else None, variables,
                             values.get("api_key") not in (None, ""))


def _mapping(node: YNode | None, display: str, what: str) -> YMap:
    from regc.parse import yamlio

    if not isinstance(node, yamlio.YMap):
        pos = node.pos if node is not None else None
        raise InputError.at(display, pos.line if pos else 1, f"expected {what}", pos.col if pos else 1)
    return node


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_reference(node: YScalar, where: str, display: str) -> None:
    """An ``os.environ/`` value must name a variable: LiteLLM reads ``os.environ/`` alone as an empty name."""
    value = node.value
    if isinstance(value, str) and value.startswith(ENV_PREFIX) and not _VARIABLE.fullmatch(value.removeprefix(ENV_PREFIX)):
        raise InputError.at(display, node.pos.line, f"{where}: {value!r} names no environment variable; expected "
                            f"{ENV_PREFIX}NAME (letters, digits and _)", node.pos.col)


def _reference(value: object) -> str | None:
    """The variable an ``os.environ/NAME`` value names, else None."""
    if isinstance(value, str) and value.startswith(ENV_PREFIX):
        return value.removeprefix(ENV_PREFIX)
    return None


# --- small helpers -----------------------------------------------------------------------------------------


def pinned_litellm() -> str | None:
    """The LiteLLM version regc pins (``litellm[proxy]==X`` in its conformance extra), from its installed metadata."""
    from importlib import metadata

    try:
        requirements = metadata.requires("regc") or []
    except metadata.PackageNotFoundError:
        return None
    for requirement in requirements:
        found = re.match(r"litellm(\[[^\]]*\])?\s*==\s*([^\s;,]+)\s*;.*extra\s*==\s*[\"']conformance[\"']", requirement)
        if found:
            return found[2]
    return None


def _variables(setup: Setup) -> dict[str, bool]:
    return {need.variable: need.ready for need in setup.needs}


def _set(variable: str) -> bool:
    return bool(os.environ.get(variable, "").strip())


def _state(variable: str) -> str:
    """Why an unready variable is not ready (``_set`` is false)."""
    return "is set but blank" if variable in os.environ else "is not set"


def _users(users: list[str]) -> str:
    more = f" and {len(users) - 3} more" if len(users) > 3 else ""
    return ", ".join(users[:3]) + more


COMMANDS = [doctor]
