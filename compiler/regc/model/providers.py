"""What regc knows about each provider named in a registry.

A model reference names its provider as the registry's users do (``kimi``,
``google``); the consumers call the same provider by other names (LiteLLM's
``moonshot`` and ``gemini``, models.dev's ``moonshotai``). This table is the
one place that maps them, and says where each provider's OpenAI-compatible
API lives, which environment variable holds its key, and whether it runs
locally. ``[tool.regc.providers.NAME]`` in the config overrides or adds
entries (e.g. ``api_base`` of a self-hosted ollama).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from collections.abc import Mapping


class Provider(BaseModel):
    """One provider: its names in the consumers and catalogs, endpoint, key, locality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    litellm: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+$",
                                description="LiteLLM's provider prefix (`moonshot` for kimi); None: LiteLLM cannot route it")
    litellm_catalog_bare: bool = Field(default=False, description="LiteLLM's cost map keys this provider's models without a prefix")
    modelsdev: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$", description="models.dev provider id")
    # The generated configurations name the variable (`os.environ/NAME`, a Secret to create from it): a name, never a key.
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                    description="environment variable holding the API key (its name, never the key); None: no key")
    api_base: str | None = Field(default=None, description="base URL of its OpenAI-compatible API (http or https, no credentials)")
    local: bool = Field(default=False, description="runs on our own machines: costs nothing per call, needs no key")

    @field_validator("api_base")
    @classmethod
    def _plain_url(cls, value: str | None) -> str | None:
        """An http(s) URL with a host and without credentials, spaces or control characters."""
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
        return value


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


def providers(overrides: Mapping[str, Provider] | None = None) -> dict[str, Provider]:
    """The built-in table with the configuration's entries laid over it (field by field)."""
    table = dict(BUILTIN)
    for name, override in (overrides or {}).items():
        base = table.get(name)
        table[name] = base.model_copy(update=override.model_dump(exclude_unset=True)) if base else override
    return table
