"""OpenRouter's prices, as a ``Catalog``: the rows models.dev lists under its ``openrouter`` provider.

OpenRouter sets its own prices (``deepseek/deepseek-v4-flash`` costs less there than at DeepSeek), so
``regc prices check --catalog openrouter`` compares the registry with what OpenRouter charges. A
registry model is looked up under the OpenRouter id the ``openrouter`` target emits for it
(``regc.model.openrouter``, with the configuration's ``models`` and ``ids`` options; the caller passes
that mapping in as ``id_of``, since catalogs and the model are sibling rooms): the models the
target emits are exactly the ones compared, and one the catalog does not list is ``catalog-unlisted``,
so the same command proves the target's ids against a newer catalog. A model without an OpenRouter id
is not covered (the summary counts it). The file is models.dev's (``$REGC_MODELS_DEV``, ``api.json``
or the flattened form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from regc.catalogs.modelsdev import ModelsDevCatalog

if TYPE_CHECKING:
    from collections.abc import Callable

    from regc.model import ModelRef
    from regc.model.providers import Provider


#: models.dev's provider id for OpenRouter.
OPENROUTER = "openrouter"


def _no_id(ref: ModelRef) -> str | None:
    return None


class OpenRouterCatalog(ModelsDevCatalog):
    name = "openrouter"
    title = "OpenRouter via models.dev"

    def __init__(self, display: str, text: str, data: dict[str, Any], version: str | None = None,
                 id_of: Callable[[ModelRef], str | None] | None = None) -> None:
        super().__init__(display, text, data, version)
        self.id_of = id_of or _no_id

    def __len__(self) -> int:
        return len(self.entries.get(OPENROUTER, {}))

    def key_for(self, ref: ModelRef, provider: Provider | None) -> str | None:
        found = self.id_of(ref)
        return None if found is None else f"{OPENROUTER}/{found}"

    def covers(self, provider: Provider | None) -> bool:
        return bool(self.entries.get(OPENROUTER))

    def hints(self, ref: ModelRef, provider: Provider | None) -> list[str]:
        found = self.id_of(ref)
        from regc.parse.suggest import nearest

        close = nearest(found or "", list(self.entries.get(OPENROUTER, {})), cutoff=0.8)
        return [f"a near id it lists: `{close}` (the same model? then map it in the openrouter target's `models`)"] if close else []
