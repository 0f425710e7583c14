"""The ``envoy`` target: Envoy AI Gateway resources (multi-document YAML).

For Envoy AI Gateway v1.1 (``aigateway.envoyproxy.io/v1beta1``) on Envoy
Gateway v1.8 (``gateway.envoyproxy.io/v1alpha1``, Gateway API v1.5):

- **AIGatewayRoute** ``<prefix>-1``, ``<prefix>-2``, …, attached to the Gateway with
  ``parentRefs`` (``gateway_name``, ``gateway_namespace``), one rule per alias
  matching the header ``x-ai-eg-model`` exactly (the gateway sets it from the
  request's ``model``). The rule's ``backendRefs`` are the alias's chain: the
  provider's AIServiceBackend, ``modelNameOverride`` = the model id at that
  provider, ``priority`` 0 for the primary, 1, 2, … for the fallbacks in
  registry order. ``timeouts.request`` is ``request_timeout`` (default 300s:
  reasoning models think for minutes). A route holds at most
  ``max_rules_per_route`` aliases (default 14): the CRD allows 15 rules, because
  the controller adds a ``route-not-found`` rule to the HTTPRoute it generates and
  Gateway API caps an HTTPRoute at 16; the one rule kept spare lets an operator
  add a rule of their own (a default model, a kustomize patch) without the
  route being rejected. More aliases make more routes; aliases are sorted by name.
- **BackendTrafficPolicy** (one per route, same name) on the HTTPRoute the
  controller generates for the AIGatewayRoute (it has the route's name):
  ``retry`` with ``numAttemptsPerPriority: 1``, so each retry goes to the next
  priority, on 5xx, resets, connect failures and 429; ``numRetries`` is the
  longest chain's length minus one, so a request can walk a whole chain.
- **llmRequestCosts** on each route: the token counts (``llm_input_token``,
  ``llm_output_token``, ``llm_total_token``) and ``cost_metadata_key`` (default
  ``llm_cost_nanousd``), a CEL expression giving the request's price in integer
  nano-USD from the registry's prices. The gateway's ``model`` variable is the
  upstream model (the ``modelNameOverride``), and ``backend`` starts with
  ``<namespace>/<AIServiceBackend>/``, so the expression looks the price up by
  both: cost = ((input − cached − cache-creation) × input price + cached ×
  cache-read price + cache-creation × cache-write price + output × output price),
  all per token, truncated to whole nano-USD. A missing cache price counts as
  the input price. The expression is built from numbers and the registry's
  validated model ids only: no registry text reaches it.
- Per provider that serves a routed model (named ``<prefix>-<provider>``):
  **Backend** (the host and port of the provider's OpenAI-compatible
  ``api_base``: an FQDN, or an IP), **BackendTLSPolicy** (for https: system CAs,
  the host as SNI and certificate name), **AIServiceBackend** (schema OpenAI,
  ``prefix`` = the path of ``api_base``, e.g. ``/v1``, ``/v1beta/openai``), and
  **BackendSecurityPolicy** (``APIKey`` from the Secret ``<prefix>-<provider>-api-key``,
  key ``apiKey``, which you create; the file's opening comment lists them).

Providers of the other kinds (docs/providers.md) get the AIServiceBackend schema
of their API: ``AzureOpenAI`` (``version`` = ``api_version``; the Backend is the
resource's host; ``AzureAPIKey`` policy), ``AWSBedrock`` (Backend
``bedrock-runtime.<region>.amazonaws.com``; ``AWSCredentials`` policy with the
region and a Secret holding an AWS credentials file under the key
``credentials``), ``GCPVertexAI`` (Backend ``<location>-aiplatform.googleapis.com``;
``GCPCredentials`` policy with project and region and a Secret holding the
service-account file under ``service_account.json``); a vllm server is
``OpenAI`` at its ``api_base``. Those three schemas build the request's whole
path, so an ``api_base`` with a path is refused (exit 2); Claude models on
Vertex AI (the ``GCPAnthropic`` schema) are listed as not routed.

Every other provider is reached through its OpenAI-compatible API: Envoy AI Gateway
v1.1 cannot send an OpenAI-format request to a native Anthropic backend, so
Anthropic is reached at ``https://api.anthropic.com/v1`` (its OpenAI SDK
compatibility layer). Not routed: pending alternatives, models of providers
without an ``api_base`` (one the configuration adds with only ``local = true``) or unknown to regc, and aliases whose
primary is one of those, and aliases no client can send as a header value
(a YAML registry's alias with a newline in it): all listed in the opening comments. Local providers
(ollama) get a plain-HTTP Backend at their ``api_base``: set
``[tool.regc.providers.ollama] api_base`` to an address the gateway can reach.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import Field

from regc.errors import InputError
from regc.targets import Target, TargetOptions, header, templates

if TYPE_CHECKING:
    from regc.model import Alias, Model, PriceCell
    from regc.model.providers import Provider
    from regc.model.resolve import ResolvedRegistry

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DURATION = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"
MODEL_HEADER = "x-ai-eg-model"
#: Decimal places of nano-USD per token: prices have at most 9 decimal places of USD per 1M tokens
#: (``regc.parse.cells.MAX_PRICE_DECIMALS``), so at most 6 of nano-USD per token, and none is rounded.
MAX_SCALE = 6


class EnvoyOptions(TargetOptions):
    path: str = "targets/envoy/ai-gateway.yaml"
    namespace: str = Field(default="default", max_length=63, pattern=DNS_LABEL, description="namespace of every generated object")
    name_prefix: str = Field(default="regc", max_length=30, pattern=DNS_LABEL, description="prefix of every generated object's name")
    gateway_name: str = Field(default="ai-gateway", max_length=253, min_length=1, description="the Gateway the routes attach to")
    gateway_namespace: str | None = Field(default=None, max_length=63, pattern=DNS_LABEL,
                                          description="the Gateway's namespace (default: the routes' own)")
    request_timeout: str = Field(default="300s", pattern=DURATION, description="timeouts.request of every rule")
    max_rules_per_route: int = Field(default=14, ge=1, le=15, description="aliases per AIGatewayRoute (the CRD allows 15)")
    cost_metadata_key: str = Field(default="llm_cost_nanousd", min_length=1, max_length=253,
                                   description="dynamic-metadata key of the request's price in nano-USD")


#: Per provider kind: the AIServiceBackend schema, the BackendSecurityPolicy type, and the key its Secret holds.
SCHEMAS = {"openai": "OpenAI", "vllm": "OpenAI", "azure": "AzureOpenAI", "bedrock": "AWSBedrock", "vertex": "GCPVertexAI"}
SECURITY = {"openai": "APIKey", "vllm": "APIKey", "azure": "AzureAPIKey", "bedrock": "AWSCredentials", "vertex": "GCPCredentials"}
SECRET_KEYS = {"APIKey": "apiKey", "AzureAPIKey": "apiKey", "AWSCredentials": "credentials", "GCPCredentials": "service_account.json"}
SECRET_SUFFIX = {"APIKey": "api-key", "AzureAPIKey": "api-key", "AWSCredentials": "aws-credentials", "GCPCredentials": "gcp-credentials"}


@dataclass(frozen=True)
class Service:
    """The objects that reach one provider."""

    provider: str
    name: str  # Backend, AIServiceBackend, BackendTLSPolicy and BackendSecurityPolicy share it
    host: str
    ip: bool
    port: int
    tls: bool
    prefix: str
    secret: str | None
    key_env: str | None  # what the Secret is made from: a variable's name, or a sentence for a credentials file
    schema: str = "OpenAI"
    version: str | None = None  # AzureOpenAI's API version
    security: str = "APIKey"  # the BackendSecurityPolicy's type
    region: str | None = None  # AWSCredentials' and GCPCredentials' region
    project: str | None = None  # GCPCredentials' project

    @property
    def secret_key(self) -> str:
        return SECRET_KEYS[self.security]


@dataclass(frozen=True)
class Ref:
    service: Service
    model: str
    priority: int


@dataclass
class Rule:
    alias: str
    refs: list[Ref]


@dataclass
class Route:
    name: str
    rules: list[Rule]
    cost_cel: str

    @property
    def num_retries(self) -> int:
        return max(len(rule.refs) for rule in self.rules) - 1


@dataclass
class Resources:
    """What the file says: the data the template writes."""

    options: EnvoyOptions
    services: list[Service] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def mixed_keys(self) -> bool:
        """The Secrets to create hold different keys (``apiKey``, ``credentials``): the opening comment names each one's."""
        return len({s.secret_key for s in self.services if s.secret}) > 1


