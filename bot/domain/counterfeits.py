"""Counterfeit and IP red flags in a 1688 listing's title or description.

Replica sellers on Chinese platforms speak in code (高仿, 原单, 1:1, 代购级, "real logo"),
and brand names next to that code mean a copy. This module finds those words, ignores them
when the seller is denying them ("不做高仿", "no brand logos"), and rates the listing:

- HIGH: an unambiguous replica term, or a brand name together with any weaker hint;
- MEDIUM: a brand name alone, or a hint that is often but not always about copies;
- LOW: none of that (which is not a clearance: images and shapes can infringe too).

Texts live in the catalogues (`ip_flag_<code>`, `ip_advice_<code>`, `ip_risk_<risk>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.payments.text import MAX_EVIDENCE, clause_start, is_negated, normalise

MAX_CHARACTERS = 20_000


class IpRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class IpFlag:
    code: str
    evidence: str


@dataclass(frozen=True)
class IpCheck:
    risk: IpRisk
    flags: tuple[IpFlag, ...]
    advice: tuple[str, ...]
    brands: tuple[str, ...] = ()  # canonical names of the brands named (not as "fits …")

    @property
    def key_flags(self) -> tuple[IpFlag, ...]:
        """The flags in the order a buyer should read them: outright replica wording first,
        then the brand, then hints, and last what describes the listing without making a
        copy more likely."""
        return tuple(sorted(self.flags, key=lambda flag: _reading_rank(flag.code)))

    @property
    def request(self) -> str | None:
        """The advice that is a question for the seller, if any: its Chinese is offered to
        copy (`SELLER_REQUESTS_ZH`)."""
        return next((code for code in self.advice if code in SELLER_REQUESTS_ZH), None)


# Traditional characters missing from the payment checker's table that occur in brand
# names, business scopes, city names and badge names (pairs, space-separated).
_MORE_TRADITIONAL = (
    "蘋苹 兒儿 馳驰 勞劳 亞亚 範范 樂乐 夢梦 組组 鑄铸 紡纺 織织 義义 烏乌 寧宁 "
    "蘇苏 廈厦 溫温 動动 錶表 電电 偽伪 純纯 適适 註注 冊册 資资 狀状 禮礼 設设 "
    "備备 醫医 療疗 針针 飾饰 燈灯 傢家 陽阳 濱滨 紗纱 絲丝 襪袜 褲裤 鏡镜 鑽钻 "
    "貝贝 鈕钮 釦扣 鍛锻 創创 藝艺 莊庄 廳厅 潔洁 縫缝 紉纫 塗涂 銳锐 鋁铝 銅铜 "
    "壺壶 盞盏 鍋锅 夾夹 錦锦 綢绸 緞缎 縣县 倫伦 鱷鳄 凱凯 圓圆 "
)
_SIMPLIFY_MORE = {ord(pair[0]): ord(pair[1]) for pair in _MORE_TRADITIONAL.split()}


def normalise_text(text: str) -> str:
    """The payment checker's normal form (NFKC, Simplified, OCR spacing) plus a few more
    Traditional characters that supplier profiles and listings use."""
    return normalise(text[:MAX_CHARACTERS]).translate(_SIMPLIFY_MORE)


def _words(latin: str) -> str:
    """Latin alternatives as whole words (no letter on either side)."""
    return rf"(?<![A-Za-z])(?:{latin})(?![A-Za-z])"


@dataclass(frozen=True)
class Term:
    code: str
    pattern: re.Pattern[str]
    strong: bool  # HIGH on its own; a weak term is HIGH only next to a brand name
    needs_brand: bool = False  # harmless words that only count next to a brand name


def _term(code: str, pattern: str, *, strong: bool, needs_brand: bool = False) -> Term:
    return Term(code, re.compile(pattern, re.IGNORECASE), strong, needs_brand)


TERMS: tuple[Term, ...] = (
    # Words that only mean "a copy". The lookaheads keep out ordinary goods that share
    # their characters: 高仿真花 (lifelike flowers), A货架 (shelving), 纯原木 (solid wood).
    _term(
        "replica_term",
        r"高仿(?!真)|精仿|仿牌|仿品|(?<![A-Za-z])A货(?!架)|超A(?![A-Za-z])|3A货|AAA货|复刻|"
        r"纯原(?!木|浆|色|味|汁|生|创|料|始)|山寨|假货|盗版|"
        + _words(
            r"replicas?|(?<!anti-)(?<!anti\s)counterfeits?|knock-?offs?|fake\s+(?:brand|designer|logo)s?|"
            r"mirror\s+quality|aaa\s+quality|1:1\s+(?:copy|replica)"
        ),
        strong=True,
    ),
    # "As sold in the brand's shop": a claim that only a copy of a branded item can make.
    _term(
        "retail_grade",
        r"代购级|专柜品质|专柜级|专柜版|柜货(?!架)|对版|正品级|"
        + _words(r"retail\s+(?:grade|quality)|counter\s+quality|top\s+batch"),
        strong=True,
    ),
    # The seed's "blurred logo in photos, real logo on the goods".
    _term(
        "real_logo",
        r"真标|原标(?!价)|正标|真\s*logo|原版\s*logo|原厂\s*logo|大牌\s*logo|大牌标|打码(?!机|器|枪)|"
        + _words(
            r"(?:real|original|genuine|authentic|full)\s+(?:brand\s+)?logos?|"
            r"logos?\s+(?:is\s+|are\s+)?(?:blurred|hidden|covered|mosaic)"
        ),
        strong=True,
    ),
    _term(
        "pass_checks",
        # Not 过验 alone: 经过验厂, 通过验收 (passed the factory audit, the acceptance test).
        r"[可能]过验(?!收|厂|货)|过得物|过毒|鉴定可过|可过鉴定|扫码可查|"
        + _words(r"pass(?:es)?\s+(?:legit\s+checks?|lc|authentication)"),
        strong=True,
    ),
    # Ratios are also scale models ("1:1 仿真"), so on its own this is a hint, not proof.
    _term(
        "one_to_one",
        r"(?<![\d:.])(?:1\s*[:比]\s*1|一比一)(?![\d:.])(?!\s*(?:仿真|比例|模型|scale|model))",
        strong=False,
    ),
    # Export overruns and "the brand's own factory": claimed, almost never true.
    _term(
        "oem_leftover",
        r"原单|余单|尾单|原厂直供|原厂货|同厂同线|大牌代工|"
        + _words(r"factory\s+overruns?|original\s+orders?|same\s+factory"),
        strong=False,
    ),
    # Plenty of honest factories make goods for others (代工, OEM); for a brand, rarely.
    _term("oem_leftover", r"代工|" + _words("oem"), strong=False, needs_brand=True),
    _term(
        "diverted_stock",
        r"内部渠道|海关罚没|罚没货|走私|免税货|撤柜|水货|"
        + _words(r"customs\s+seized|confiscated|smuggled"),
        strong=False,
    ),
    _term("putian", r"莆田|" + _words("putian"), strong=False),
    _term(
        "brand_style",
        r"大牌同款|大牌风|小香风|大牌平替|大牌|" + _words(r"dupes?|designer\s+style"),
        strong=False,
    ),
    # Said about a named brand, these turn a brand mention into a copy.
    _term(
        "brand_style",
        r"同款|平替|" + _words(r"same\s+style|look-?alike|inspired\s+by"),
        strong=False,
        needs_brand=True,
    ),
    _term(
        "genuine_claim",
        r"原装正品|正品|原装|带\s*logo|有\s*logo|" + _words(r"genuine|authentic|with\s+logo"),
        strong=False,
        needs_brand=True,
    ),
    # Misspelt brands (山寨 names): made to be confused with the original.
    _term(
        "lookalike_brand",
        r"康师博|雷碧|粤利粤|" + _words(r"adidos|abibas|addidas|hiphone|nlke|guci|lous\s+vuitton"),
        strong=True,
    ),
    _term(
        "patent_design",
        r"外观专利|实用新型|发明专利|专利款|专利设计|专利产品|专利|"
        + _words(r"patented(?:\s+design)?|patent\s+pending|design\s+patent"),
        strong=False,
    ),
)

# The seller's own patent (with a number or certificate to show) is something to verify,
# not a sign of copying; it takes the place of a patent_design flag over the same words.
_OWN_PATENT = re.compile(
    r"(?:自有|本厂|我司|我厂|公司|独家|原创|拥有|已获|已申请|已授权)(?:\S{0,4})专利|专利号|专利证书|"
    r"(?<![A-Za-z])ZL\s?\d{8,}|侵权必究|仿冒必究|"
    + _words(r"our\s+patent|own\s+patent|patent\s+(?:no\.?|number|certificate|holder)"),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Brand:
    name: str
    latin: str = ""  # case-insensitive, whole words
    cased: str = ""  # case-sensitive, for names that are also English words (Apple, Coach)
    chinese: str = ""


# Chinese names that are also ordinary words (苹果 apple, 三星 three stars) count only
# when a product word follows.
_DEVICE = (
    r"(?=\s*(?:\d|手机|耳机|手表|平板|电脑|笔记本|数据线|充电|原装|官方|logo|标|同款|"
    r"galaxy|iphone|ipad|airpods|watch))"
)

BRANDS: tuple[Brand, ...] = (
    Brand("Nike", latin=r"nike|air\s*jordan|air\s*max", chinese="耐克"),
    Brand("Adidas", latin=r"adidas|yeezy", chinese="阿迪达斯|阿迪"),
    Brand(
        "Apple",
        latin=r"iphone|ipad|airpods|macbook|apple\s*watch",
        cased="Apple|APPLE",
        chinese="苹果" + _DEVICE,
    ),
    Brand("Samsung", latin="samsung", chinese="三星" + _DEVICE),
    Brand("Huawei", latin="huawei", chinese="华为"),
    Brand("Sony", latin="sony|playstation", chinese="索尼"),
    Brand("Chanel", latin="chanel", chinese="香奈儿"),
    Brand(
        "Louis Vuitton",
        latin=r"louis\s*vuitton",
        cased=r"(?<![A-Za-z0-9])LV(?![A-Za-z0-9])",
        chinese="路易威登|驴牌",
    ),
    Brand("Gucci", latin="gucci", chinese="古驰|古奇"),
    Brand("Hermès", latin=r"herm[eè]s|birkin", chinese="爱马仕"),
    Brand("Dior", latin="dior", chinese="迪奥"),
    Brand("Prada", latin="prada", chinese="普拉达"),
    Brand("Burberry", latin="burberry", chinese="巴宝莉|博柏利"),
    Brand("Balenciaga", latin="balenciaga", chinese="巴黎世家"),
    Brand("Fendi", latin="fendi", chinese="芬迪"),
    Brand("Celine", latin="celine", chinese="思琳"),
    Brand("Yves Saint Laurent", latin=r"ysl|saint\s*laurent", chinese="圣罗兰"),
    Brand("Givenchy", latin="givenchy", chinese="纪梵希"),
    Brand("Versace", latin="versace", chinese="范思哲"),
    Brand("Armani", latin="armani", chinese="阿玛尼"),
    Brand("Miu Miu", latin=r"miu\s*miu", chinese="缪缪"),
    Brand("Loewe", latin="loewe", chinese="罗意威"),
    Brand("Goyard", latin="goyard", chinese="戈雅"),
    Brand("Coach", cased="Coach|COACH", chinese="蔻驰"),
    Brand("Michael Kors", latin=r"michael\s*kors", chinese="迈克高仕"),
    Brand("Rolex", latin="rolex", chinese="劳力士"),
    Brand("Omega", cased=r"OMEGA(?![- ]?3)|Omega(?![- ]?3)", chinese="欧米茄"),
    Brand("Cartier", latin="cartier", chinese="卡地亚"),
    Brand("Tiffany", latin="tiffany", chinese="蒂芙尼"),
    Brand("Bvlgari", latin="bvlgari|bulgari", chinese="宝格丽"),
    Brand("Pandora", latin="pandora", chinese="潘多拉"),
    Brand("Swarovski", latin="swarovski", chinese="施华洛世奇"),
    Brand("Ray-Ban", latin=r"ray-?ban", chinese="雷朋"),
    Brand("Puma", latin="puma", chinese="彪马"),
    Brand("New Balance", latin=r"new\s*balance", chinese="新百伦"),
    Brand("Converse", latin="converse", chinese="匡威"),
    Brand("Vans", cased="Vans|VANS", chinese="万斯"),
    Brand("The North Face", latin=r"the\s*north\s*face|tnf"),
    Brand("Moncler", latin="moncler", chinese="盟可睐"),
    Brand("Canada Goose", latin=r"canada\s*goose", chinese="加拿大鹅"),
    Brand("Supreme", cased=r"SUPREME|Supreme(?!\s+[Qq]uality)"),
    Brand("Off-White", latin=r"off-?white(?=\s*(?:c/o|virgil|logo))"),
    Brand("Lululemon", latin="lululemon", chinese="露露乐蒙"),
    Brand("UGG", cased="UGG"),
    Brand("Dyson", latin="dyson", chinese="戴森"),
    Brand("Bose", latin="bose"),
    Brand("Beats", cased="Beats|BEATS"),
    Brand("JBL", latin="jbl"),
    Brand("Stanley", cased=r"Stanley(?=\s*(?:cup|tumbler|quencher))", chinese="斯坦利"),
    Brand(
        "Disney",
        latin="disney|mickey\\s*mouse|frozen\\s*elsa",
        chinese="迪士尼|迪斯尼|米老鼠|米奇",
    ),
    Brand("Marvel", latin="marvel|spider-?man|avengers", chinese="漫威|蜘蛛侠|复仇者联盟"),
    Brand("Pokémon", latin=r"pok[eé]mon|pikachu", chinese="宝可梦|精灵宝可梦|皮卡丘"),
    Brand(
        "Hello Kitty / Sanrio",
        latin=r"hello\s*kitty|sanrio|kuromi",
        chinese="凯蒂猫|三丽鸥|库洛米",
    ),
    Brand("LEGO", latin="lego", chinese="乐高"),
    Brand("Nintendo", latin="nintendo", chinese="任天堂"),
    Brand("Barbie", latin="barbie", chinese="芭比"),
    Brand("Labubu / Pop Mart", latin=r"labubu|pop\s*mart", chinese="拉布布|泡泡玛特"),
)


def _brand_pattern(brand: Brand) -> re.Pattern[str]:
    parts = []
    if brand.latin:
        parts.append(f"(?i:{_words(brand.latin)})")
    if brand.cased:
        parts.append(_words(brand.cased))
    if brand.chinese:
        parts.append(f"(?i:{brand.chinese})")
    return re.compile("|".join(parts))


_BRAND_PATTERNS = tuple((brand.name, _brand_pattern(brand)) for brand in BRANDS)

# "Fits iPhone 15", "适用于苹果15": the brand names the device the goods are made for, which
# is fine as long as the goods carry no brand logo.
_COMPATIBLE_BEFORE = re.compile(
    r"(?:适用于?|适配|兼容|用于|专用于|"
    + _words(r"for|compatible\s+with|fits?|works\s+with")
    + r")"
    r"[^,;。\n]{0,14}$",
    re.IGNORECASE,
)
_COMPATIBLE_AFTER = re.compile(
    r"^[^,;。\n]{0,12}?(?:专用|适用|通用|兼容|手机壳|保护壳|保护套|钢化膜|贴膜|表带|充电器|数据线|"
    + _words(r"compatible|cases?|covers?|screen\s+protectors?|straps?|bands?|chargers?|cables?")
    + ")",
    re.IGNORECASE,
)
# Denials a clause-level negation check misses: "非高仿", "无logo", "non-replica".
_DENIAL_JUST_BEFORE = re.compile(
    r"(?:非|无|杜绝|远离|抵制|不含|不带|不卖|不售|"
    + _words(r"without|free\s+of|non-?")
    + r")\s*$",
    re.IGNORECASE,
)

ADVICE_ORDER = (
    "do_not_buy",
    "licence_letter",
    "white_label",
    "patent_certificate",
    "patent_search",
    "compatibility_wording",
    "reverse_image_search",
)


def check_listing(text: str) -> IpCheck:
    prepared = normalise_text(text)
    brands, brand_flags = _brand_flags(prepared)
    flags = brand_flags + _term_flags(prepared, brand_named=bool(brands))
    risk = _risk(flags, brand_named=bool(brands))
    return IpCheck(risk=risk, flags=flags, advice=_advice(risk, flags), brands=brands)


def _brand_flags(text: str) -> tuple[tuple[str, ...], tuple[IpFlag, ...]]:
    named: dict[str, IpFlag] = {}
    compatible: IpFlag | None = None
    for name, pattern in _BRAND_PATTERNS:
        for match in _live_matches(pattern, text):
            if _is_compatibility(text, match):
                compatible = compatible or _flag("brand_compatibility", text, match)
            elif name not in named:
                named[name] = _flag("brand_name", text, match)
    flags = tuple(named.values())[:1]  # one brand flag; the names are in IpCheck.brands
    if compatible is not None:
        flags += (compatible,)
    return tuple(named), flags


def _term_flags(text: str, *, brand_named: bool) -> tuple[IpFlag, ...]:
    flags: dict[str, IpFlag] = {}
    own_patent = next(_live_matches(_OWN_PATENT, text), None)
    if own_patent is not None:
        flags["own_patent"] = _flag("own_patent", text, own_patent)
    for term in TERMS:
        if term.code in flags or (term.needs_brand and not brand_named):
            continue
        # "专利" in a listing that names the seller's own patent is about that patent.
        if term.code == "patent_design" and own_patent is not None:
            continue
        match = next(_live_matches(term.pattern, text), None)
        if match is not None:
            flags[term.code] = _flag(term.code, text, match)
    return tuple(flags.values())


def _live_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches the seller is not denying ("不做大牌", "we never sell replicas")."""
    for match in pattern.finditer(text):
        start = match.start()
        if is_negated(text, start):
            continue
        if _DENIAL_JUST_BEFORE.search(text, max(0, start - 8), start):
            continue
        yield match


