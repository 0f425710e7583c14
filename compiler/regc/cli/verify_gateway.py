"""``verify-gateway``: does a running LiteLLM proxy serve what the registry generates? (live drift)

``regc check`` proves that the config file in git agrees with the registry; a proxy can still serve something
else: models added or edited in its database through the admin UI or API, a proxy started from an older file, a
hand-patched ConfigMap. This command asks the proxy itself, through its API, and compares what it says with the
litellm target's output for the registry, model group by model group:

- ``GET /model/info``: every deployment: its model group (``model_name``), ``litellm_params.model`` and
  ``api_base``, and ``model_info``, where the keys regc writes (prices, ``mode``, ``max_input_tokens``,
  ``output_vector_size``) come back with the values in force. Keys regc does not write are the proxy's cost
  map's, not compared.
- ``GET /router/settings``: the fallbacks in force (``current_values.fallbacks``) and ``num_retries``.

Exit 0 same, 1 different (each difference named with its model group), 2 unreachable, refused or bad input.

Secrets: the key is read from an environment variable (``--key-env``, never argv, which ``ps`` shows) and sent
only to the URL given: redirects are refused, since urllib would carry the ``Authorization`` header to wherever
one points. Only named fields of the proxy's answers are read (never a deployment's whole ``litellm_params``,
where a key added through the API could sit), an ``api_base`` is printed without user info, query or fragment,
and the key's value is cut out of any text of the proxy's that is printed.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import click

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, Context, pass_context, registry_option
from regc.errors import UsageError

if TYPE_CHECKING:
    from urllib.error import HTTPError

    from regc.targets.litellm import Config

#: The most of an answer read: /model/info of a 10,000-deployment proxy is some tens of megabytes.
MAX_ANSWER = 256 * 1024 * 1024
#: ``model_info`` keys that are prices (reported as "price"); the other keys regc writes are reported as "model_info".
PRICE_KEY = re.compile(r"_cost_per_|_token_cost$")


@dataclass(frozen=True)
class Deployment:
    """One deployment, as the proxy serves it or the registry generates it: only the fields compared."""

    model: str | None
    api_base: str | None
    info: dict[str, object]


@dataclass(frozen=True)
class Gateway:
    """What a proxy serves: its deployments by model group, each alias's fallbacks, its router's retries."""

    groups: dict[str, list[Deployment]]
    fallbacks: dict[str, list[str]]
    num_retries: object


@dataclass(frozen=True)
class Difference:
    """One way the proxy differs from the registry's output."""

    group: str  # the model group: an alias, or a fallback model's group (``openai/gpt-5.5``), or ``router_settings``
    # Texts that come from the proxy are printed as Python literals (repr): a control character cannot reach the terminal.
    check: str  # missing | extra | deployments | model | api_base | price | model_info | fallbacks | fallback-order | router
    field: str | None
    expected: object  # what the registry generates
    live: object  # what the proxy serves

    @property
    def role(self) -> str:
        if self.group == "router_settings":
            return "router_settings"
        if self.check == "extra":
            return f"model group {self.group!r}"
        return f"fallback group {self.group!r}" if "/" in self.group else f"alias {self.group!r}"

    @property
    def message(self) -> str:
        if self.check == "missing":
            return f"{self.role}: not on the proxy (the registry generates it: {self.expected!r})"
        if self.check == "extra":
            return f"{self.role}: on the proxy ({_listed(self.live)}) but not generated from the registry"
        if self.check == "deployments":
            return f"{self.role}: {self.live} deployments on the proxy (load-balanced); the registry generates {self.expected}"
        if self.check == "fallback-order":
            return f"{self.role}: fallbacks in another order: the proxy tries {self.live}, the registry {self.expected}"
        if self.check == "fallbacks":
            return f"{self.role}: fallbacks {self.live} on the proxy, the registry generates {self.expected}"
        return f"{self.role}: {self.field} is {_shown(self.live)} on the proxy, the registry generates {_shown(self.expected)}"


