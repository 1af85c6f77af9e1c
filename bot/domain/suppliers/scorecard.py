"""Supplier due diligence: what a buyer can check about a 1688 supplier before paying.

The checks follow what each signal really shows (research §4, §7): badges are mostly paid
memberships or undefined labels, the business scope (经营范围) tells a factory from a
trader, the USCC's check character catches typos and casual fakes but not a company that
does not exist, and the one rule with no exception is that the shop company, the licence
and the bank beneficiary must be the same company.

The rules are conservative: a factor nobody checked is UNKNOWN, not fine, and the overall
rating is GREEN only when the key factors are green. This module returns codes only; the
texts are `sup_*` keys in the catalogues.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any

from bot.domain.counterfeits import IpRisk, check_listing, normalise_text
from bot.domain.payments.payees import Payee, find_payee
from bot.domain.payments.text import clause_start, is_negated
from bot.domain.suppliers.registry import check_uscc, find_uscc


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNKNOWN = "unknown"


class Category(StrEnum):
    FAST_MOVING = "fast_moving"
    MACHINERY_CUSTOM = "machinery_custom"
    GENERAL = "general"


# 诚信通, 实力商家, 超级工厂, 验厂报告/深度验厂, 源头工厂/实力工厂 label.
BADGES: tuple[str, ...] = (
    "chengxintong",
    "strength_merchant",
    "super_factory",
    "factory_audit",
    "source_factory",
)

FACTOR_CODES: tuple[str, ...] = (
    "names",
    "uscc",
    "scope",
    "live_test",
    "factory_video",
    "badges",
    "chengxintong_years",
    "repeat_rate",
    "ip_risk",
)


@dataclass(frozen=True)
class SupplierFacts:
    """What the buyer told us or pasted; None means "don't know" or "skipped"."""

    shop_company: str | None = None  # company name shown on the 1688 shop
    licence_name: str | None = None  # name on the business licence (营业执照 / 工商信息)
    beneficiary: str | None = None  # bank beneficiary (收款户名) the supplier gave
    licence_scope: str | None = None  # 经营范围
    uscc: str | None = None
    badges: frozenset[str] | None = None  # frozenset() means "none of them"
    chengxintong_years: int | None = None
    repeat_rate: float | None = None  # percent, e.g. 32.5
    category: Category | None = None
    has_factory_video: bool | None = None  # factory video or VR tour on the shop
    live_test_passed: bool | None = None  # company name + today's date next to the goods
    listing_text: str | None = None  # title/description, for IP red flags

    def merged(self, other: SupplierFacts) -> SupplierFacts:
        """This one's facts, with the ones it does not know taken from `other`."""
        values = {}
        for field in fields(self):
            mine = getattr(self, field.name)
            values[field.name] = mine if mine is not None else getattr(other, field.name)
        return SupplierFacts(**values)


# --- Business scope (经营范围) ------------------------------------------------------------


@dataclass(frozen=True)
class ScopeResult:
    kind: str  # "manufacturer" | "trader" | "mixed" | "unknown"
    evidence: tuple[str, ...]


SCOPE_KINDS = ("manufacturer", "trader", "mixed", "unknown")

# Leftmost match wins, so "委托加工" (having others process goods: trading) is read before
# the "加工" inside it. 生产资料 are "means of production", a trade category.
_SCOPE_WORDS = re.compile(
    r"(?P<outsourced>委托加工|委托生产|外协加工)"
    r"|(?P<trade>批发|零售|贸易|经销|代理|商贸"
    r"|(?<![a-z])(?:wholesale|retail|trading|distribution|agency)(?![a-z]))"
    r"|(?P<sells>销售|进出口|(?<![a-z])(?:sales?|selling|import\s+and\s+export)(?![a-z]))"
    r"|(?P<make>制造|生产(?!资料)|加工|制作|组装|装配|印刷|铸造|锻造|注塑|冲压|纺织|织造|缝制|研制"
    r"|(?<![a-z])(?:manufactur\w*|production|produc(?:e|es|ing)|processing|assembl\w*|"
    r"fabricat\w*)(?![a-z]))",
    re.IGNORECASE,
)


def classify_scope(text: str) -> ScopeResult:
    """Factory or trader, from the words of the business scope.

    A scope that makes things is a manufacturer even when it also says 销售 or 进出口:
    factories sell and export what they make. It is "mixed" when it also wholesales,
    retails or trades (批发, 零售, 贸易…), which factories sometimes do and middlemen
    posing as factories always do; "trader" when nothing is made.
    """
    prepared = normalise_text(text)
    found: dict[str, list[str]] = {"make": [], "outsourced": [], "trade": [], "sells": []}
    for match in _SCOPE_WORDS.finditer(prepared):
        if _scope_denied(prepared, match.start()):
            continue
        kind = match.lastgroup or ""
        found[kind].append(match.group())
    evidence = tuple(dict.fromkeys(word for words in found.values() for word in words))
    return ScopeResult(_scope_kind(found), evidence)