class EnvoyTarget(Target[EnvoyOptions]):
    name = "envoy"
    description = (
        "Envoy AI Gateway v1.1 resources: AIGatewayRoutes (a rule per alias on `x-ai-eg-model`, the chain as backendRef "
        "priorities, a CEL cost in nano-USD), a BackendTrafficPolicy retry per route, and per provider a Backend, "
        "BackendTLSPolicy, AIServiceBackend and BackendSecurityPolicy"
    )
    proven_by = (
        "every object validates against its CRD's `openAPIV3Schema` with unknown fields rejected, and its "
        "`x-kubernetes-validations` CEL rules hold (cel-expr-python); every reference resolves; each alias's rule is "
        "its chain; the cost expression compiles with the gateway's CEL variables and gives the registry's prices; "
        "hypothesis registries with hostile text reload to the same data"
    )
    Options = EnvoyOptions

    def render(self, registry: ResolvedRegistry, options: EnvoyOptions) -> dict[str, bytes]:
        data = build(registry, options)
        text = templates().get_template("envoy.yaml.j2").render(header=header(registry), data=data, model_header=MODEL_HEADER)
        return {options.path: text.encode("utf-8")}


def build(registry: ResolvedRegistry, options: EnvoyOptions) -> Resources:
    """The resources for ``registry``: per-provider services, routes with their rules and costs."""
    table = options.providers()
    data = Resources(options=options)
    services: dict[str, Service | None] = {}
    names: set[str] = set()

    def service(provider_name: str | None, alias: Alias) -> Service | None:
        key = provider_name or ""
        if key not in services:
            try:
                services[key] = _service(key, table.get(key), options, names)
            except UnreachableError as exc:
                raise InputError.at(registry.registry.path, alias.pos.line, str(exc)) from None
        return services[key]

    rules: list[Rule] = []
    for alias in sorted(registry.aliases, key=lambda a: a.name):
        chain = registry.resolve(alias.name)
        if not header_value_ok(alias.name):
            data.skipped.append(f"alias {alias.name!r}: a client cannot send it as the {MODEL_HEADER} header value")
            continue
        refs: list[Ref] = []
        for ref in chain.models:
            found = service(ref.provider, alias)
            why = f"no OpenAI-compatible endpoint for provider {ref.provider!r}"
            if found is not None and found.schema == "GCPVertexAI" and ref.model.startswith("claude"):
                found, why = None, "Claude on Vertex AI needs the GCPAnthropic schema, which this target does not write"
            if found is None:
                what = "its primary" if ref == chain.primary else "fallback"
                data.skipped.append(f"{what} {ref} of alias {alias.name!r}: {why}")
                if ref == chain.primary:
                    break
                continue
            refs.append(Ref(found, ref.model, len(refs)))
        if refs:  # refs[0] is the primary: the loop stops at a primary without a service
            rules.append(Rule(alias.name, refs))
    size = options.max_rules_per_route
    for index in range(0, len(rules), size):
        chunk = rules[index:index + size]
        name = f"{options.name_prefix}-{index // size + 1}"
        data.routes.append(Route(name, chunk, cost_expression(registry, chunk, options.namespace)))
    used = {ref.service.name for route in data.routes for rule in route.rules for ref in rule.refs}
    data.services = sorted((s for s in services.values() if s is not None and s.name in used), key=lambda s: s.name)
    data.skipped = sorted(set(data.skipped))
    return data