def _listed(values: object) -> str:
    return ", ".join(repr(value) for value in values) if isinstance(values, list) else repr(values)


def _shown(value: object) -> str:
    return "absent" if value is None else repr(value)


@click.command("verify-gateway")
@registry_option
@click.option("--litellm", "url", metavar="URL", required=True, help="base URL of the running LiteLLM proxy (http or https)")
@click.option("--key-env", default="LITELLM_MASTER_KEY", show_default=True, metavar="VAR",
              help="environment variable holding the proxy's master key (never a key on the command line)")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=30.0, show_default=True, metavar="SECONDS",
              help="how long one request to the proxy may take")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="how the result is printed")
@pass_context
def verify_gateway(obj: Context, *, registry: str | None, url: str, key_env: str, timeout: float, fmt: str) -> int:
    """Compare a running LiteLLM proxy's model groups, models, prices and fallbacks with what the registry generates."""
    from regc import pipeline
    from regc.targets import configured
    from regc.targets.litellm import LitellmOptions, LitellmTarget, build

    base = gateway_url(url)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key_env):
        raise UsageError(f"--key-env {key_env!r} is not an environment variable's name; name the variable that holds the key")
    config = obj.configured("verify-gateway", registry)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    pipeline.check_providers(resolved, config)
    options = next((o for t, o in configured(config) if isinstance(t, LitellmTarget)), None)
    if not isinstance(options, LitellmOptions):
        raise UsageError("the configuration has no litellm target: add [targets.litellm] (with the options the proxy's "
                         "config was built with) so that regc knows what the proxy should serve")
    expected = build(resolved, options)
    key = os.environ.get(key_env, "").strip() or None
    live = read_gateway(base, Credentials(key, key_env), timeout)
    differences = compare(expected, live)
    shown = _printable(base)
    if fmt == "json":
        document = {"gateway": shown, "registry": config.display(config.registry_path), "same": not differences,
                    "differences": [{**asdict(d), "message": d.message} for d in differences]}
        obj.out(json.dumps(document, indent=2, default=str) + "\n")
    else:
        obj.out("".join(d.message + "\n" for d in differences))
    if key is None:
        obj.log(f"regc verify-gateway: warning: {shown} answered without a key ({key_env} is not set): "
                "it has no master key, so anyone who reaches it can use it", fg="yellow")
    if differences:
        groups = len({d.group for d in differences})
        obj.log(f"regc verify-gateway: {len(differences)} difference(s) in {groups} model group(s) between {shown} and "
                f"{config.display(config.registry_path)}; rebuild the proxy's config (`regc build`) and restart it, or "
                "remove what was added through its API", fg="red")
        return EXIT_FINDINGS
    obj.log(f"regc verify-gateway: {shown} serves what {config.display(config.registry_path)} generates "
            f"({len(expected.deployments)} model groups, {len(expected.fallbacks)} fallback chains)")
    return EXIT_OK


def gateway_url(url: str) -> str:
    """The proxy's base URL, without a trailing ``/``; anything but a plain http(s) URL is refused (exit 2)."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UsageError(f"--litellm {url!r} contains spaces or control characters; give the proxy's URL, e.g. http://127.0.0.1:4000")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise UsageError(f"--litellm {url!r} is not a URL ({exc}); give the proxy's URL, e.g. http://127.0.0.1:4000") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"--litellm {url!r} is not an http:// or https:// URL with a host; give the proxy's URL, "
                         "e.g. http://127.0.0.1:4000")
    if parts.username is not None or parts.password is not None:
        raise UsageError("--litellm may not carry credentials (user:key@host): the command line is visible to every "
                         "user of the machine; put the key in LITELLM_MASTER_KEY (or the variable --key-env names)")
    if parts.query or parts.fragment:
        raise UsageError(f"--litellm {_printable(url)!r} has a query or fragment; give the proxy's base URL only")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _printable(url: str) -> str:
    """A URL as it may be printed: no user info, query or fragment (where a key could be)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "(not a URL)"
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