# Exclusions written into scopes: "(不含危险化学品生产)", "不得从事加工".
_SCOPE_DENIAL = re.compile(r"不含|不包含|不包括|不得|不从事|不涉及|不经营|禁止")
_DENIAL_REACH = 15


def _scope_denied(text: str, start: int) -> bool:
    window = text[clause_start(text, start) : start][-_DENIAL_REACH:]
    window = window[window.rfind(")") + 1 :]  # an exclusion in brackets ends with them
    return _SCOPE_DENIAL.search(window) is not None or is_negated(text, start)


def _scope_kind(found: dict[str, list[str]]) -> str:
    if found["make"]:
        return "mixed" if found["trade"] or found["outsourced"] else "manufacturer"
    if found["trade"] or found["sells"] or found["outsourced"]:
        return "trader"
    return "unknown"


# --- Names: shop company, licence, beneficiary ---------------------------------------------

NAME_ROLES = ("shop", "licence", "beneficiary")


@dataclass(frozen=True)
class NamePair:
    left: str
    right: str
    same: bool
    difference: str | None  # "…有限公司 ≠ …有限责任公司"; None when the same
    kind: str = "same"  # "same" | "legal_form" | "script" | "different"
    left_role: str = ""  # one of NAME_ROLES
    right_role: str = ""


@dataclass(frozen=True)
class NameMatch:
    rating: Rating
    pairs: tuple[NamePair, ...]
    personal_name: str | None  # a name that looks like a person where a company belongs
    detail: str | None = None  # why the rating (`sup_detail_<detail>`)


