"""How supplier checks are shown and kept: link verdicts, the scorecard, saved facts."""

from __future__ import annotations

from bot.domain.links.classify import LinkCheck, LinkKind
from bot.domain.suppliers.scorecard import Factor, Rating, Scorecard
from bot.render.i18n import Html, translate

# Lookalike and unresolvable links get no guided check: there is no supplier to check yet.
CHECKABLE_KINDS = frozenset(
    {LinkKind.OFFER, LinkKind.SHOP, LinkKind.PAGE, LinkKind.SHARE_LINK, LinkKind.OTHER_PLATFORM}
)
# A pasted link can be thousands of characters (found by fuzzing); echoed whole it would
# push the verdict past Telegram's 4096-character limit. Real pages stay well under this.
MAX_SHOWN_URL = 1000


def render_link(check: LinkCheck, language: str) -> str:
    lines = [translate(language, f"link_kind_{check.kind.value}")]
    if check.title:
        lines.append(translate(language, "sup_link_title", title=check.title))
    if check.via_agent:
        lines.append(translate(language, "sup_link_agent", agent=check.via_agent))
    if check.offer_id:
        lines.append(translate(language, "sup_link_offer", offer_id=check.offer_id))
    if check.shop_id:
        lines.append(translate(language, "sup_link_shop", shop_id=check.shop_id))
    if check.url and check.kind is not LinkKind.LOOKALIKE:
        lines.append(translate(language, "sup_link_url", url=clip_url(check.url)))
    reasons = [
        translate(language, "sup_bullet", text=Html(translate(language, f"link_reason_{code}")))
        for code in check.reasons
    ]
    return "\n".join(lines) + ("\n\n" + "\n".join(reasons) if reasons else "")


def clip_url(url: str) -> str:
    """A link as shown to the user: whole unless absurdly long."""
    return url if len(url) <= MAX_SHOWN_URL else url[: MAX_SHOWN_URL - 1] + "…"


def render_scorecard(card: Scorecard, label: str, language: str) -> str:
    parts = [
        translate(language, "sup_card_title", label=label),
        translate(language, "sup_card_overall", rating=Html(_rating(card.overall, language))),
        "\n".join(_factor_line(factor, language) for factor in card.factors),
    ]
    if card.next_steps:
        steps = [
            f"{number}. {translate(language, f'sup_step_{code}')}"
            for number, code in enumerate(card.next_steps, start=1)
        ]
        parts.append(translate(language, "sup_card_next") + "\n" + "\n".join(steps))
    parts.append(translate(language, "sup_card_footer"))
    return "\n\n".join(parts)


def _rating(rating: Rating, language: str) -> str:
    return translate(language, f"sup_rating_{rating.value}")


def _factor_line(factor: Factor, language: str) -> str:
    name = Html(translate(language, f"sup_factor_{factor.code}"))
    details = [*factor.evidence]
    if factor.detail:
        details.append(translate(language, f"sup_detail_{factor.detail}"))
    shown = "; ".join(details)[:300]
    rating = Html(_rating(factor.rating, language))
    if shown:
        return translate(
            language, "sup_card_factor_detail", rating=rating, name=name, detail=shown
        )
    return translate(language, "sup_card_factor", rating=rating, name=name)