# --- reading the proxy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    key: str | None
    variable: str

    def redact(self, text: str) -> str:
        return text.replace(self.key, f"<{self.variable}>") if self.key else text


def _opener() -> Any:
    """urllib's opener, refusing redirects (urllib imported here: every command imports this module, few use it)."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:  # noqa: PLR0917 - urllib's
            raise UsageError(f"{_printable(req.full_url)} redirects ({code}) to {_printable(newurl)}; regc does not follow "
                             "redirects (the key would go along): give that URL to --litellm if it is the proxy")

    return urllib.request.build_opener(NoRedirect)


def read_gateway(base: str, credentials: Credentials, timeout: float) -> Gateway:
    """The proxy's deployments and router settings, read through its API."""
    info = _get(base, "/model/info", credentials, timeout)
    settings = _get(base, "/router/settings", credentials, timeout)
    rows = info.get("data") if isinstance(info, dict) else None
    values = settings.get("current_values") if isinstance(settings, dict) else None
    if not isinstance(rows, list) or not isinstance(values, dict):
        raise UsageError(f"{_printable(base)} does not answer as a LiteLLM proxy does (/model/info without `data`, or "
                         "/router/settings without `current_values`); give the URL of a LiteLLM proxy (1.102.4 or later)")
    groups: dict[str, list[Deployment]] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("model_name"), str):
            continue
        params, model_info = _table(row.get("litellm_params")), _table(row.get("model_info"))
        groups.setdefault(row["model_name"], []).append(Deployment(_text(params.get("model")), _text(params.get("api_base")), model_info))
    fallbacks: dict[str, list[str]] = {}
    for entry in values.get("fallbacks") or []:
        if isinstance(entry, dict):
            for alias, chain in entry.items():
                fallbacks[str(alias)] = [str(name) for name in chain] if isinstance(chain, list) else [str(chain)]
    return Gateway(groups, fallbacks, values.get("num_retries"))