# Legal forms that say how a company is organised, not which company it is. A name that
# differs only here is probably the same company written carelessly, but the bank and the
# registry only know the exact name.
_LEGAL_FORM = re.compile(
    r"股份有限公司|有限责任公司|有限公司|集团公司|公司"
    r"|(?<![a-z])(?:co|company|corp|corporation|ltd|limited|inc|incorporated|llc|plc|gmbh)(?![a-z])",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_CONTEXT = 2  # characters shown either side of a difference


@dataclass(frozen=True)
class _Comparable:
    display: str  # the name as shown (normal form, trimmed)
    key: str  # only letters and digits, lower case: what is compared
    positions: tuple[int, ...]  # where each character of `key` is in `display`


def _comparable(name: str) -> _Comparable:
    display = normalise_text(name).strip()
    positions = tuple(index for index, char in enumerate(display) if char.isalnum())
    key = "".join(_lower(display[index]) for index in positions)
    return _Comparable(display, key, positions)


def _lower(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char  # keep one character per position


def compare_names(left: str, right: str) -> NamePair:
    """Character by character, after full-width, brackets, spaces and case are ignored."""
    a, b = _comparable(left), _comparable(right)
    if a.key == b.key:
        return NamePair(a.display, b.display, same=True, difference=None)
    return NamePair(
        a.display, b.display, same=False, difference=_describe(a, b), kind=_difference_kind(a, b)
    )


def _difference_kind(a: _Comparable, b: _Comparable) -> str:
    if bool(_CJK.search(a.key)) != bool(_CJK.search(b.key)):
        return "script"  # a Chinese name and its English version cannot be compared
    if _without_legal_form(a.key) == _without_legal_form(b.key):
        return "legal_form"
    return "different"


def _without_legal_form(key: str) -> str:
    return _LEGAL_FORM.sub("", key)


def _describe(a: _Comparable, b: _Comparable) -> str:
    """Each place where the names differ, with a little context: "…有限公司 ≠ …有限责任公司"."""
    if _difference_kind(a, b) == "script":
        return f"{a.display} ≠ {b.display}"
    matcher = difflib.SequenceMatcher(None, a.key, b.key, autojunk=False)
    parts = []
    for group in matcher.get_grouped_opcodes(_CONTEXT):
        left = _snippet(a, group[0][1], group[-1][2])
        right = _snippet(b, group[0][3], group[-1][4])
        parts.append(f"{left} ≠ {right}")
    return "; ".join(parts)


def _snippet(name: _Comparable, start: int, end: int) -> str:
    if start >= end:
        return "—"
    first, last = name.positions[start], name.positions[end - 1] + 1
    text = name.display[first:last]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(name.key) else ""
    return f"{prefix}{text}{suffix}"


# A Latin name with a Chinese place in it is a company ("Shenzhen Bright Star"), as is a
# Chinese one with a city, province or county.
_PLACE = re.compile(
    r"[市省县]|(?<![a-z])(?:shenzhen|guangzhou|yiwu|ningbo|hangzhou|shanghai|beijing|dongguan|"
    r"foshan|xiamen|jinhua|wenzhou|quanzhou|suzhou|tianjin|qingdao|zhongshan|shantou|"
    r"hong\s*kong|zhejiang|guangdong|jiangsu|fujian|shandong|hebei|china)(?![a-z])",
    re.IGNORECASE,
)


def looks_like_person_name(name: str) -> bool:
    """张伟, 欧阳娜娜, Li Na, ZHANG WEI: a person's name rather than a company's."""
    display = normalise_text(name).strip()
    if not display or _PLACE.search(display):
        return False
    # The payment checker already tells a person from a company in a "户名" line.
    found = find_payee(f"户名: {display}")
    return found is not None and found[0] is Payee.PERSON


def match_names(
    shop_company: str | None, licence_name: str | None, beneficiary: str | None
) -> NameMatch:
    names = {
        role: name
        for role, name in zip(NAME_ROLES, (shop_company, licence_name, beneficiary), strict=True)
        if name is not None and _comparable(name).key
    }
    pairs = tuple(
        _role_pair(names, left, right)
        for left, right in _pairs_to_compare(names)
        if left in names and right in names
    )
    personal = _personal(names)
    rating, detail = _names_rating(names, pairs, personal)
    return NameMatch(rating, pairs, personal[1] if personal else None, detail)


def _pairs_to_compare(names: dict[str, str]) -> list[tuple[str, str]]:
    """Everything against the licence, which is what the registry knows; without a licence,
    the shop against the beneficiary."""
    if "licence" in names:
        return [("shop", "licence"), ("licence", "beneficiary")]
    return [("shop", "beneficiary")]


def _role_pair(names: dict[str, str], left: str, right: str) -> NamePair:
    pair = compare_names(names[left], names[right])
    return NamePair(
        pair.left,
        pair.right,
        pair.same,
        pair.difference,
        pair.kind,
        left_role=left,
        right_role=right,
    )


def _personal(names: dict[str, str]) -> tuple[str, str] | None:
    for role in ("beneficiary", "licence", "shop"):
        if role in names and looks_like_person_name(names[role]):
            return role, normalise_text(names[role]).strip()
    return None


def _names_rating(
    names: dict[str, str], pairs: tuple[NamePair, ...], personal: tuple[str, str] | None
) -> tuple[Rating, str | None]:
    kinds = {pair.kind for pair in pairs}
    if personal and personal[0] == "beneficiary":
        return Rating.RED, "names_personal_beneficiary"
    if "different" in kinds:
        return Rating.RED, "names_differ"
    if personal:
        return Rating.AMBER, "names_personal_company"
    if kinds & {"legal_form", "script"}:
        return Rating.AMBER, "names_legal_form" if "legal_form" in kinds else "names_script"
    if not pairs:
        return Rating.UNKNOWN, None
    if "licence" not in names:
        return Rating.AMBER, "names_no_licence"
    return Rating.GREEN, "names_match"


# --- Factors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    code: str  # one of FACTOR_CODES
    rating: Rating
    evidence: tuple[str, ...] = ()
    detail: str | None = None  # why this rating: `sup_detail_<detail>`


@dataclass(frozen=True)
class Scorecard:
    factors: tuple[Factor, ...]
    overall: Rating
    next_steps: tuple[str, ...]  # `sup_step_<code>`, most important first


# Every `Factor.detail` the rules can give (each has a `sup_detail_<code>` text).
DETAIL_CODES: tuple[str, ...] = (
    "names_match",
    "names_legal_form",
    "names_script",
    "names_differ",
    "names_personal_beneficiary",
    "names_personal_company",
    "names_no_licence",
    "uscc_valid_enterprise",
    "uscc_individual_business",
    "uscc_other_entity",
    "uscc_not_business_registry",
    "uscc_empty",
    "uscc_characters",
    "uscc_length",
    "uscc_check_digit",
    "scope_manufacturer",
    "scope_mixed",
    "scope_trader",
    "scope_unknown",
    "scope_factory_claim_but_trader",
    "live_test_yes",
    "live_test_no",
    "video_yes",
    "video_no",
    "badges_tier",
    "badges_label_only",
    "badges_membership_only",
    "badges_none",
    "years_new",
    "years_established",
    "years_invalid",
    "repeat_above_norm",
    "repeat_in_norm",
    "repeat_below_norm",
    "repeat_far_below_norm",
    "repeat_out_of_range",
    "ip_low",
    "ip_medium",
    "ip_high",
)


@dataclass(frozen=True)
class RepeatNorm:
    low: float  # the usual range for the category starts here…
    high: float  # …and ends here
    far_below: float | None  # under this is RED; None where no norm is published


# Usual 回头率 by kind of goods (seed article, step 3): consumables are re-bought often,
# machines and custom work seldom. 1688 counts repeat buyers and repeat GMV over 90 days
# and the value varies by category, so only the two documented bands are firm; "general"
# sits between them and never rates red.
REPEAT_NORMS: dict[Category, RepeatNorm] = {
    Category.FAST_MOVING: RepeatNorm(low=20, high=40, far_below=10),
    Category.MACHINERY_CUSTOM: RepeatNorm(low=5, high=10, far_below=2),
    Category.GENERAL: RepeatNorm(low=10, high=30, far_below=None),
}


def rate_repeat_rate(rate: float | None, category: Category | None) -> Factor:
    """Inside or above the band: green. Below: amber. Far below (under half): red."""
    if rate is None:
        return Factor("repeat_rate", Rating.UNKNOWN)
    if not 0 <= rate <= 100:  # also catches NaN
        return Factor("repeat_rate", Rating.UNKNOWN, (f"{rate:g}%",), "repeat_out_of_range")
    norm = REPEAT_NORMS[category or Category.GENERAL]
    evidence = (f"{rate:g}%", f"{norm.low:g}–{norm.high:g}%")
    if rate > norm.high:
        return Factor("repeat_rate", Rating.GREEN, evidence, "repeat_above_norm")
    if rate >= norm.low:
        return Factor("repeat_rate", Rating.GREEN, evidence, "repeat_in_norm")
    if norm.far_below is not None and rate < norm.far_below:
        return Factor("repeat_rate", Rating.RED, evidence, "repeat_far_below_norm")
    return Factor("repeat_rate", Rating.AMBER, evidence, "repeat_below_norm")


# Platform tiers with entry rules (实力商家) or an inspection behind them; the rest is a
# paid membership (诚信通) or a label nobody defines (源头工厂).
_TIER_BADGES = frozenset({"strength_merchant", "super_factory", "factory_audit"})
_FACTORY_BADGES = frozenset({"super_factory", "factory_audit", "source_factory"})


def _badges_factor(badges: frozenset[str] | None) -> Factor:
    if badges is None:
        return Factor("badges", Rating.UNKNOWN)
    shown = tuple(badge for badge in BADGES if badge in badges)
    if badges & _TIER_BADGES:
        return Factor("badges", Rating.GREEN, shown, "badges_tier")
    if "source_factory" in badges:
        return Factor("badges", Rating.AMBER, shown, "badges_label_only")
    if "chengxintong" in badges:
        return Factor("badges", Rating.AMBER, shown, "badges_membership_only")
    return Factor("badges", Rating.AMBER, shown, "badges_none")


ESTABLISHED_YEARS = 3  # 诚信通 paid this long: past the first renewals, not a pop-up shop


def _years_factor(years: int | None) -> Factor:
    if years is None:
        return Factor("chengxintong_years", Rating.UNKNOWN)
    if not 0 <= years <= 30:  # 1688 opened in 1999
        return Factor("chengxintong_years", Rating.UNKNOWN, (str(years),), "years_invalid")
    if years < ESTABLISHED_YEARS:
        return Factor("chengxintong_years", Rating.AMBER, (str(years),), "years_new")
    return Factor("chengxintong_years", Rating.GREEN, (str(years),), "years_established")


def _scope_factor(scope: str | None, badges: frozenset[str] | None) -> Factor:
    if scope is None or not scope.strip():
        return Factor("scope", Rating.UNKNOWN)
    result = classify_scope(scope)
    if result.kind == "manufacturer":
        return Factor("scope", Rating.GREEN, result.evidence, "scope_manufacturer")
    if result.kind == "unknown":
        return Factor("scope", Rating.UNKNOWN, result.evidence, "scope_unknown")
    if result.kind == "trader" and badges and "source_factory" in badges:
        # A self-applied "source factory" label on a company licensed only to trade: the
        # middleman-posing-as-factory pattern.
        return Factor("scope", Rating.RED, result.evidence, "scope_factory_claim_but_trader")
    return Factor("scope", Rating.AMBER, result.evidence, f"scope_{result.kind}")


def _uscc_factor(uscc: str | None) -> Factor:
    if uscc is None or not uscc.strip():
        return Factor("uscc", Rating.UNKNOWN)
    check = check_uscc(uscc)
    evidence = (check.normalized[:40],)
    if not check.valid:
        return Factor("uscc", Rating.RED, evidence, f"uscc_{check.problem}")
    if check.registration_authority != "industry_commerce":
        return Factor("uscc", Rating.AMBER, evidence, "uscc_not_business_registry")
    if check.entity_type == "enterprise":
        return Factor("uscc", Rating.GREEN, evidence, "uscc_valid_enterprise")
    if check.entity_type == "individual_business":
        return Factor("uscc", Rating.AMBER, evidence, "uscc_individual_business")
    return Factor("uscc", Rating.AMBER, evidence, "uscc_other_entity")


def _names_factor(facts: SupplierFacts) -> Factor:
    match = match_names(facts.shop_company, facts.licence_name, facts.beneficiary)
    evidence = tuple(pair.difference for pair in match.pairs if pair.difference)
    if match.personal_name:
        evidence = (match.personal_name, *evidence)
    return Factor("names", match.rating, evidence, match.detail)


def _yes_no_factor(code: str, value: bool | None, *, no: Rating) -> Factor:
    if value is None:
        return Factor(code, Rating.UNKNOWN)
    prefix = {"factory_video": "video", "live_test": "live_test"}[code]
    if value:
        return Factor(code, Rating.GREEN, (), f"{prefix}_yes")
    return Factor(code, no, (), f"{prefix}_no")


_IP_RATINGS = {IpRisk.LOW: Rating.GREEN, IpRisk.MEDIUM: Rating.AMBER, IpRisk.HIGH: Rating.RED}


def _ip_factor(listing: str | None) -> Factor:
    if listing is None or not listing.strip():
        return Factor("ip_risk", Rating.UNKNOWN)
    check = check_listing(listing)
    evidence = tuple(dict.fromkeys(flag.evidence for flag in check.flags))
    return Factor("ip_risk", _IP_RATINGS[check.risk], evidence, f"ip_{check.risk}")


def _factors(facts: SupplierFacts) -> dict[str, Factor]:
    factors = (
        _names_factor(facts),
        _uscc_factor(facts.uscc),
        _scope_factor(facts.licence_scope, facts.badges),
        # A seller who cannot or will not photograph the goods may not have them.
        _yes_no_factor("live_test", facts.live_test_passed, no=Rating.RED),
        # No video is common for small honest sellers: a gap, not a warning.
        _yes_no_factor("factory_video", facts.has_factory_video, no=Rating.AMBER),
        _badges_factor(facts.badges),
        _years_factor(facts.chengxintong_years),
        rate_repeat_rate(facts.repeat_rate, facts.category),
        _ip_factor(facts.listing_text),
    )
    return {factor.code: factor for factor in factors}


# --- Overall rating and next steps --------------------------------------------------------


def score_supplier(facts: SupplierFacts) -> Scorecard:
    factors = _factors(facts)
    overall = _overall(factors)
    steps = _next_steps(facts, factors, overall)
    return Scorecard(tuple(factors[code] for code in FACTOR_CODES), overall, steps)


def _overall(factors: dict[str, Factor]) -> Rating:
    ratings = [factor.rating for factor in factors.values()]
    if Rating.RED in ratings:
        return Rating.RED
    if all(rating is Rating.UNKNOWN for rating in ratings):
        return Rating.UNKNOWN
    if Rating.AMBER not in ratings and _key_factors_green(factors):
        return Rating.GREEN
    return Rating.AMBER


def _key_factors_green(factors: dict[str, Factor]) -> bool:
    """Who they are (names), what they are (scope or USCC), that the goods exist (a live
    photo or the platform's factory video). Badges and rates never make up for these."""

    def green(code: str) -> bool:
        return factors[code].rating is Rating.GREEN

    return (
        green("names")
        and (green("scope") or green("uscc"))
        and (green("live_test") or green("factory_video"))
    )


STEP_CODES: tuple[str, ...] = (
    "stop_personal_account",
    "resolve_name_mismatch",
    "recheck_uscc",
    "question_factory_claim",
    "live_test_failed",
    "avoid_ip_risk",
    "get_licence",
    "compare_names",
    "check_gsxt",
    "ask_live_test",
    "watch_factory_video",
    "ask_factory_proof",
    "check_repeat_rate",
    "check_badges",
    "order_sample",
    "pay_in_checkout",
)


def _next_steps(
    facts: SupplierFacts, factors: dict[str, Factor], overall: Rating
) -> tuple[str, ...]:
    def rated(code: str, *ratings: Rating) -> bool:
        return factors[code].rating in ratings

    names_detail = factors["names"].detail
    wanted = {
        "stop_personal_account": names_detail == "names_personal_beneficiary",
        "resolve_name_mismatch": names_detail
        in {"names_differ", "names_legal_form", "names_script", "names_personal_company"},
        "recheck_uscc": rated("uscc", Rating.RED),
        "question_factory_claim": factors["scope"].detail == "scope_factory_claim_but_trader",
        "live_test_failed": rated("live_test", Rating.RED),
        "avoid_ip_risk": rated("ip_risk", Rating.RED, Rating.AMBER),
        "get_licence": facts.licence_name is None
        and facts.uscc is None
        and facts.licence_scope is None,
        "compare_names": rated("names", Rating.UNKNOWN)
        or names_detail == "names_no_licence"
        or (facts.beneficiary is None and not rated("names", Rating.RED)),
        "check_gsxt": True,  # nothing here can tell that the company exists and is active
        "ask_live_test": facts.live_test_passed is None,
        "watch_factory_video": facts.has_factory_video is None,
        "ask_factory_proof": factors["scope"].detail in {"scope_trader", "scope_mixed"},
        "check_repeat_rate": facts.repeat_rate is None,
        "check_badges": facts.badges is None or facts.chengxintong_years is None,
        "order_sample": overall is Rating.AMBER,
        "pay_in_checkout": True,
    }
    return tuple(code for code in STEP_CODES if wanted[code])


# --- Pasted profiles ----------------------------------------------------------------------

MAX_PROFILE_CHARACTERS = 20_000
# Short labels are also the end of longer words (产品名称, 收货地址); they count only
# where no Chinese character comes before them. Pasted profiles lose the spaces between a
# value and the next label, so the longer labels may follow anything.
_G = r"(?<![\u4e00-\u9fff])"

# Labels of the fields a profile may hold, by what they fill. "other" labels fill nothing;
# they are there so that the value before them ends where they begin (法定代表人 is a
# person, not the company).
_LABELS: dict[str, str] = {
    # First, so that "Company type:" is read as this and not as "Company" + "type:".
    "other": r"法定代表人|法人代表|经营者|负责人|成立日期|成立时间|注册资本|实缴资本|登记机关|"
    r"登记状态|经营状态|企业类型|公司类型|营业期限|注册地址|经营地址|核准日期|所属行业|"
    r"纳税人识别号|开户行|开户银行|银行账号|店铺名称|店铺名|人员规模|参保人数|联系电话|联系人|"
    r"回头率|复购率|repeat\s+(?:purchase\s+)?rate|repurchase\s+rate|"
    rf"{_G}(?:法人|住所|地址|电话|手机|账号|卡号)|"
    r"legal\s+representative|registered\s+capital|date\s+of\s+establishment|established|"
    r"address|status|company\s+type|bank(?:\s+name)?|account\s+(?:no\.?|number)|swift|"
    r"shop\s+name|store\s+name|phone|contact",
    "licence_name": rf"企业名称|注册名称|营业执照名称|{_G}名称|registered\s+name|"
    r"enterprise\s+name|legal\s+name",
    "company_name": r"公司名称|公司全称|company\s+name|company",
    "uscc": r"统一社会信用代码|社会信用代码|信用代码|uscc|unified\s+social\s+credit\s+code",
    "scope": r"经营范围|business\s+scope|scope\s+of\s+business",
    "beneficiary": rf"收款户名|收款人|开户名|账户名称|账户名|{_G}户名|beneficiary(?:\s+name)?|"
    r"account\s+name",
    "main_products": rf"主营产品|主营业务|主要产品|{_G}主营|main\s+products?",
}
_LABEL = re.compile(
    "|".join(rf"(?P<{field}>(?<![a-z])(?:{pattern}))" for field, pattern in _LABELS.items()),
    re.IGNORECASE,
)
_COLON = re.compile(r"\s*[:=]\s*")
_LEADING_COLON = re.compile(r"^\s*[:=]?\s*")
# Words that mark a pasted text as registry data (the licence), not the shop's header.
_REGISTRY_CONTEXT = re.compile(
    r"工商信息|营业执照|企业信息|公司档案|深度档案|统一社会信用代码|法定代表人|注册资本|登记机关|"
    r"成立日期|经营范围|business\s+licen[cs]e|registration|legal\s+representative|"
    r"credit\s+code|business\s+scope",
    re.IGNORECASE,
)


def reads_as_registry(text: str) -> bool:
    """Is a pasted text registry data (a company name in it is the licence name), rather
    than the shop's header (the shop company)? The same test parse_profile applies."""
    return _REGISTRY_CONTEXT.search(normalise_text(text)) is not None


@dataclass(frozen=True)
class _Field:
    name: str
    value: str


def _line_fields(line: str, next_line: str | None) -> list[_Field]:
    """The labelled values on one line; a label alone at the end takes the next line."""
    labels = [match for match in _LABEL.finditer(line) if _is_label(line, match)]
    result = []
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
        value = _LEADING_COLON.sub("", line[label.end() : end]).strip(" |;,-")
        if not value and index + 1 == len(labels) and _is_plain(next_line):
            value = (next_line or "").strip()
        result.append(_Field(label.lastgroup or "other", value))
    return result


def _is_plain(line: str | None) -> bool:
    """A line holding a value alone, without a label of its own."""
    return line is not None and not any(_is_label(line, m) for m in _LABEL.finditer(line))


def _is_label(line: str, match: re.Match[str]) -> bool:
    """A label is followed by a colon, or starts the line (pasted tables lose colons)."""
    if _COLON.match(line, match.end()):
        return True
    return match.start() == 0 and bool(_CJK.match(match.group()))


_COMPANY_LINE = re.compile(
    r"[\u4e00-\u9fff()A-Za-z0-9]{2,40}(?:有限责任公司|股份有限公司|有限公司|公司|厂|商行|经营部)"
    r"|[A-Za-z][A-Za-z0-9 .,&()'-]{2,80}\b(?:co\.?,?\s*ltd\.?|limited|company|corp\.?|inc\.?)",
    re.IGNORECASE,
)
_BADGE_WORDS: dict[str, re.Pattern[str]] = {
    "chengxintong": re.compile(r"诚信通|trust\s*pass|chengxintong", re.IGNORECASE),
    "strength_merchant": re.compile(
        r"实力商家|实力供应商|实力专营店|实力旗舰店|(?:strength|power|powerful)\s+merchant",
        re.IGNORECASE,
    ),
    "super_factory": re.compile(r"超级工厂|super\s+factory", re.IGNORECASE),
    "factory_audit": re.compile(
        r"深度验厂|验厂报告|实地验厂|(?:factory|on-?site)\s+(?:audit|inspection)|audited\s+factory",
        re.IGNORECASE,
    ),
    "source_factory": re.compile(
        r"源头工厂|源头厂家|实力工厂|(?:source|power)\s+factory", re.IGNORECASE
    ),
}
# Forms the factory video and the VR tour take on a shop ("VR" or "全景" alone could be the
# goods: VR headsets, panoramic sunroofs).
_VIDEO = re.compile(
    r"工厂视频|厂房视频|车间视频|视频看厂|看厂视频|工厂实拍视频|VR\s*(?:看厂|全景|展厅|工厂|验厂)|"
    r"全景(?:看厂|展厅|工厂|验厂)|720°?\s*全景|"
    r"(?:factory|workshop)\s+(?:video|tour)|(?:vr|virtual|360\s*°?|panoramic)\s+(?:factory\s+)?tour",
    re.IGNORECASE,
)
# "暂无工厂视频", "no VR tour": the shop says it does not have one.
_ABSENT_BEFORE = re.compile(r"(?:暂无|没有|尚无|无|未|(?<![a-z])(?:no|not|without))\s*$", re.I)
_REPEAT_RATE = re.compile(
    r"(?:回头率|复购率|(?<![a-z])(?:repeat\s+(?:purchase\s+|buyer\s+|order\s+)?rate|"
    r"repurchase\s+rate|re-?order\s+rate))\s*[:=]?\s*(?P<rate>\d{1,3}(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)
_YEARS = re.compile(
    r"诚信通\s*(?:第\s*)?(?P<a>\d{1,2})\s*年"
    r"|(?P<b>\d{1,2})\s*年\s*诚信通"
    r"|(?:trust\s*pass|chengxintong)\s*[:=]?\s*(?P<c>\d{1,2})\s*(?:years?|yrs?|年)"
    r"|(?P<d>\d{1,2})\s*(?:years?|yrs?)\s+(?:of\s+)?(?:trust\s*pass|chengxintong)"
    r"|(?<![\u4e00-\u9fff\d])第\s*(?P<e>\d{1,2})\s*年",
    re.IGNORECASE,
)


def parse_profile(text: str) -> SupplierFacts:
    """What a pasted 1688 profile (深度档案, 工商信息, shop header) says; the rest stays None."""
    lines = [
        line
        for raw in text[:MAX_PROFILE_CHARACTERS].splitlines()
        if (line := normalise_text(raw).strip())
    ]
    fields_found = _labelled_fields(lines)
    whole = "\n".join(lines)
    shop, licence = _company_names(fields_found, lines, whole)
    return SupplierFacts(
        shop_company=shop,
        licence_name=licence,
        beneficiary=fields_found.get("beneficiary"),
        licence_scope=_scope_with_continuation(lines),
        uscc=find_uscc(whole),
        badges=_badges(whole),
        chengxintong_years=_years(whole),
        repeat_rate=_repeat_rate(whole),
        has_factory_video=_video(whole),
        listing_text=fields_found.get("main_products"),
    )


def _company_names(
    fields_found: dict[str, str], lines: list[str], whole: str
) -> tuple[str | None, str | None]:
    """(shop company, licence name). Registry data fills only the licence, a shop header
    only the shop: one paste never fills both, which would make them match by construction."""
    company = fields_found.get("company_name") or _unlabelled_company(lines)
    if "licence_name" in fields_found or _REGISTRY_CONTEXT.search(whole):
        return None, fields_found.get("licence_name") or company
    return company, None


def _labelled_fields(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        for field in _line_fields(line, following):
            if field.value and field.name != "other":
                found.setdefault(field.name, field.value[:200])
    return found


def _scope_with_continuation(lines: list[str]) -> str | None:
    """The scope value, with the unlabelled lines a long scope wraps onto."""
    for index, line in enumerate(lines):
        fields_here = _line_fields(line, None)
        scope = next((field for field in fields_here if field.name == "scope"), None)
        if scope is None:
            continue
        parts = [scope.value] if scope.value else []
        for following in lines[index + 1 :]:
            if _line_fields(following, None) or _is_metric_line(following):
                break
            parts.append(following)
        return "\n".join(parts)[:2000] or None
    return None


def _is_metric_line(line: str) -> bool:
    return bool(
        _REPEAT_RATE.search(line)
        or _YEARS.search(line)
        or _VIDEO.search(line)
        or any(pattern.search(line) for pattern in _BADGE_WORDS.values())
    )


def _unlabelled_company(lines: list[str]) -> str | None:
    """A line that is nothing but a company name: how a shop header shows it."""
    for line in lines:
        if _COMPANY_LINE.fullmatch(line):
            return line
    return None


def _present(pattern: re.Pattern[str], text: str) -> bool | None:
    """True when said, False when said to be missing, None when not mentioned."""
    answer: bool | None = None
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 6) : match.start()]
        if _ABSENT_BEFORE.search(before) or is_negated(text, match.start()):
            answer = False
        else:
            return True
    return answer


def _badges(text: str) -> frozenset[str] | None:
    """The badges named; None when none is named (a profile may just not show them)."""
    found = frozenset(
        badge for badge, pattern in _BADGE_WORDS.items() if _present(pattern, text) is True
    )
    return found or None


def _years(text: str) -> int | None:
    match = _YEARS.search(text)
    if match is None:
        return None
    return int(next(value for value in match.groupdict().values() if value is not None))


def _repeat_rate(text: str) -> float | None:
    match = _REPEAT_RATE.search(text)
    if match is None:
        return None
    rate = float(match.group("rate"))
    return rate if rate <= 100 else None


def _video(text: str) -> bool | None:
    return _present(_VIDEO, text)


# --- The live test ------------------------------------------------------------------------


def live_test_request_zh(company: str | None, today: date) -> str:
    """A polite request, in Chinese, for a fresh photo of the goods with a handwritten note.

    `company` is the name to write on the paper: the buyer's own (which makes the photo
    impossible to have prepared in advance) or the supplier's; without one, the supplier is
    asked for its own company name.
    """
    when = f"{today.year}年{today.month}月{today.day}日"
    name = _quotable(company)
    what = f"「{name}」" if name else "贵公司的全称"
    return (
        "您好！下单前想先确认一下现货，麻烦您帮个忙："
        f"请在一张白纸上手写{what}和今天的日期（{when}），"
        "把纸放在货物（或样品）旁边，拍一张清楚的照片发给我。"
        "只是常规确认，谢谢您的理解和配合！"
    )


def _quotable(company: str | None) -> str:
    """The name as one short line without the quotation marks it is put in."""
    if not company:
        return ""
    cleaned = re.sub(r"\s+", " ", company.replace("「", "").replace("」", "")).strip()
    return cleaned[:60]


# --- Facts as JSON (a saved check, a flow in progress) --------------------------------------


def facts_to_json(facts: SupplierFacts) -> dict[str, Any]:
    """A JSON-safe dict of the facts that are known (None fields are left out)."""
    saved: dict[str, Any] = {}
    for field in fields(facts):
        value = getattr(facts, field.name)
        if value is None:
            continue
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, Category):
            value = value.value
        saved[field.name] = value
    return saved


def facts_from_json(saved: dict[str, Any]) -> SupplierFacts:
    """The inverse of facts_to_json; unknown keys and malformed values are ignored."""
    facts = SupplierFacts()
    known = {field.name for field in fields(SupplierFacts)}
    for name, value in saved.items():
        if name not in known or value is None:
            continue
        if name == "badges" and isinstance(value, list):
            value = frozenset(str(badge) for badge in value)
        elif name == "category":
            try:
                value = Category(value)
            except ValueError:
                continue
        facts = replace(facts, **{name: value})
    return facts
