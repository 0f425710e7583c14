"""What regc knows about each provider named in a registry.

A model reference names its provider as the registry's users do (``kimi``,
``google``); the consumers call the same provider by other names (LiteLLM's
``moonshot`` and ``gemini``, models.dev's ``moonshotai``). This table is the
one place that maps them, and says where each provider's OpenAI-compatible
API lives, which environment variable holds its key, and whether it runs
locally. ``[tool.regc.providers.NAME]`` in the config overrides or adds
entries (e.g. ``api_base`` of a self-hosted ollama).

A provider's ``kind`` is the API it speaks, which decides what a gateway needs to reach it:
``openai`` (an OpenAI-compatible API at ``api_base``; every provider regc knew before kinds),
``azure`` (Azure OpenAI: the model id is the deployment name, ``api_base`` is the resource's
endpoint, ``api_version`` is required), ``bedrock`` (AWS Bedrock: ``aws_region_name``, AWS keys
from the environment), ``vertex`` (Google Vertex AI: ``vertex_project``, ``vertex_location``, a
service-account file named by ``GOOGLE_APPLICATION_CREDENTIALS``) and ``vllm`` (a self-hosted
OpenAI-compatible server such as vLLM: ``api_base`` is required). ``docs/providers.md`` documents
every field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from collections.abc import Mapping


ProviderKind = Literal["openai", "azure", "bedrock", "vertex", "vllm"]
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"

#: The fields each kind needs set before a gateway can reach it (checked where the registry uses the provider).
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "openai": (),
    "azure": ("api_base", "api_version"),
    "bedrock": ("aws_region_name",),
    "vertex": ("vertex_project", "vertex_location"),
    "vllm": ("api_base",),
}
#: Fields that mean something for one kind only; set on a provider of another kind they are refused.
KIND_FIELDS: Mapping[str, str] = {
    "api_version": "azure",
    "aws_region_name": "bedrock",
    "aws_access_key_id_env": "bedrock",
    "aws_secret_access_key_env": "bedrock",
    "aws_session_token_env": "bedrock",
    "vertex_project": "vertex",
    "vertex_location": "vertex",
    "vertex_credentials_env": "vertex",
}


class Provider(BaseModel):
    """One provider: the API it speaks, its names in the consumers and catalogs, endpoint, credentials, locality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ProviderKind = Field(
        default="openai",
        description="the API it speaks: openai (OpenAI-compatible at api_base), azure (Azure OpenAI), bedrock (AWS Bedrock), "
                    "vertex (Google Vertex AI), vllm (a self-hosted OpenAI-compatible server)",
    )

    litellm: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+$",
                                description="LiteLLM's provider prefix (`moonshot` for kimi); None: LiteLLM cannot route it")
    litellm_catalog_bare: bool = Field(default=False, description="LiteLLM's cost map keys this provider's models without a prefix")
    modelsdev: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$", description="models.dev provider id")
    # The generated configurations name the variable (`os.environ/NAME`, a Secret to create from it): a name, never a key.
    api_key_env: str | None = Field(default=None, pattern=ENV_NAME,
                                    description="environment variable holding the API key (its name, never the key); None: no key")
    api_base: str | None = Field(default=None, description="base URL of its OpenAI-compatible API (http or https, no credentials)")
    local: bool = Field(default=False, description="runs on our own machines: costs nothing per call, needs no key")
    api_version: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?$",
                                    description="azure: the Azure OpenAI API version, e.g. 2024-10-21")
    aws_region_name: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$",
                                        description="bedrock: the AWS region serving the models, e.g. us-east-1")
    aws_access_key_id_env: str | None = Field(default=None, pattern=ENV_NAME,
                                              description="bedrock: environment variable holding the AWS access key id")
    aws_secret_access_key_env: str | None = Field(default=None, pattern=ENV_NAME,
                                                  description="bedrock: environment variable holding the AWS secret access key")
    aws_session_token_env: str | None = Field(default=None, pattern=ENV_NAME,
                                              description="bedrock: environment variable holding an AWS session token")
    vertex_project: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
                                       description="vertex: the Google Cloud project id")
    vertex_location: str | None = Field(default=None, pattern=r"^[a-z]+(-[a-z]+[0-9]*)*$",
                                        description="vertex: the Vertex AI location (region), e.g. us-central1, or global")
    vertex_credentials_env: str | None = Field(
        default=None, pattern=ENV_NAME,
        description="vertex: environment variable holding the path of a service-account JSON file",
    )

    @field_validator("api_version")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        """Azure's API versions are dates: 2024-13-45 matches the pattern and names none."""
        if value is not None:
            import datetime

            try:
                datetime.date.fromisoformat(value.removesuffix("-preview"))
            except ValueError:
                raise ValueError(f"api_version {value!r} is not a date (YYYY-MM-DD, optionally -preview)") from None
        return value

    @field_validator("api_base")
    @classmethod
    def _plain_url(cls, value: str | None) -> str | None:
        """An http(s) URL with a host and without credentials, a query, a fragment, spaces or control characters."""
        if value is None:
            return None
        from urllib.parse import urlsplit

        if any(c.isspace() or not c.isprintable() for c in value):
            raise ValueError("api_base may not contain spaces or control characters")
        try:
            url = urlsplit(value)
            url.port  # noqa: B018 - raises on a port that is not a number
        except ValueError as exc:
            raise ValueError(f"api_base is not a URL: {exc}") from None
        if url.scheme not in {"http", "https"} or not url.hostname:
            raise ValueError("api_base must be an http:// or https:// URL with a host")
        if url.username is not None or url.password is not None:
            raise ValueError("api_base may not carry credentials (user:key@host): the generated files would hold them; "
                             "name the key's environment variable in api_key_env")
        if "?" in value or "#" in value:  # every gateway appends its own path: https://h?x=1/openai is no URL
            raise ValueError("api_base may not have a query (?...) or a fragment (#...): each gateway appends its own path "
                             "to it; give the base URL alone")
        return value

    def problems(self) -> list[tuple[str, str]]:
        """What keeps a gateway from reaching this provider, each with the field it is about: a field its kind needs
        unset, or another kind's field set."""
        found = [(name, f"needs {name}") for name in REQUIRED[self.kind] if getattr(self, name) is None]
        found += [(name, f"{name} is a field of kind {kind!r} only") for name, kind in KIND_FIELDS.items()
                  if kind != self.kind and getattr(self, name) is not None]
        if self.kind == "vertex" and self.api_base is not None:
            from urllib.parse import urlsplit

            if urlsplit(self.api_base).path not in ("", "/"):  # LiteLLM would call {api_base}:generateContent
                found.append(("api_base", "needs api_base at the endpoint's root (https://HOST), without a path: "
                                          "Vertex AI's path (/v1/projects/…) is added to it"))
        return found

    def environment(self) -> dict[str, str]:
        """The environment variables a gateway needs to call this provider, each with what it holds (``regc doctor``)."""
        named = {
            "api_key_env": "API key",
            "aws_access_key_id_env": "AWS access key id",
            "aws_secret_access_key_env": "AWS secret access key",
            "aws_session_token_env": "AWS session token",
            "vertex_credentials_env": "path of the service-account JSON file",
        }
        return {variable: what for field, what in named.items() if (variable := getattr(self, field)) is not None}