def _table(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _get(base: str, path: str, credentials: Credentials, timeout: float) -> Any:
    """One GET of the proxy's API, as JSON; every way it can fail is a UsageError (exit 2) that names the fix."""
    import urllib.error
    import urllib.request

    headers = {"Accept": "application/json", "User-Agent": "regc verify-gateway"}
    if credentials.key:
        headers["Authorization"] = f"Bearer {credentials.key}"
    where = f"{_printable(base)}{path}"
    try:
        with _opener().open(urllib.request.Request(base + path, headers=headers), timeout=timeout) as answer:
            body = answer.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        raise _refused(where, exc, credentials) from None
    except TimeoutError:
        raise _no_answer(where, timeout) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _no_answer(where, timeout) from None
        reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
        raise UsageError(f"cannot reach {where}: {credentials.redact(str(reason))}; is the proxy running, and is the URL right?") from None
    except (OSError, ValueError) as exc:  # a connection reset, a malformed status line
        raise UsageError(f"cannot read {where}: {credentials.redact(str(exc))}; is it a LiteLLM proxy?") from None
    if len(body) > MAX_ANSWER:
        raise UsageError(f"{where}: the answer is larger than {MAX_ANSWER // (1024 * 1024)} MB; not read")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{where} did not answer JSON; is the URL a LiteLLM proxy's (not its UI's or a login page's)?") from None


def _no_answer(where: str, timeout: float) -> UsageError:
    return UsageError(f"{where}: no answer within {timeout:g} s; is the proxy up, and the URL its own? (--timeout gives it longer)")


def _refused(where: str, exc: HTTPError, credentials: Credentials) -> UsageError:
    """The message for an HTTP error status: an authentication problem names the key's variable."""
    try:
        detail = json.loads(exc.read(65536)).get("error", {}).get("message", "")
    except (ValueError, AttributeError, OSError):
        detail = ""
    said = f" ({credentials.redact(str(detail))[:200]})" if detail else ""
    # The endpoints regc reads take no parameters, so a 400 is about the request's key: LiteLLM 1.102.4 answers a
    # wrong key with 400 ("No connected db.") and a missing one with 500 (its auth error handler fails).
    if exc.code in (400, 401, 403) or (exc.code == 500 and credentials.key is None):
        if credentials.key is None:
            return UsageError(f"{where} refused the request (HTTP {exc.code}{said}): {credentials.variable} is not set; "
                              f"set it to the proxy's master key (or name the variable holding it with --key-env)")
        return UsageError(f"{where} refused the key in {credentials.variable} (HTTP {exc.code}{said}); set "
                          f"{credentials.variable} to the proxy's master key (or name the right variable with --key-env)")
    if exc.code == 404:
        return UsageError(f"{where}: not found (HTTP 404); is the URL a LiteLLM proxy's base URL (without /v1)?")
    return UsageError(f"{where} answered HTTP {exc.code}{said}; is the proxy healthy?")


# --- comparing --------------------------------------------------------------------------------------


def compare(expected: Config, live: Gateway) -> list[Difference]:
    """Every difference between the registry's output and what the proxy serves, model group by model group."""
    found: list[Difference] = []
    wanted = {d.model_name: d for d in expected.deployments}
    for name in sorted(wanted.keys() | live.groups.keys(), key=lambda n: ("/" in n, n)):  # aliases first
        want, have = wanted.get(name), live.groups.get(name)
        if have is None:
            assert want is not None
            found.append(Difference(name, "missing", None, want.litellm_params["model"], None))
            continue
        if want is None:
            found.append(Difference(name, "extra", None, None, sorted({d.model or "" for d in have})))
            continue
        if len(have) != 1:
            found.append(Difference(name, "deployments", None, 1, len(have)))
        for deployment in have:
            found += _deployment(name, want.litellm_params, want.model_info, deployment)
    chains = dict(expected.fallbacks)
    for name in sorted(chains.keys() | live.fallbacks.keys(), key=lambda n: ("/" in n, n)):
        want_chain, have_chain = chains.get(name, []), live.fallbacks.get(name, [])
        if want_chain != have_chain:
            check = "fallback-order" if sorted(want_chain) == sorted(have_chain) else "fallbacks"
            found.append(Difference(name, check, "fallbacks", want_chain, have_chain))
    if live.num_retries != expected.num_retries:
        found.append(Difference("router_settings", "router", "num_retries", expected.num_retries, live.num_retries))
    return found


def _deployment(name: str, params: dict[str, str], info: dict[str, object], have: Deployment) -> list[Difference]:
    found: list[Difference] = []
    if have.model != params["model"]:
        found.append(Difference(name, "model", "litellm_params.model", params["model"], have.model))
    want_base = params.get("api_base")
    if _base(have.api_base) != _base(want_base):
        shown = _printable(have.api_base) if have.api_base else None
        found.append(Difference(name, "api_base", "litellm_params.api_base", want_base, shown))
    for key, value in info.items():
        if not _same(value, have.info.get(key)):
            found.append(Difference(name, "price" if PRICE_KEY.search(key) else "model_info", f"model_info.{key}",
                                    _number(value), have.info.get(key)))
    return found


def _base(url: str | None) -> str | None:
    return url.rstrip("/") if url else None


def _number(value: object) -> object:
    """A figure as the file writes it (an exact decimal) as JSON can carry it."""
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def _same(want: object, have: object) -> bool:
    """Equal as the proxy reads the file: numbers as doubles (the file's ``0.0000025`` is its ``2.5e-06``)."""
    if isinstance(want, bool) or isinstance(have, bool) or isinstance(want, str) or isinstance(have, str):
        return want == have
    try:
        return math.isclose(float(want), float(have), rel_tol=1e-12, abs_tol=0.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return want == have


COMMANDS = [verify_gateway]