def _is_compatibility(text: str, match: re.Match[str]) -> bool:
    before = text[clause_start(text, match.start()) : match.start()]
    if _COMPATIBLE_BEFORE.search(before):
        return True
    return _COMPATIBLE_AFTER.search(text[match.end() : match.end() + 30]) is not None


def _flag(code: str, text: str, match: re.Match[str]) -> IpFlag:
    """The words that matched: a listing title has no clauses to quote."""
    return IpFlag(code, match.group().strip()[:MAX_EVIDENCE])


_STRONG_CODES = frozenset(term.code for term in TERMS if term.strong)
# Flags that describe the listing without making a copy more likely.
_NEUTRAL_CODES = frozenset({"own_patent", "brand_compatibility"})


def _risk(flags: tuple[IpFlag, ...], *, brand_named: bool) -> IpRisk:
    codes = {flag.code for flag in flags}
    if codes & _STRONG_CODES:
        return IpRisk.HIGH
    hints = codes - _NEUTRAL_CODES - {"brand_name"}
    if brand_named and hints:
        return IpRisk.HIGH
    if brand_named or hints:
        return IpRisk.MEDIUM
    return IpRisk.LOW


def _advice(risk: IpRisk, flags: tuple[IpFlag, ...]) -> tuple[str, ...]:
    codes = {flag.code for flag in flags}
    wanted = {"reverse_image_search"}
    if risk is IpRisk.HIGH:
        wanted |= {"do_not_buy", "white_label"}
    if risk is IpRisk.MEDIUM:
        wanted.add("white_label")
    if "brand_name" in codes:
        wanted.add("licence_letter")
    if "own_patent" in codes:
        wanted.add("patent_certificate")
    if "patent_design" in codes:
        wanted.add("patent_search")
    if "brand_compatibility" in codes:
        wanted.add("compatibility_wording")
    return tuple(code for code in ADVICE_ORDER if code in wanted)


# What to send the seller on 旺旺 for the advice that asks something of them: polite,
# specific, and in the words a 1688 seller uses.
SELLER_REQUESTS_ZH = {
    "licence_letter": "您好，请发一下品牌方盖章的品牌授权书（不要聊天截图），谢谢！",
    "white_label": "您好，我要无品牌、无logo的货，包装也用中性包装，可以吗？谢谢！",
    "patent_certificate": "您好，请发一下专利证书，专利权人要和营业执照上的公司一致，谢谢！",
}


def _reading_rank(code: str) -> int:
    if code in _STRONG_CODES:
        return 0
    if code == "brand_name":
        return 1
    return 3 if code in _NEUTRAL_CODES else 2


FLAG_CODES = (
    *dict.fromkeys(term.code for term in TERMS),
    "brand_name",
    "brand_compatibility",
    "own_patent",
)