#: What a provider of each kind starts from when the configuration adds one (``[providers.azure-eu] kind = "azure"``).
KIND_DEFAULTS: Mapping[str, Provider] = {
    "openai": Provider(),
    "azure": Provider(kind="azure", litellm="azure", api_key_env="AZURE_API_KEY"),
    "bedrock": Provider(kind="bedrock", litellm="bedrock", aws_access_key_id_env="AWS_ACCESS_KEY_ID",
                        aws_secret_access_key_env="AWS_SECRET_ACCESS_KEY"),
    "vertex": Provider(kind="vertex", litellm="vertex_ai", vertex_credentials_env="GOOGLE_APPLICATION_CREDENTIALS"),
    "vllm": Provider(kind="vllm", litellm="hosted_vllm", local=True),
}

BUILTIN: Mapping[str, Provider] = {
    "anthropic": Provider(litellm="anthropic", litellm_catalog_bare=True, modelsdev="anthropic",
                          api_key_env="ANTHROPIC_API_KEY", api_base="https://api.anthropic.com/v1"),
    "deepseek": Provider(litellm="deepseek", modelsdev="deepseek", api_key_env="DEEPSEEK_API_KEY", api_base="https://api.deepseek.com/v1"),
    "google": Provider(litellm="gemini", modelsdev="google", api_key_env="GEMINI_API_KEY",
                       api_base="https://generativelanguage.googleapis.com/v1beta/openai"),
    "groq": Provider(litellm="groq", modelsdev="groq", api_key_env="GROQ_API_KEY", api_base="https://api.groq.com/openai/v1"),
    "kimi": Provider(litellm="moonshot", modelsdev="moonshotai", api_key_env="MOONSHOT_API_KEY", api_base="https://api.moonshot.ai/v1"),
    "mistral": Provider(litellm="mistral", modelsdev="mistral", api_key_env="MISTRAL_API_KEY", api_base="https://api.mistral.ai/v1"),
    "ollama": Provider(litellm="ollama", api_base="http://localhost:11434/v1", local=True),
    "openai": Provider(litellm="openai", litellm_catalog_bare=True, modelsdev="openai",
                       api_key_env="OPENAI_API_KEY", api_base="https://api.openai.com/v1"),
    "openrouter": Provider(litellm="openrouter", modelsdev="openrouter", api_key_env="OPENROUTER_API_KEY",
                           api_base="https://openrouter.ai/api/v1"),
    "perplexity": Provider(litellm="perplexity", modelsdev="perplexity", api_key_env="PERPLEXITYAI_API_KEY",
                           api_base="https://api.perplexity.ai"),
    "stability": Provider(litellm="stability", api_key_env="STABILITY_API_KEY", api_base="https://api.stability.ai/v1"),
    "xai": Provider(litellm="xai", modelsdev="xai", api_key_env="XAI_API_KEY", api_base="https://api.x.ai/v1"),
}

#: Names whose table in the configuration has that kind without saying so (``[providers.azure]`` is an Azure OpenAI
#: resource). Not built in: their endpoints are the user's own (a resource, a region, a project, a server), so until the
#: configuration has the table, ``azure/x`` is an unknown provider as before (not routed, and reported by model-ref-form).
PRESETS: Mapping[str, Provider] = {kind: KIND_DEFAULTS[kind] for kind in ("azure", "bedrock", "vertex", "vllm")}


def providers(overrides: Mapping[str, Provider] | None = None) -> dict[str, Provider]:
    """The built-in table with the configuration's entries laid over it (field by field)."""
    table = dict(BUILTIN)
    for name, override in (overrides or {}).items():
        base = table.get(name) or PRESETS.get(name)
        if base is None or ("kind" in override.model_fields_set and override.kind != base.kind):
            base = KIND_DEFAULTS[override.kind]  # a new provider, or a known name that speaks another API: its kind's defaults
        table[name] = base.model_copy(update=override.model_dump(exclude_unset=True))
    return table
