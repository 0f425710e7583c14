"""Registry prices under the cost keys LiteLLM's cost map names, which Bifrost's pricing overrides use too
(``litellm``, ``bifrost``)."""

from __future__ import annotations

from decimal import Decimal

#: The registry's prices are per 1M tokens; the cost keys are per token.
MTOK = Decimal(1_000_000)
#: A Models-table price column (per 1M tokens) -> its per-token cost key.
TOKEN_KEYS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
}