def header_value_ok(text: str) -> bool:
    """An HTTP header value (RFC 9110): 1 to 4096 bytes of UTF-8, no control characters, no surrounding whitespace."""
    if any(0xD800 <= ord(c) < 0xE000 or (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in text):
        return False  # a lone surrogate is not UTF-8; control characters end or split a header
    return 0 < len(text.encode("utf-8")) <= 4096 and text == text.strip(" \t")


def _service(provider_name: str, provider: Provider | None, options: EnvoyOptions, names: set[str]) -> Service | None:
    if provider is None:
        return None
    base = provider.api_base or _cloud_endpoint(provider)
    if not base:
        return None
    url = urlsplit(base)
    host = (url.hostname or "").lower()
    if url.scheme not in {"http", "https"} or not host:
        return None
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
        if not DNS_SUBDOMAIN.match(host) or len(host) > 253:
            return None
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
    except ValueError:
        return None
    if provider.kind in ("azure", "bedrock", "vertex") and url.path.rstrip("/"):
        raise UnreachableError(f"the envoy target cannot reach provider {provider_name!r} at {base!r}: its {SCHEMAS[provider.kind]} "
                          "backend builds the request's whole path itself, so [providers."
                          f"{provider_name}] api_base must be the endpoint's root (scheme, host, port) with no path")
    name = f"{options.name_prefix}-{_slug(provider_name, names)}"
    security = SECURITY[provider.kind]
    source = _secret_source(provider)
    return Service(
        provider=provider_name,
        name=name,
        host=host,
        ip=is_ip,
        port=port,
        tls=url.scheme == "https" and not is_ip,
        prefix=url.path.rstrip("/") or "/",
        secret=f"{name}-{SECRET_SUFFIX[security]}" if source else None,
        key_env=source,
        schema=SCHEMAS[provider.kind],
        version=provider.api_version if provider.kind == "azure" else None,
        security=security,
        region=provider.aws_region_name if provider.kind == "bedrock" else provider.vertex_location,
        project=provider.vertex_project,
    )


class UnreachableError(ValueError):
    """A provider whose endpoint the gateway's schema for it cannot express."""


def _cloud_endpoint(provider: Provider) -> str | None:
    """The public endpoint of a Bedrock region or a Vertex AI location (an Azure resource's is always configured)."""
    if provider.kind == "bedrock" and provider.aws_region_name:
        return f"https://bedrock-runtime.{provider.aws_region_name}.amazonaws.com"
    if provider.kind == "vertex" and provider.vertex_location:
        location = provider.vertex_location
        return "https://aiplatform.googleapis.com" if location == "global" else f"https://{location}-aiplatform.googleapis.com"
    return None


def _secret_source(provider: Provider) -> str | None:
    """What the provider's Secret is made from, for the file's opening comment; None: the provider needs no Secret."""
    if provider.kind == "bedrock":
        keys = [v for v in (provider.aws_access_key_id_env, provider.aws_secret_access_key_env, provider.aws_session_token_env) if v]
        return f"an AWS credentials file whose [default] profile holds {', '.join(keys)}" if keys else None
    if provider.kind == "vertex":
        variable = provider.vertex_credentials_env
        return f"the service-account JSON file {variable} names" if variable else None
    return provider.api_key_env


def _slug(provider: str, taken: set[str]) -> str:
    """A DNS label for a provider name: itself when it is one, else a cleaned form plus a short hash."""
    slug = re.sub(r"[^a-z0-9-]+", "-", provider.lower()).strip("-")[:20] or "provider"
    if slug != provider or slug in taken:
        slug = f"{slug}-{hashlib.sha256(provider.encode()).hexdigest()[:8]}"
    taken.add(slug)
    return slug


# --- cost -----------------------------------------------------------------------


@dataclass(frozen=True)
class Coefficients:
    """nano-USD per token, times 10**scale: input, cache read, cache write, output."""

    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal


def coefficients(model: Model | None) -> Coefficients | None:
    """A model's token prices in nano-USD per token (USD per 1M tokens × 1000); None without token prices."""
    if model is None:
        return None
    prices = [_nano(p) for p in (model.input, model.cache_read, model.cache_write, model.output)]
    if all(p is None for p in prices):
        return None
    inp, read, write, out = prices
    base = inp if inp is not None else Decimal(0)
    return Coefficients(base, read if read is not None else base, write if write is not None else base,
                        out if out is not None else Decimal(0))


def _nano(price: PriceCell) -> Decimal | None:
    if price is None or isinstance(price, str) or price.unit != "mtok":
        return None
    return price.usd * 1000


def scale(values: list[Decimal]) -> int:
    """Decimal places needed to make every value an integer, at most ``MAX_SCALE``."""
    places = [max(0, -int(v.normalize().as_tuple().exponent)) for v in values]
    return min(max(places, default=0), MAX_SCALE)


def cost_expression(registry: ResolvedRegistry, rules: list[Rule], namespace: str) -> str:
    """The CEL expression of a route's price: integer nano-USD, looked up by backend and upstream model."""
    table: dict[str, dict[str, Coefficients]] = {}
    for rule in rules:
        for ref in rule.refs:
            found = coefficients(registry.model(f"{ref.service.provider}/{ref.model}"))
            if found is not None:
                table.setdefault(f"{namespace}/{ref.service.name}/", {})[ref.model] = found
    values = [v for per_model in table.values() for c in per_model.values()
              for v in (c.input, c.cache_read, c.cache_write, c.output)]
    places = scale(values)
    factor = Decimal(10) ** places

    def scaled(value: Decimal) -> int:
        return int((value * factor).to_integral_value(ROUND_HALF_EVEN))  # exact: prices have at most MAX_SCALE + 3 places

    def prices(c: Coefficients) -> str:
        units = [scaled(v) for v in (c.input, c.cache_read, c.cache_write, c.output)]
        if places:  # whole nano-USD and the fraction apart, so that no product outgrows uint64 (see below)
            units = [u // 10 ** places for u in units] + [u % 10 ** places for u in units]
        return "[" + ", ".join(f"{u}u" for u in units) + "]"

    entries = ", ".join(
        f"{cel_string(backend)}: {{"
        + ", ".join(f"{cel_string(model)}: {prices(c)}" for model, c in sorted(per_model.items()))
        + "}"
        for backend, per_model in sorted(table.items())
    )
    if not entries:
        return "0u"
    p = "costs[k[0]][model]"
    uncached = ("(input_tokens >= cached_input_tokens + cache_creation_input_tokens"
                " ? input_tokens - cached_input_tokens - cache_creation_input_tokens : 0u)")

    def products(first: int) -> str:
        return (f"{uncached} * {p}[{first}] + cached_input_tokens * {p}[{first + 1}]"
                f" + cache_creation_input_tokens * {p}[{first + 2}] + output_tokens * {p}[{first + 3}]")

    # With fractional nano-USD (scale 10^places), Σ tokens × whole part + (Σ tokens × fraction) / 10^places is the
    # exact truncated price: the whole parts are at most MAX_PRICE × 1000 (10^8) and the fractions below 10^places,
    # so a request stays within uint64 up to ~10^11 tokens, where one scaled product would overflow at ~10^5.
    total = products(0) if not places else f"{products(0)} + ({products(4)}) / {10 ** places}u"
    return (f"[{{{entries}}}].map(costs, [costs.filter(b, backend.startsWith(b))]"
            f".map(k, size(k) == 0 ? 0u : (model in costs[k[0]] ? {total} : 0u))[0])[0]")


def cel_string(text: str) -> str:
    """A CEL string literal. Only validated model ids and DNS names reach here; escaping is a second fence."""
    if not text.isprintable():
        raise ValueError(f"not a printable string: {text!r}")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
