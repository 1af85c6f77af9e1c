"""The scorecard's short form: what the first screen says before "Details".

The verdict line names what the supplier is (factory, trader, both, unclear) next to the
overall rating; at most three findings follow, the worst first, then the one next step.
Everything else stays in the full card, one tap away.
"""

from __future__ import annotations

from bot.domain.suppliers.scorecard import Factor, Rating, Scorecard

MAX_FINDINGS = 3
SUPPLIER_KINDS: tuple[str, ...] = ("factory", "trader", "mixed", "unclear")

_KIND_BY_SCOPE = {
    "scope_manufacturer": "factory",
    "scope_trader": "trader",
    # A self-applied factory label does not make a trading licence a factory's.
    "scope_factory_claim_but_trader": "trader",
    "scope_mixed": "mixed",
}
# Worst first: a red finding is never pushed off the first screen by a green one.
_SEVERITY = (Rating.RED, Rating.AMBER, Rating.GREEN)


def supplier_kind(card: Scorecard) -> str:
    """Factory, trader, both or unclear: from the licence scope, the only proof we read."""
    scope = next((factor for factor in card.factors if factor.code == "scope"), None)
    detail = scope.detail if scope is not None else None
    return _KIND_BY_SCOPE.get(detail or "", "unclear")


def key_findings(card: Scorecard, limit: int = MAX_FINDINGS) -> tuple[Factor, ...]:
    """The findings worth the first screen: rated ones with a reason, the worst first."""
    rated = [factor for factor in card.factors if factor.detail is not None]
    ordered = [factor for rating in _SEVERITY for factor in rated if factor.rating is rating]
    return tuple(ordered[:limit])


def still_open(card: Scorecard) -> tuple[str, ...]:
    """The factor codes nobody could answer yet."""
    return tuple(factor.code for factor in card.factors if factor.rating is Rating.UNKNOWN)
