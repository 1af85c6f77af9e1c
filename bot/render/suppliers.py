"""How supplier checks are shown and kept: link verdicts, the scorecard, saved facts."""

from __future__ import annotations

from bot.domain.links.classify import LinkCheck, LinkKind
from bot.domain.suppliers.scorecard import Factor, Rating, Scorecard
from bot.domain.suppliers.summary import key_findings, still_open, supplier_kind
from bot.render.i18n import Html, translate

# Lookalike and unresolvable links get no guided check: there is no supplier to check yet.
CHECKABLE_KINDS = frozenset(
    {LinkKind.OFFER, LinkKind.SHOP, LinkKind.PAGE, LinkKind.SHARE_LINK, LinkKind.OTHER_PLATFORM}
)
# A pasted link can be thousands of characters (found by fuzzing); echoed whole it would
# push the verdict past Telegram's 4096-character limit. Real pages stay well under this.
MAX_SHOWN_URL = 1000
# A finding quotes one piece of evidence, cut to keep the first screen short.
MAX_QUOTE = 60
# The short card's title names the supplier; the whole name is behind Details.
MAX_SHORT_LABEL = 30


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
    """The whole card, behind "Details": every answer, what is still open, all steps."""
    answered = [factor for factor in card.factors if factor.rating is not Rating.UNKNOWN]
    parts = [_title(card, label, language)]
    if answered:
        parts.append("\n".join(_factor_line(factor, language) for factor in answered))
    if unanswered := still_open(card):
        names = [
            translate(
                language,
                "sup_card_open_item",
                name=Html(translate(language, f"sup_factor_{code}")),
            )
            for code in unanswered
        ]
        parts.append(translate(language, "sup_card_open") + "\n" + "\n".join(names))
    if card.next_steps:
        steps = [
            f"{number}. {translate(language, f'sup_step_{code}')}"
            for number, code in enumerate(card.next_steps, start=1)
        ]
        parts.append(translate(language, "sup_card_next") + "\n" + "\n".join(steps))
    parts.append(translate(language, "sup_card_footer"))
    return "\n\n".join(parts)


def render_scorecard_short(card: Scorecard, label: str, language: str) -> str:
    """The first screen: the verdict, at most three findings, the one next step."""
    parts = [_title(card, _clip(label, MAX_SHORT_LABEL), language)]
    if findings := key_findings(card):
        parts.append("\n".join(_finding(factor, language) for factor in findings))
    if card.next_steps:
        step = Html(translate(language, f"sup_next_{card.next_steps[0]}"))
        parts.append(translate(language, "sup_card_next_one", step=step))
    return "\n\n".join(parts)


def badge_name(code: str, language: str) -> str:
    """A badge as the user reads it: the Chinese term and its name in their language."""
    return translate(language, f"sup_badge_name_{code}")


def _title(card: Scorecard, label: str, language: str) -> str:
    kind = translate(language, f"sup_kind_{supplier_kind(card)}")
    rating = Html(_rating(card.overall, language))
    return (
        translate(language, "sup_card_title", label=label)
        + "\n"
        + translate(language, "sup_card_verdict", rating=rating, kind=kind)
    )


def _rating(rating: Rating, language: str) -> str:
    return translate(language, f"sup_rating_{rating.value}")


def _evidence(factor: Factor, language: str) -> list[str]:
    """What the factor quotes; badges by their names, never by their codes."""
    if factor.code == "badges":
        return [badge_name(code, language) for code in factor.evidence]
    return list(factor.evidence)


def _finding(factor: Factor, language: str) -> str:
    icon = translate(language, f"sup_rating_icon_{factor.rating.value}")
    text = translate(language, f"sup_short_{factor.detail}")
    evidence = _evidence(factor, language)
    if not evidence:
        return translate(language, "sup_card_finding", rating=Html(icon), text=Html(text))
    quote = _clip(", ".join(evidence) if factor.code == "badges" else evidence[0], MAX_QUOTE)
    return translate(
        language, "sup_card_finding_quote", rating=Html(icon), text=Html(text), quote=quote
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _factor_line(factor: Factor, language: str) -> str:
    name = Html(translate(language, f"sup_factor_{factor.code}"))
    details = _evidence(factor, language)
    if factor.detail:
        details.append(translate(language, f"sup_detail_{factor.detail}"))
    shown = "; ".join(details)[:300]
    rating = Html(_rating(factor.rating, language))
    if shown:
        return translate(
            language, "sup_card_factor_detail", rating=rating, name=name, detail=shown
        )
    return translate(language, "sup_card_factor", rating=rating, name=name)
