"""A product specification rendered into Chinese for AliWangWang, offline, from a glossary.

The buyer answers a few questions (product, material, weight or GSM, dimensions, colour,
quantity, packaging, labelling, deadline) in English, Russian or Chinese. Each answer is
split into items at commas; an item is translated only when it is made entirely of things
the glossary knows: terms (304不锈钢, 彩盒, 吊牌 …), numbers with units, Pantone codes,
dimensions, dates. Anything else is kept exactly as typed and marked for checking, because
a half-translated phrase can say something the buyer never meant.

Every translated piece carries the catalogue key of its meaning, so the buyer sees what the
Chinese says (the back-translation) in their own language, built from the same pieces:
`spec_t_<term>` for terms, `spec_u_<unit>` for units, `spec_f_<format>` for numbers and
dates, `spec_label_<label>` for line labels, `spec_warn_<code>` for warnings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

FIELDS = (
    "product",
    "material",
    "weight",
    "dimensions",
    "colour",
    "quantity",
    "packaging",
    "labelling",
    "deadline",
)
# Answers are short specifications; a longer paste is cut here (and the buyer told).
MAX_ANSWER = 200
MAX_ITEMS = 20
# Pieces per line; with the limits above this keeps every rendered line within one message.
MAX_PIECES = 24

LABELS_ZH = {
    "product": "产品",
    "material": "材质",
    "weight": "重量",
    "gsm": "克重",
    "dimensions": "尺寸",
    "colour": "颜色",
    "quantity": "数量",
    "packaging": "包装",
    "labelling": "标签和印刷",
    "deadline": "交期",
}
ZH_INTRO = "您好！下单前请核对以下规格："
ZH_OUTRO = "以上规格如无误，请回复“确认”。如有不符，请直接指出。谢谢！"

# Warning codes (catalogue `spec_warn_<code>`).
UNKNOWN = "unknown"  # kept as typed: the glossary does not know these words
VAGUE = "vague"  # translated, but not measurable ("good quality", "like the picture")
NO_GRADE = "no_grade"  # stainless steel without a grade
NO_UNIT = "no_unit"  # sizes without mm / cm / inches
AMBIGUOUS_DATE = "ambiguous_date"  # 03/04/2026: March or April?
PAST_DATE = "past_date"
# Not in the glossary, translated by the AI helper (bot.domain.spec.check): never unmarked.
MACHINE = "machine"
WARNING_CODES = (UNKNOWN, VAGUE, NO_GRADE, NO_UNIT, AMBIGUOUS_DATE, PAST_DATE, MACHINE)


@dataclass(frozen=True)
class Ref:
    """A placeholder value that is itself a catalogue text: a fibre, or an amount in a unit
    (`spec_u_cm` is "{n} cm"), given its number here."""

    key: str
    n: str = ""


@dataclass(frozen=True)
class Piece:
    """One translated piece of an item, or a whole item kept as typed (key None)."""

    zh: str
    key: str | None = None
    args: tuple[tuple[str, str | Ref], ...] = ()
    warning: str | None = None
    typed: str = ""  # the buyer's own words, quoted next to a warning
    label: str | None = None  # a piece that decides the line's label ("gsm")
    # For a MACHINE piece: what its Chinese says in the buyer's language, read back by the
    # model without seeing the buyer's words (model text: escape it before showing it).
    back: str = ""
    # The next piece follows with no space (约350克, 内胆304不锈钢).
    glue: bool = False
    # For an UNKNOWN piece: the words the glossary did not know, in the order typed.
    unknown: tuple[str, ...] = ()


Item = tuple[Piece, ...]


@dataclass(frozen=True)
class SpecLine:
    field: str
    label: str
    items: tuple[Item, ...]
    cut: bool = False  # the answer was longer than MAX_ANSWER or had more than MAX_ITEMS

    @property
    def zh(self) -> str:
        return f"{LABELS_ZH[self.label]}：" + "，".join(join_zh(item) for item in self.items)

    @property
    def warnings(self) -> tuple[Piece, ...]:
        return tuple(piece for item in self.items for piece in item if piece.warning)


@dataclass(frozen=True)
class Spec:
    lines: tuple[SpecLine, ...]

    @property
    def zh_message(self) -> str:
        numbered = [f"{number}. {line.zh}" for number, line in enumerate(self.lines, start=1)]
        return "\n".join([ZH_INTRO, *numbered, ZH_OUTRO])

    @property
    def needs_checking(self) -> bool:
        return any(line.warnings for line in self.lines)

    @property
    def untranslated(self) -> tuple[Piece, ...]:
        """Items the Chinese carries as typed (in English or Russian), each with the words
        that kept it so."""
        return tuple(
            piece for line in self.lines for piece in line.warnings if piece.warning == UNKNOWN
        )


def join_zh(item: Item) -> str:
    """Chinese needs no spaces between words; Latin words next to each other do, and a
    number is set apart from the word before it (95%棉 5%氨纶, 直径 8厘米)."""
    text = ""
    glued = False
    for piece in item:
        if (
            text
            and piece.zh
            and not glued
            and _is_latin(piece.zh[0])
            and (_is_latin(text[-1]) or piece.zh[0].isdigit())
        ):
            text += " "
        text += piece.zh
        if piece.zh:
            glued = piece.glue
    return text


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


# ---------------------------------------------------------------------------------------
# Recognisers: a glossary term or a pattern with numbers, matched at a position.

# A match that ends in a Latin or Cyrillic letter or a digit must not run on into another
# one ("pp" is not the start of "ppx"); after Chinese characters anything may follow.
_WORD = r"0-9A-Za-z\u00c0-\u024f\u0400-\u04ff"
_BOUNDARY = rf"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}]))"
NUMBER = r"\d+(?:[.,]\d+)?"


@dataclass(frozen=True)
class Recogniser:
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], date | None], Piece]

    def match(self, text: str, position: int, today: date | None) -> tuple[Piece, int] | None:
        found = self.pattern.match(text, position)
        if found is None or found.end() == position:
            return None
        return self.build(found, today), found.end()


def _alt(*aliases: str) -> str:
    """Alternatives as one pattern (long alias lists are easier to read one by one)."""
    return "|".join(aliases)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern}){_BOUNDARY}", re.IGNORECASE)


def _term(
    key: str, zh: str, aliases: str, warning: str | None = None, *, glue: bool = False
) -> Recogniser:
    piece = Piece(zh, f"spec_t_{key}", warning=warning, glue=glue)

    def build(found: re.Match[str], today: date | None) -> Piece:
        if warning is None:
            return piece
        return Piece(piece.zh, piece.key, warning=warning, typed=found.group())

    return Recogniser(_compile(aliases), build)


def _terms(rows: Iterable[tuple[str, str, str]]) -> tuple[Recogniser, ...]:
    return tuple(_term(key, zh, aliases) for key, zh, aliases in rows)


def _number(text: str) -> str:
    return text.replace(",", ".")


@dataclass(frozen=True)
class Unit:
    code: str  # catalogue `spec_u_<code>`
    zh: str
    aliases: str


LENGTH_UNITS = (
    Unit("mm", "毫米", r"mm|мм|毫米"),
    Unit("cm", "厘米", r"cm|см|厘米|公分"),
    Unit("m", "米", r"m|м|米|metres?|meters?|метр(?:а|ов)?"),
    Unit("inch", "英寸", r"inch(?:es)?|in|\"|″|дюйм(?:а|ов)?|英寸"),
)
MASS_UNITS = (
    Unit("g", "克", r"g|gr|grams?|г|гр|грамм(?:а|ов)?|克"),
    Unit("kg", "公斤", r"kgs?|кг|公斤|千克"),
    Unit("lb", "磅", r"lbs?|pounds?|фунт(?:а|ов)?|磅"),
    Unit("oz", "盎司", r"oz|ounces?|унци[йяи]|盎司"),
)
GSM_UNIT = Unit("gsm", "克/平方米", r"gsm|g/m2|gr/m2|г/м2|克/平方米|克/m2|g/㎡")
VOLUME_UNITS = (
    Unit("ml", "毫升", r"ml|мл|毫升"),
    Unit("l", "升", r"l|л|litres?|liters?|литр(?:а|ов)?|升"),
)
COUNT_UNITS = (
    Unit("pcs", "件", r"pcs?|pieces?|units?|шт\.?|штук[аи]?|件|个|只"),
    Unit("sets", "套", r"sets?|комплект(?:а|ов)?|набор(?:а|ов)?|套"),
    Unit("pairs", "双", r"pairs?|пар[аы]?|双"),
    Unit("cartons", "箱", r"cartons?|ctns?|коробок|коробки|箱"),
    Unit("rolls", "卷", r"rolls?|рулон(?:а|ов)?|卷"),
    Unit("m", "米", r"metres?|meters?|метр(?:а|ов)?|米"),
    Unit("kg", "公斤", r"kgs?|кг|公斤|千克"),
)
PERCENT = Unit("percent", "%", r"%")


def _unit_group(units: Iterable[Unit], prefix: str = "u") -> str:
    # Named groups cannot repeat, so each alternative is wrapped in its own index group.
    return "|".join(f"(?P<{prefix}_{index}>{unit.aliases})" for index, unit in enumerate(units))


def _which_unit(found: re.Match[str], units: tuple[Unit, ...], prefix: str = "u") -> Unit | None:
    for index, unit in enumerate(units):
        if found.group(f"{prefix}_{index}") is not None:
            return unit
    return None


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _mass(number: str, unit: Unit) -> tuple[str, Unit]:
    """One weight, one way: 0.35 kg and 350 g are both 350克; 1200 g is 1.2公斤."""
    if unit.code not in ("g", "kg"):
        return number, unit
    try:
        grams = Decimal(number) * (1000 if unit.code == "kg" else 1)
    except InvalidOperation:
        return number, unit
    if grams >= 1000:
        return _plain(grams / 1000), MASS_UNITS[1]
    return _plain(grams), MASS_UNITS[0]


def _amount(units: tuple[Unit, ...], *, label: str | None = None) -> Recogniser:
    """A number with one of `units`: 280 GSM, 1,5 кг, 500ml."""
    pattern = _compile(rf"(?P<n>{NUMBER})\s*(?:{_unit_group(units)})")

    def build(found: re.Match[str], today: date | None) -> Piece:
        unit = _which_unit(found, units) or units[0]
        number, unit = _mass(_number(found["n"]), unit)
        return Piece(
            f"{number}{unit.zh}",
            f"spec_u_{unit.code}",
            (("n", number),),
            label=label if unit is GSM_UNIT else None,
        )

    return Recogniser(pattern, build)


def _gsm_first() -> Recogniser:
    """The unit written first: "GSM 280", "克重280", "плотность 280"."""
    pattern = _compile(
        rf"(?:gsm|克重|плотность)\s*[:：]?\s*(?P<n>{NUMBER})(?:\s*(?:{GSM_UNIT.aliases}))?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        number = _number(found["n"])
        return Piece(f"{number}{GSM_UNIT.zh}", "spec_u_gsm", (("n", number),), label="gsm")

    return Recogniser(pattern, build)


def _tolerance(units: tuple[Unit, ...]) -> Recogniser:
    pattern = _compile(
        rf"(?:tolerance|допуск|误差)?\s*(?:±|\+/-|\+-|\+/−)\s*(?P<n>{NUMBER})\s*"
        rf"(?:{_unit_group(units)})?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        unit = _which_unit(found, units)
        number = _number(found["n"])
        if unit is None:  # "±5" alone: the unit of the value before it
            return Piece(f"（误差±{number}）", "spec_f_tolerance_bare", (("n", number),))
        return Piece(
            f"（误差±{number}{unit.zh}）",
            "spec_f_tolerance",
            (("size", Ref(f"spec_u_{unit.code}", number)),),
        )

    return Recogniser(pattern, build)


_TIMES = r"\s*[x×*хХ]\s*"


def _dimensions() -> Recogniser:
    """30x20x10 cm (length × width × height) or 30×20 mm; no unit means nothing is certain."""
    pattern = _compile(
        rf"(?P<a>{NUMBER}){_TIMES}(?P<b>{NUMBER})(?:{_TIMES}(?P<c>{NUMBER}))?"
        rf"(?:\s*(?:{_unit_group(LENGTH_UNITS)}))?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        sizes = [_number(found[name]) for name in ("a", "b", "c") if found[name]]
        unit = _which_unit(found, LENGTH_UNITS)
        if unit is None:
            return Piece(found.group(), warning=NO_UNIT, typed=found.group())
        shape = "长×宽×高" if len(sizes) == 3 else "长×宽"
        size = Ref(f"spec_u_{unit.code}", " × ".join(sizes))
        return Piece(
            f"{'×'.join(sizes)}{unit.zh}（{shape}）", f"spec_f_dims{len(sizes)}", (("size", size),)
        )

    return Recogniser(pattern, build)


_PANTONE_CODE = _alt(
    r"\d{2,4}(?:-\d{3,4})?\s*(?:c|u|tpx|tcx|tpg|xgc)?",
    r"(?:cool |warm )?gr[ae]y \d{1,2}\s*[cu]?",
    r"black \d?\s*[cu]",
)


def _pantone() -> Recogniser:
    """Pantone 186 C, PMS 19-4052 TCX, 潘通色号 Cool Gray 11C, or a bare 186C."""
    pattern = _compile(
        rf"(?:pantone|pms|潘通(?:色号)?|пантон)\s*[:：#]?\s*(?P<code>{_PANTONE_CODE})"
        r"|(?P<bare>\d{3,4}\s?[cu]|\d{2}-\d{4}\s?(?:tpx|tcx|tpg))"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        code = re.sub(r"\s+", " ", (found["code"] or found["bare"]).strip()).upper()
        return Piece(f"潘通色号 {code}", "spec_f_pantone", (("code", code),))

    return Recogniser(pattern, build)


def _fibre_percent() -> Recogniser:
    """100% cotton, 95% хлопок, 棉95%: a fibre share as textile labels write it (100%棉)."""

    def fibres(prefix: str) -> str:
        return "|".join(f"(?P<{prefix}_{key}>{aliases})" for key, _, aliases in FIBRES)

    pattern = _compile(
        rf"(?P<p>\d{{1,3}})\s*%\s*(?:{fibres('f')})|(?:{fibres('g')})\s*(?P<q>\d{{1,3}})\s*%"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        share = found["p"] or found["q"]
        key, zh = next(
            (key, zh)
            for key, zh, _ in FIBRES
            if found.group(f"f_{key}") is not None or found.group(f"g_{key}") is not None
        )
        return Piece(
            f"{share}%{zh}", "spec_f_percent", (("n", share), ("what", Ref(f"spec_t_{key}")))
        )

    return Recogniser(pattern, build)


_GRADE = r"201|304|316l|316|430|18/10|18/8|18-10|18-8"
_STAINLESS = _alt(
    r"stainless steel",
    r"stainless",
    r"нержавеющ(?:ая|ей|ую) стал[ьи]",
    r"нержав(?:ейка|ейки|ейку|ка)",
    r"нерж\.?",
    r"不锈钢",
)


def _steel_grade() -> Recogniser:
    """304不锈钢 from SS304, AISI 316L, 304 stainless steel, нержавейка 304."""
    pattern = _compile(
        rf"(?:ss|sus|aisi)\s*-?\s*(?P<a>{_GRADE})(?:\s*(?:{_STAINLESS}))?"
        rf"|(?P<b>{_GRADE})\s*-?\s*(?:{_STAINLESS})"
        rf"|(?:{_STAINLESS})\s*-?\s*(?:ss|sus|aisi)?\s*-?\s*(?P<c>{_GRADE})"
    )

    return Recogniser(pattern, _steel_piece)


def _steel_piece(found: re.Match[str], today: date | None) -> Piece:
    grade = next(found[name] for name in ("a", "b", "c", "g") if found.groupdict().get(name))
    grade = grade.upper().replace("-", "/")
    return Piece(f"{grade}不锈钢", "spec_f_steel", (("grade", grade),))


def _bare_grade() -> Recogniser:
    """In the material answer a grade alone is a steel grade: "201 outside ok"."""
    return Recogniser(_compile(rf"(?P<g>{_GRADE})"), _steel_piece)


_PCS = r"(?:pcs?|pieces?|units?|items?|шт\.?|штук[аи]?|件|个|只)"
# Containers a count is packed in: (format key, Chinese measure word, aliases).
_CONTAINERS = (
    (
        "per_carton",
        "箱",
        r"(?:outer |master |export |shipping )?(?:cartons?|ctns?)|коробк[еаиу]|короб(?:е|а)?"
        r"|箱|外箱",
    ),
    (
        "per_box",
        "盒",
        r"(?:inner |colou?r |white |gift )?box(?:es)?|внутренн(?:ей|юю) коробк[еу]|盒",
    ),
    ("per_bag", "袋", r"(?:opp |pe |poly ?|plastic )?bags?|polybags?|пакет(?:е|ы)?|袋"),
)


def _containers(prefix: str) -> str:
    return "|".join(f"(?P<{prefix}_{key}>{aliases})" for key, _, aliases in _CONTAINERS)


def _per_carton() -> Recogniser:
    """One packing count, however phrased: 50 pcs per carton, 50pcs/ctn, carton of 50,
    ctn qty: 50, 50 шт в коробке, 每箱50件 all become 每箱50件 (and 每盒, 每袋 alike)."""
    pattern = _compile(
        r"(?:по\s*)?(?P<n>\d+)\s*" + _PCS + r"?\s*"
        r"(?:per|/|in (?:each|every|one|a|an)|in|each|a|в|на|into)\s*(?:each\s*)?"
        rf"(?:{_containers('a')})"
        rf"|(?:(?:per|each|every|one|1|a)\s*)?(?:{_containers('b')})\s*"
        r"(?:qty|quantity|of|with|holds|contains|packs?|=|[:：])?\s*[:：=]?\s*"
        r"(?P<m>\d+)\s*" + _PCS + r"?"
        r"|(?:每箱|装箱数|每箱装)\s*[:：]?\s*(?P<k>\d+)\s*" + _PCS + r"?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        count = found["n"] or found["m"] or found["k"]
        key, word = "per_carton", "箱"
        for name, zh, _ in _CONTAINERS:
            if found.group(f"a_{name}") is not None or found.group(f"b_{name}") is not None:
                key, word = name, zh
        return Piece(f"每{word}{count}件", f"spec_f_{key}", (("n", count),))

    return Recogniser(pattern, build)


def _quantity() -> Recogniser:
    """500, 1,000 pcs, 1 000 шт, 200套: thousands separators dropped, pieces by default."""
    pattern = _compile(
        rf"(?P<n>\d{{1,3}}(?:[ ,.']\d{{3}})+|\d+)\s*(?:{_unit_group(COUNT_UNITS)})?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        count = re.sub(r"[ ,.']", "", found["n"])
        unit = _which_unit(found, COUNT_UNITS) or COUNT_UNITS[0]
        return Piece(f"{count}{unit.zh}", f"spec_u_{unit.code}", (("n", count),))

    return Recogniser(pattern, build)


_DEADLINE_WORDS = (
    r"(?:(?:deadline|lead ?time|delivery(?: date| time)?|ship(?:ped|ping)?(?: date| time)?"
    r"|ready|deliver(?:ed)?|must (?:be )?(?:ship(?:ped)?|ready|delivered)|need(?:ed)?"
    r"(?: (?:it|them|the goods))?|срок|отгрузка|отправка|доставка|нужно|交期|交货期?)"
    r"\s*[:：]?\s*)?"
)
_BY = (
    _DEADLINE_WORDS + r"(?:by|before|until|till|no later than|not later than|latest(?: by)?"
    r"|до|не позднее|к|最晚)?\s*"
)
# Month names as buyers write them: Jan, January, janv., января, янв.
MONTHS = (
    r"jan(?:uary)?|январ[ьяе]|янв",
    r"feb(?:ruary)?|феврал[ьяе]|фев",
    r"mar(?:ch)?|март[ае]?|мар",
    r"apr(?:il)?|апрел[ьяе]|апр",
    r"may|ма[йяе]",
    r"june?|июн[ьяе]?",
    r"july?|июл[ьяе]?",
    r"aug(?:ust)?|август[ае]?|авг",
    r"sept?(?:ember)?|сентябр[ьяе]|сент?",
    r"oct(?:ober)?|октябр[ьяе]|окт",
    r"nov(?:ember)?|ноябр[ьяе]|ноя",
    r"dec(?:ember)?|декабр[ьяе]|дек",
)
_MONTH = "|".join(MONTHS)
_ORDINAL = r"(?:st|nd|rd|th)?"


def _month_number(name: str) -> int:
    return next(
        number
        for number, aliases in enumerate(MONTHS, start=1)
        if re.fullmatch(aliases, name, re.IGNORECASE)
    )


_WITHIN = (
    r"(?:(?:ship(?:ped)?|ready|delivery|отгрузка|отправка)\s*)?"
    r"(?:within|in|в течение|за)?\s*"
)
_AFTER_ORDER = (
    r"(?:\s*(?:after (?:the )?(?:order|payment)|from (?:the )?order"
    r"|после (?:заказа|оплаты)|下单后|付款后))?"
)


def _deadline_date() -> Recogniser:
    pattern = _compile(
        _BY + r"(?:(?P<y>20\d\d)\s*[-./年]\s*(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})\s*日?"
        r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})(?:\.(?P<y2>20\d\d))?"
        r"|(?P<s1>\d{1,2})/(?P<s2>\d{1,2})/(?P<y3>20\d\d)"
        rf"|(?P<d3>\d{{1,2}}){_ORDINAL}\s*(?:of\s+)?(?P<n3>{_MONTH})\.?(?:,?\s*(?P<y4>20\d\d))?"
        rf"|(?P<n4>{_MONTH})\.?\s*(?P<d4>\d{{1,2}}){_ORDINAL}(?:,?\s*(?P<y5>20\d\d))?)"
        r"\s*(?:前|之前|at the latest|latest|г\.?)?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        when = _read_date(found, today)
        if when is None:
            unread = AMBIGUOUS_DATE if found["s1"] else UNKNOWN
            return Piece(found.group().strip(), warning=unread, typed=found.group().strip())
        warning = PAST_DATE if today is not None and when < today else None
        return Piece(
            f"{when.year}年{when.month}月{when.day}日前发货",
            "spec_f_ship_by",
            (("date", when.isoformat()),),
            warning=warning,
            typed=found.group().strip() if warning else "",
        )

    return Recogniser(pattern, build)


def _read_date(found: re.Match[str], today: date | None) -> date | None:
    if found["y"]:
        return _date(found["y"], found["m"], found["d"])
    if found["d2"]:
        return _day_month(found["y2"], found["m2"], found["d2"], today)
    if found["n3"]:
        return _day_month(found["y4"], str(_month_number(found["n3"])), found["d3"], today)
    if found["n4"]:
        return _day_month(found["y5"], str(_month_number(found["n4"])), found["d4"], today)
    first, second = int(found["s1"]), int(found["s2"])
    # With slashes, 15/03 can only be day first and 03/15 only month first; 03/04 is either.
    if first > 12 >= second:
        return _date(found["y3"], found["s2"], found["s1"])
    if second > 12 >= first:
        return _date(found["y3"], found["s1"], found["s2"])
    return None


def _day_month(year: str | None, month: str, day: str, today: date | None) -> date | None:
    if year:
        return _date(year, month, day)
    if today is None:
        return None
    # "15.03" or "by Jan 15" is the next such day.
    this_year = _date(str(today.year), month, day)
    if this_year is None or this_year >= today:
        return this_year
    return _date(str(today.year + 1), month, day)


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _deadline_span() -> Recogniser:
    pattern = _compile(
        _WITHIN + r"(?P<n>\d{1,3})\s*(?:(?P<days>days?|d|дн(?:я|ей|и|ь)?|天)"
        r"|(?P<weeks>weeks?|wks?|недел(?:я|и|ь)|周|星期))" + _AFTER_ORDER
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        count = found["n"]
        if found["weeks"]:
            return Piece(f"下单后{count}周内发货", "spec_f_ship_within_weeks", (("n", count),))
        return Piece(f"下单后{count}天内发货", "spec_f_ship_within_days", (("n", count),))

    return Recogniser(pattern, build)


# "About", as buyers write it before a measure.
_ABOUT = (
    r"about|approx(?:imately|\.)?|around|roughly|circa|ca\.|~|≈"
    r"|примерно|около|приблизительно|порядка|约|大约"
)
_PER_PIECE = (
    r"(?:per|a|/|for (?:one|each)|за|на|в)\s*(?:piece|pcs?|unit|item|штуку|шт\.?|единицу|件|个)"
    r"|each|apiece|每个|每件"
)
_UNIT_WEIGHT_FIRST = (
    r"(?:unit weight|weight per (?:piece|pc|unit|item)|(?:each|one|1) (?:piece|pc|unit|item)"
    r"(?: weighs| weight)?|each (?:weighs|one)|per (?:piece|pc|unit)|вес (?:одной )?"
    r"(?:штуки|единицы)|вес 1 шт\.?|单个重量|单重|单件重量|每个重)\s*[:：=]?\s*"
)


def _unit_weight() -> Recogniser:
    """The weight of one piece, however phrased: about 350g per pc, 350 g/pc, 0.35kg each,
    unit weight 350 g, вес 1 шт 350 г: all become 单个重量(约)350克."""
    pattern = _compile(
        rf"(?:{_UNIT_WEIGHT_FIRST})(?:(?P<a1>{_ABOUT})\s*)?(?P<n1>{NUMBER})\s*"
        rf"(?:{_unit_group(MASS_UNITS, 'v')})"
        rf"|(?:(?P<a2>{_ABOUT})\s*)?(?P<n2>{NUMBER})\s*(?:{_unit_group(MASS_UNITS, 'w')})"
        rf"\s*(?:{_PER_PIECE})"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        unit = _which_unit(found, MASS_UNITS, "v") or _which_unit(found, MASS_UNITS, "w")
        number, unit = _mass(_number(found["n1"] or found["n2"]), unit or MASS_UNITS[0])
        about = bool(found["a1"] or found["a2"])
        return Piece(
            f"单个重量{'约' if about else ''}{number}{unit.zh}",
            "spec_f_unit_weight_about" if about else "spec_f_unit_weight",
            (("size", Ref(f"spec_u_{unit.code}", number)),),
        )

    return Recogniser(pattern, build)


def _dimensions_each_unit() -> Recogniser:
    """10 cm x 20 cm x 30 cm: the same size as 10x20x30 cm, when every unit agrees."""

    def one(name: str) -> str:
        return rf"(?P<{name}>{NUMBER})\s*(?:{_unit_group(LENGTH_UNITS, 'x' + name)})"

    pattern = _compile(rf"{one('a')}{_TIMES}{one('b')}(?:{_TIMES}{one('c')})?")

    def build(found: re.Match[str], today: date | None) -> Piece:
        names = [name for name in ("a", "b", "c") if found[name]]
        units = {_which_unit(found, LENGTH_UNITS, "x" + name) for name in names}
        unit = units.pop() if len(units) == 1 else None
        if unit is None:  # 10 cm x 20 mm: no single reading
            return Piece(found.group(), warning=UNKNOWN, typed=found.group())
        sizes = [_number(found[name]) for name in names]
        shape = "长×宽×高" if len(sizes) == 3 else "长×宽"
        size = Ref(f"spec_u_{unit.code}", " × ".join(sizes))
        return Piece(
            f"{'×'.join(sizes)}{unit.zh}（{shape}）", f"spec_f_dims{len(sizes)}", (("size", size),)
        )

    return Recogniser(pattern, build)


def _part() -> Recogniser:
    """A part of the product named in a material or colour answer ("304 inside", "lid:
    silicone"); it leads its item in Chinese (内胆304不锈钢), wherever it was typed."""
    pattern = _compile(
        r"(?:(?:for|on|of|in|для|на|у)\s+(?:the\s+)?)?(?:"
        + "|".join(f"(?P<p_{key}>{aliases})" for key, _, aliases in PARTS)
        + r")\s*[:：]?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        key, zh = next((k, z) for k, z, _ in PARTS if found.group(f"p_{k}") is not None)
        return Piece(zh, "spec_f_part", (("part", Ref(f"spec_t_{key}")),), glue=True)

    return Recogniser(pattern, build)


def _printed_on() -> Recogniser:
    """Where the print goes: "logo on the lid" → 定制logo（位置：盖子）."""
    places = (*PARTS, *PRINT_PLACES)
    pattern = _compile(
        r"(?:on|at|onto|на)\s+(?:the\s+|each\s+)?(?:"
        + "|".join(f"(?P<q_{key}>{aliases})" for key, _, aliases in places)
        + r")|印在(?:"
        + "|".join(f"(?P<r_{key}>{zh})" for key, zh, _ in places)
        + r")上?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        key, zh = next(
            (k, z)
            for k, z, _ in places
            if found.group(f"q_{k}") is not None or found.group(f"r_{k}") is not None
        )
        return Piece(f"（位置：{zh}）", "spec_f_printed_on", (("place", Ref(f"spec_t_{key}")),))

    return Recogniser(pattern, build)


_COLOUR_COUNTS = {"one": 1, "single": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}
_COLOUR_COUNT_ZH = {1: "单色", 2: "双色", 3: "三色", 4: "四色"}


def _print_colours() -> Recogniser:
    """1 colour logo, one-colour print, 2 colours → 单色印刷, 双色印刷 …"""
    pattern = _compile(
        r"(?P<n>one|single|two|three|\d)\s*-?\s*colou?rs?(?:\s*(?:(?P<logo>logo)|print(?:ing)?))?"
        r"|(?P<ru>одно|дву|тр[её]х)цветн(?:ая|ый|ое) (?:печать|логотип|лого)"
        r"|(?P<zh>单|双|三|四)色(?:印刷|(?P<zlogo>logo))?"
    )

    def build(found: re.Match[str], today: date | None) -> Piece:
        if found["n"]:
            word = found["n"].lower()
            count = _COLOUR_COUNTS.get(word) or int(word)
        elif found["ru"]:
            count = {"одно": 1, "дву": 2}.get(found["ru"].lower(), 3)
        else:
            count = "单双三四".index(found["zh"]) + 1
        zh = _COLOUR_COUNT_ZH.get(count, f"{count}色")
        if found["logo"] or found["zlogo"]:
            return Piece(f"{zh}logo", "spec_f_logo_colours", (("n", str(count)),))
        return Piece(f"{zh}印刷", "spec_f_print_colours", (("n", str(count)),))

    return Recogniser(pattern, build)


# ---------------------------------------------------------------------------------------
# The glossary: (meaning key, Chinese, aliases as a regular expression).

PRODUCTS = (
    ("mug", "马克杯", r"mugs?|кружк[аи]|马克杯"),
    ("cup", "杯子", r"cups?|стакан(?:ы|чик)?|чашк[аи]|杯子"),
    ("tumbler", "随行杯", r"tumblers?|тамблер|随行杯"),
    ("water_bottle", "水瓶", r"water bottles?|bottles?|бутылк[аи](?: для воды)?|水瓶|水壶"),
    (
        "vacuum_flask",
        "保温杯",
        r"vacuum flasks?|thermos|insulated bottles?|термос|термокружк[аи]|保温杯",
    ),
    ("lunch_box", "饭盒", r"lunch ?box(?:es)?|ланч-?бокс|饭盒|便当盒"),
    ("t_shirt", "T恤", r"t-?shirts?|tees?|футболк[аи]|t恤"),
    ("hoodie", "连帽卫衣", r"hoodies?|худи|толстовк[аи] с капюшоном|连帽卫衣"),
    ("sweatshirt", "卫衣", r"sweatshirts?|свитшот|толстовк[аи]|卫衣"),
    ("polo", "POLO衫", r"polo shirts?|polos?|поло|polo衫"),
    ("socks", "袜子", r"socks?|носк(?:и|ов)|袜子"),
    ("cap", "棒球帽", r"baseball caps?|caps?|бейсболк[аи]|кепк[аи]|棒球帽"),
    ("beanie", "针织帽", r"beanies?|шапк[аи]|针织帽"),
    ("scarf", "围巾", r"scar(?:f|ves)|шарф|围巾"),
    ("tote_bag", "托特包", r"tote bags?|totes?|шоппер|托特包"),
    ("backpack", "双肩包", r"backpacks?|рюкзак|双肩包"),
    ("bag", "包", r"bags?|сумк[аи]|包"),
    ("phone_case", "手机壳", r"phone cases?|phone covers?|чехл?(?:ы)? для телефона|чехол|手机壳"),
    ("towel", "毛巾", r"towels?|полотенц[еа]|毛巾"),
    ("blanket", "毯子", r"blankets?|плед|одеяло|毯子"),
    ("pillow", "枕头", r"pillows?|подушк[аи]|枕头"),
    ("cushion_cover", "抱枕套", r"cushion covers?|pillow ?cases?|наволочк[аи]|抱枕套"),
    ("notebook", "笔记本", r"notebooks?|notepads?|блокнот|笔记本"),
    ("pen", "笔", r"pens?|ручк[аи]|笔"),
    ("keychain", "钥匙扣", r"key ?chains?|key ?rings?|брелок|брелоки|钥匙扣"),
    ("sticker", "贴纸", r"stickers?|наклейк[аи]|贴纸"),
    ("candle", "蜡烛", r"candles?|свеч[аи]|蜡烛"),
    ("umbrella", "雨伞", r"umbrellas?|зонт(?:ы|ик)?|雨伞"),
    (
        "cutting_board",
        "砧板",
        r"cutting boards?|chopping boards?|разделочн(?:ая|ые) доск[аи]|砧板",
    ),
    ("yoga_mat", "瑜伽垫", r"yoga mats?|коврик для йоги|瑜伽垫"),
    ("toy", "玩具", r"toys?|игрушк[аи]|玩具"),
    ("plush_toy", "毛绒玩具", r"plush(?: toys?)?|soft toys?|мягк(?:ая|ие) игрушк[аи]|毛绒玩具"),
    ("earrings", "耳环", r"earrings?|серьги|耳环"),
    ("necklace", "项链", r"necklaces?|ожерелье|цепочк[аи]|项链"),
    ("bracelet", "手链", r"bracelets?|браслет(?:ы)?|手链"),
    ("ring", "戒指", r"rings?|кольц[оа]|戒指"),
    ("sunglasses", "太阳镜", r"sunglasses|солнцезащитные очки|太阳镜"),
    ("phone_holder", "手机支架", r"phone (?:holders?|stands?)|держатель для телефона|手机支架"),
    ("cable", "数据线", r"(?:usb |charging |data )?cables?|кабел[ьи]|数据线"),
    ("lanyard", "挂绳", r"lanyards?|ланъярд|шнурок|挂绳"),
    ("apron", "围裙", r"aprons?|фартук|围裙"),
    ("slippers", "拖鞋", r"slippers?|тапочки|тапки|拖鞋"),
    ("lid", "盖子", r"lids?|крышк(?:а|ой|и)|盖子"),
    ("handle", "把手", r"handles?|ручкой|把手"),
    ("zipper", "拉链", r"zippers?|zips?|молни(?:я|ей)|拉链"),
)

FIBRES = (
    ("cotton", "棉", r"cotton|хлоп(?:ок|ка)|棉"),
    ("polyester", "涤纶", r"polyester|poly|полиэстер|涤纶"),
    ("spandex", "氨纶", r"spandex|elastane|lycra|эластан|спандекс|лайкра|氨纶"),
    ("nylon", "锦纶", r"nylon|polyamide|нейлон|полиамид|锦纶|尼龙"),
    ("linen", "亚麻", r"linen|flax|л[её]н|льна|亚麻"),
    ("wool", "羊毛", r"wool|шерсть|шерсти|羊毛"),
    ("viscose", "粘胶纤维", r"viscose|rayon|вискоза|вискозы|粘胶纤维|粘纤"),
    ("silk", "真丝", r"silk|шёлк|шелк|шелка|真丝|桑蚕丝"),
    ("acrylic_fibre", "腈纶", r"acrylic fibre|acrylic fiber|акрил(?:овое)? волокно|腈纶"),
)

MATERIALS = (
    ("stainless_steel", "不锈钢", _STAINLESS),
    ("aluminium_alloy", "铝合金", r"alumin(?:i)?um alloy|алюминиевый сплав|铝合金"),
    ("aluminium", "铝", r"alumin(?:i)?um|алюмини[йя]|铝"),
    ("carbon_steel", "碳钢", r"carbon steel|углеродист(?:ая|ой) стал[ьи]|碳钢"),
    ("iron", "铁", r"iron|железо|铁"),
    ("brass", "黄铜", r"brass|латунь|黄铜"),
    ("copper", "铜", r"copper|медь|铜"),
    ("zinc_alloy", "锌合金", r"zinc alloy|цинковый сплав|锌合金"),
    ("titanium", "钛", r"titanium|титан|钛"),
    ("silicone", "硅胶", r"silicone|силикон|硅胶"),
    ("food_grade", "食品级", r"food[- ]grade|food[- ]safe|пищев(?:ой|ая|ое|ого)|食品级"),
    ("bpa_free", "不含双酚A", r"bpa[- ]free|без bpa|без бисфенола(?: а)?|不含双酚a|无双酚a"),
    ("abs", "ABS", r"abs(?: plastic)?|abs[- ]пластик|abs塑料"),
    ("pp", "PP", r"pp|polypropylene|полипропилен|pp塑料"),
    ("pe", "PE", r"pe|polyethylene|полиэтилен"),
    ("pet", "PET", r"pet|пэт"),
    ("pvc", "PVC", r"pvc|пвх"),
    ("pc", "PC", r"pc|polycarbonate|поликарбонат"),
    ("tpu", "TPU", r"tpu"),
    ("tpr", "TPR", r"tpr"),
    ("eva", "EVA", r"eva|эва"),
    ("pla", "PLA", r"pla"),
    ("acrylic", "亚克力", r"acrylic|plexiglass?|perspex|акрил|оргстекло|亚克力|有机玻璃"),
    ("plastic", "塑料", r"plastic|пластик|塑料"),
    (
        "borosilicate",
        "高硼硅玻璃",
        r"borosilicate(?: glass)?|боросиликатное стекло|高硼硅(?:玻璃)?",
    ),
    ("tempered_glass", "钢化玻璃", r"tempered glass|закал[её]нное стекло|钢化玻璃"),
    ("glass", "玻璃", r"glass|стекло|玻璃"),
    ("bone_china", "骨瓷", r"bone china|костяной фарфор|骨瓷"),
    ("porcelain", "瓷", r"porcelain|фарфор|瓷"),
    ("ceramic", "陶瓷", r"ceramics?|керамик[аи]|陶瓷"),
    ("solid_wood", "实木", r"solid wood|массив(?: дерева)?|实木"),
    ("wood", "木质", r"wood(?:en)?|дерев(?:о|янный|янная)|木质|木头"),
    ("bamboo", "竹", r"bamboo|бамбук|竹"),
    ("mdf", "密度板", r"mdf|мдф|密度板"),
    ("plywood", "胶合板", r"plywood|фанера|胶合板"),
    (
        "genuine_leather",
        "真皮",
        r"genuine leather|real leather|leather|натуральная кожа|кожа|真皮",
    ),
    ("cowhide", "牛皮", r"cowhide|cow leather|воловья кожа|牛皮"),
    ("pu_leather", "PU皮", r"pu leather|pu|эко-?кожа|pu皮|pu革"),
    (
        "faux_leather",
        "人造革",
        r"faux leather|artificial leather|искусственная кожа|кожзам|人造革",
    ),
    ("kraft_paper", "牛皮纸", r"kraft(?: paper)?|крафт(?:-?бумага)?|牛皮纸"),
    ("corrugated", "瓦楞纸", r"corrugated(?: board| cardboard)?|гофрокартон|瓦楞纸"),
    ("cardboard", "纸板", r"cardboard|paperboard|картон|纸板"),
    ("coated_paper", "铜版纸", r"coated paper|art paper|мелованная бумага|铜版纸"),
    ("paper", "纸", r"paper|бумага|纸"),
    ("pure_cotton", "纯棉", r"pure cotton|чистый хлопок|纯棉"),
    ("organic_cotton", "有机棉", r"organic cotton|органический хлопок|有机棉"),
    *FIBRES,
    ("canvas", "帆布", r"canvas|холст|канвас|帆布"),
    ("oxford", "牛津布", r"oxford(?: cloth| fabric)?|оксфорд|牛津布"),
    ("denim", "牛仔布", r"denim|деним|джинс(?:а|овая ткань)?|牛仔布"),
    ("fleece", "摇粒绒", r"(?:polar )?fleece|флис|摇粒绒"),
    ("velvet", "丝绒", r"velvet|бархат|丝绒"),
    ("felt", "毛毡", r"felt|фетр|войлок|毛毡"),
    ("microfiber", "超细纤维", r"microfib(?:er|re)|микрофибра|超细纤维"),
    ("rubber", "橡胶", r"rubber|резина|橡胶"),
    ("memory_foam", "记忆棉", r"memory foam|пена с памятью|记忆棉"),
    ("foam", "海绵", r"foam|sponge|поролон|губка|海绵|泡棉"),
    ("neoprene", "潜水料", r"neoprene|неопрен|潜水料|氯丁橡胶"),
    ("resin", "树脂", r"resin|смола|树脂"),
    ("marble", "大理石", r"marble|мрамор|大理石"),
    ("cork", "软木", r"cork|пробка|软木"),
)

COLOURS = (
    ("black", "黑色", r"black|чёрн(?:ый|ая|ое|ые)|черн(?:ый|ая|ое|ые)|黑色?"),
    ("white", "白色", r"white|бел(?:ый|ая|ое|ые)|白色?"),
    ("red", "红色", r"red|красн(?:ый|ая|ое|ые)|红色?"),
    ("light_blue", "浅蓝色", r"light blue|sky blue|голуб(?:ой|ая|ое|ые)|浅蓝色?"),
    ("navy", "藏青色", r"navy(?: blue)?|dark blue|т[её]мно-?син(?:ий|яя|ее|ие)|藏青色?|海军蓝"),
    ("blue", "蓝色", r"blue|син(?:ий|яя|ее|ие)|蓝色?"),
    ("dark_green", "墨绿色", r"dark green|т[её]мно-?зел[её]н(?:ый|ая|ое|ые)|墨绿色?"),
    ("green", "绿色", r"green|зел[её]н(?:ый|ая|ое|ые)|绿色?"),
    ("yellow", "黄色", r"yellow|ж[её]лт(?:ый|ая|ое|ые)|黄色?"),
    ("orange", "橙色", r"orange|оранжев(?:ый|ая|ое|ые)|橙色?"),
    ("pink", "粉色", r"pink|розов(?:ый|ая|ое|ые)|粉色|粉红色?"),
    ("purple", "紫色", r"purple|violet|фиолетов(?:ый|ая|ое|ые)|紫色?"),
    ("grey", "灰色", r"gr[ae]y|сер(?:ый|ая|ое|ые)|灰色?"),
    ("brown", "棕色", r"brown|коричнев(?:ый|ая|ое|ые)|棕色|咖啡色"),
    ("beige", "米色", r"beige|бежев(?:ый|ая|ое|ые)|米色|米白"),
    ("khaki", "卡其色", r"khaki|хаки|卡其色?"),
    ("rose_gold", "玫瑰金", r"rose gold|розовое золото|玫瑰金"),
    ("silver", "银色", r"silver|серебрист(?:ый|ая|ое|ые)|银色"),
    ("gold", "金色", r"gold(?:en)?|золот(?:ой|ая|ое|ые|истый)|金色"),
    ("transparent", "透明", r"transparent|clear|прозрачн(?:ый|ая|ое|ые)|透明"),
    ("natural", "原色", r"natural(?: colou?r)?|undyed|натуральн(?:ый|ого) цвет(?:а)?|原色|本色"),
    ("matte", "哑光", r"matte?|матов(?:ый|ая|ое|ые)|哑光|磨砂"),
    ("glossy", "亮光", r"gloss(?:y)?|глянцев(?:ый|ая|ое|ые)|亮光|亮面"),
)

PACKAGING = (
    (
        "colour_box",
        "彩盒",
        r"colou?r(?:ed)? box(?:es)?|printed box(?:es)?|цветн(?:ая|ые) коробк[аи]|彩盒",
    ),
    ("white_box", "白盒", r"white box(?:es)?|бел(?:ая|ые) коробк[аи]|白盒"),
    (
        "kraft_box",
        "牛皮纸盒",
        r"kraft(?: paper)? box(?:es)?|крафт(?:овая|-)? ?коробк[аи]|牛皮纸盒",
    ),
    ("gift_box", "礼盒", r"gift box(?:es)?|подарочн(?:ая|ые) коробк[аи]|礼盒"),
    ("inner_box", "内盒", r"inner box(?:es)?|внутренн(?:яя|ие) коробк[аи]|内盒"),
    ("opp_bag", "OPP袋", r"opp(?: bags?)?|opp пакет(?:ы)?|opp袋"),
    ("pe_bag", "PE袋", r"pe bags?|pe пакет(?:ы)?|pe袋"),
    (
        "zip_bag",
        "自封袋",
        _alt(
            r"zip ?lock(?: bags?)?",
            r"zipper bags?",
            r"resealable bags?",
            r"зип-?лок(?: пакет(?:ы)?)?",
            r"пакет(?:ы)? с застежкой",
            r"自封袋",
            r"骨袋",
        ),
    ),
    (
        "bubble_bag",
        "气泡袋",
        r"bubble (?:bags?|wrap|mailers?)|пузырчат(?:ый|ая) (?:пакет|плёнка|пленка)|气泡袋|气泡膜",
    ),
    ("blister", "吸塑", r"blister(?: packs?| packaging)?|блистер|吸塑"),
    ("header_card", "吊卡", r"header cards?|hang cards?|backing cards?|吊卡"),
    (
        "shrink_wrap",
        "收缩膜",
        r"shrink[- ]?wrap(?:ped)?|shrink film|термоусадочн(?:ая|ой) пл[её]нк[аи]|收缩膜",
    ),
    ("polybag", "塑料袋", r"poly ?bags?|plastic bags?|пакет(?:ы)?|塑料袋"),
    (
        "individual",
        "独立包装",
        _alt(
            r"individual(?:ly)? (?:packing|packed|packaging|wrapped)",
            r"individual",
            r"поштучн(?:ая|о) упаков(?:ка|ано)",
            r"индивидуальн(?:ая|ой) упаковк[аи]",
            r"独立包装",
            r"单独包装",
        ),
    ),
    (
        "neutral_packaging",
        "中性包装",
        _alt(
            r"neutral packaging",
            r"plain packaging",
            r"unbranded packaging",
            r"нейтральн(?:ая|ой) упаковк[аи]",
            r"упаковка без бренда",
            r"中性包装",
        ),
    ),
    (
        "export_carton",
        "出口纸箱",
        r"export cartons?|export box(?:es)?|экспортн(?:ая|ые) коробк[аи]|出口纸箱|出口箱",
    ),
    (
        "carton",
        "纸箱",
        _alt(
            r"cartons?",
            r"ctns?",
            r"outer cartons?",
            r"shipping box(?:es)?",
            r"master cartons?",
            r"гофрокороб(?:ка|ки)?",
            r"короб(?:а)?",
            r"纸箱",
            r"外箱",
        ),
    ),
    ("pallet", "托盘", r"pallets?|паллет(?:а|ы)?|поддон(?:ы)?|托盘"),
    ("box", "盒", r"box(?:es)?|коробк[аи]|коробочк[аи]|盒子?"),
    ("bag", "袋", r"bags?|мешок|мешки|袋子?"),
)

LABELLING = (
    ("hang_tag", "吊牌", r"hang ?tags?|swing ?tags?|tags?|бирк[аи]|навесн(?:ая|ые) бирк[аи]|吊牌"),
    (
        "woven_label",
        "织唛",
        _alt(
            r"woven labels?",
            r"neck labels?",
            r"тканев(?:ая|ые) этикетк[аи]",
            r"жаккардов(?:ая|ые) этикетк[аи]",
            r"织唛",
            r"领标",
        ),
    ),
    (
        "care_label",
        "洗水唛",
        _alt(
            r"care labels?",
            r"wash(?:ing)? labels?",
            r"care instructions?(?: labels?)?",
            r"ярлык(?:и)? по уходу",
            r"этикетк[аи] по уходу",
            r"洗水唛",
            r"水洗标",
        ),
    ),
    ("size_label", "尺码标", r"size labels?|размерн(?:ая|ые) этикетк[аи]|尺码标"),
    ("barcode", "条形码", r"bar ?codes?|ean(?:-?13)?|upc|штрих-?код(?:ы)?|条形码|条码"),
    ("fba_label", "FBA标签", r"fba(?: labels?| labell?ing)?|fba этикетк[аи]|fba标签?"),
    (
        "made_in_china",
        "产地标（Made in China）",
        r"made in china(?: labels?)?|сделано в китае|产地标",
    ),
    (
        "no_logo",
        "无logo",
        _alt(
            r"no logo",
            r"without (?:a )?logo",
            r"no branding",
            r"unbranded",
            r"blank",
            r"без логотипа",
            r"без лого",
            r"без брендинга",
            r"无logo",
            r"不要logo",
            r"无标",
        ),
    ),
    (
        "custom_logo",
        "定制logo",
        _alt(
            r"custom logo|(?:my|our|own) logo|logo",
            r"свой логотип|наш логотип|логотип|лого",
            r"定制logo|印logo",
        ),
    ),
    (
        "silk_screen",
        "丝印",
        r"silk ?screen(?: print(?:ing)?)?|screen print(?:ing)?|шелкография|丝印",
    ),
    ("pad_print", "移印", r"pad print(?:ing)?|тампопечать|移印"),
    (
        "laser",
        "镭雕",
        _alt(
            r"laser(?: engrav(?:ing|ed)| logo| marking)?",
            r"engrav(?:ing|ed)",
            r"лазерная гравировка",
            r"гравировка",
            r"镭雕",
            r"激光雕刻",
            r"激光刻字",
        ),
    ),
    ("embroidery", "刺绣", r"embroider(?:y|ed)|вышивка|刺绣"),
    (
        "heat_transfer",
        "热转印",
        r"heat transfer(?: print(?:ing)?)?|термотрансфер|термоперенос|热转印",
    ),
    (
        "hot_stamping",
        "烫金",
        r"hot (?:foil )?stamping|foil(?: stamping)?|тиснение фольгой|горячее тиснение|烫金",
    ),
    ("uv_print", "UV印刷", r"uv print(?:ing)?|уф-?печать|uv印刷"),
    (
        "sticker_label",
        "不干胶贴纸",
        r"stickers?|labels? stickers?|наклейк[аи]|不干胶(?:贴纸)?|贴纸",
    ),
    ("shipping_marks", "唛头", r"shipping marks?|carton marks?|маркировка коробок|唛头|箱唛"),
    ("ce_mark", "CE标志", r"ce(?: mark(?:ing)?| marking| logo)?|маркировка ce|ce标志?"),
    ("manual", "说明书", r"(?:user )?manuals?|instructions?|инструкци(?:я|и)|说明书"),
    ("warning_label", "警示标签", r"warning labels?|предупреждающ(?:ая|ие) этикетк[аи]|警示标签?"),
)

DIMENSION_WORDS = (
    ("diameter", "直径", r"diameter|dia\.?|ø|⌀|диаметр|直径"),
    ("height", "高度", r"height|high|tall|высота|高度"),
    ("length", "长度", r"length|long|длина|长度"),
    ("width", "宽度", r"width|wide|ширина|宽度"),
    ("thickness", "厚度", r"thickness|thick|толщина|厚度"),
    ("depth", "深度", r"depth|deep|глубина|深度"),
    ("capacity", "容量", r"capacity|volume|объ[её]м|ёмкость|容量"),
)

# Words every field may use. "Like the picture" and "good quality" are what the seed
# article warns against: translated, but flagged as unenforceable.
COMMON = (
    ("and", "和", r"and|&|\+|и|和|与|及"),
    ("slash", "/", r"/"),  # read back as "/ (or)": that is how specs use it
    ("with", "带", r"with|w/|с|со|带"),
    (
        "as_sample",
        "与样品一致",
        _alt(
            r"(?:same )?as (?:the )?sample",
            r"like (?:the )?sample",
            r"как (?:на |в )?образц[еу]",
            r"как образец",
            r"同样品",
            r"与样品一致",
            r"跟样品一样",
        ),
    ),
)
VAGUE_TERMS = (
    (
        "good_quality",
        "质量好",
        _alt(
            r"(?:good|high|best|top|premium) quality",
            r"хорошее качество",
            r"высокое качество",
            r"качественн(?:ый|ая|ое|ые)",
            r"质量好",
            r"高品质",
            r"高质量",
        ),
    ),
    (
        "like_picture",
        "与图片一致",
        _alt(
            r"(?:same )?as (?:in )?(?:the )?(?:picture|photo|image)",
            r"like (?:in )?(?:the )?(?:picture|photo|image)",
            r"как на (?:фото|картинке|изображении)",
            r"同图",
            r"和图片一样",
            r"跟图片一样",
            r"与图片一致",
        ),
    ),
    (
        "asap",
        "尽快",
        r"asap|as soon as possible|urgent(?:ly)?|срочно|как можно скорее|尽快|越快越好",
    ),
    (
        "normal",
        "普通",
        r"normal|standard|usual|regular|обычн(?:ый|ая|ое|ые)|стандартн(?:ый|ая|ое|ые)|普通|一般",
    ),
)
# Dropped without a trace: articles carry no meaning in Chinese.
_ARTICLES = Recogniser(_compile(r"a|an|the"), lambda found, today: Piece(""))

# ---------------------------------------------------------------------------------------
# Natural phrasing (issue 17): what buyers write around the measures. Terms come from the
# vocabulary of public product listings and spec sheets; the sources are listed in
# bot/domain/spec/glossary_sources.md.

# Parts of a product, for "304 inside, 201 outside", "lid: PP", "black handle".
PARTS = (
    (
        "inner",
        "内胆",
        r"inside|inner(?: (?:liner|wall|pot|tank|part|layer))?|liner|interior"
        r"|внутри|внутренн(?:яя|ий|ее|юю) (?:часть|колба|стенка)|колба|内胆|内层",
    ),
    (
        "outer",
        "外壳",
        r"outside|outer(?: (?:shell|wall|body|layer|part))?|shell|exterior"
        r"|снаружи|внешн(?:яя|ий|ее|юю) (?:часть|стенка|корпус)|корпус[еа]?|外壳|外层",
    ),
    ("lid", "盖子", r"lids?|caps?|covers?|крышк[аиуе]|盖子|杯盖"),
    ("handle", "把手", r"handles?|ручк[аиу]|把手|提手"),
    ("body", "主体", r"(?:main )?body|основа|主体|杯身"),
    ("bottom", "底部", r"bottom|base|дно|основание|底部|底座"),
    ("straw", "吸管", r"straws?|трубочк[аи]|吸管"),
    ("seal", "密封圈", r"seal(?:ing)? rings?|gaskets?|seals?|уплотнител[ьи]|прокладк[аи]|密封圈"),
)
# Where a logo is printed, besides the parts above.
PRINT_PLACES = (
    ("front", "正面", r"(?:the )?front|лицев(?:ой|ую) сторон[еу]|正面"),
    ("back", "背面", r"(?:the )?back|оборот(?:е|ной стороне)?|背面"),
    ("side", "侧面", r"(?:the )?sides?|боку|侧面"),
    ("both_sides", "双面", r"both sides|двух сторонах|双面"),
    ("print_box", "包装盒", r"(?:the )?box(?:es)?|коробк[еу]|包装盒"),
)
# Surface finishes (表面处理).
FINISHES = (
    ("brushed", "拉丝", r"brushed|wire[- ]drawn|hairline|брашированн(?:ый|ая|ое)|拉丝"),
    ("mirror", "镜面抛光", r"mirror(?: polish(?:ed)?)?|зеркальн(?:ый|ая|ое)|镜面(?:抛光)?"),
    ("polished", "抛光", r"polished|полированн(?:ый|ая|ое)|抛光"),
    (
        "powder_coated",
        "喷粉",
        r"powder[- ]?coat(?:ed|ing)?|порошков(?:ая|ой) покраск[аи]"
        r"|порошков(?:ое|ым) покрыти(?:е|ем)|喷粉|静电喷涂",
    ),
    ("spray_painted", "喷漆", r"spray[- ]?paint(?:ed|ing)?|painted|окрашенн(?:ый|ая|ое)|喷漆"),
    ("chrome_plated", "镀铬", r"chrome[- ]plated|chromed?|хромированн(?:ый|ая|ое)|镀铬"),
    (
        "electroplated",
        "电镀",
        r"electro-?plat(?:ed|ing)|plated|гальваническ(?:ое|им) покрыти(?:е|ем)|гальваника|电镀",
    ),
    ("sandblasted", "喷砂", r"sand-? ?blast(?:ed|ing)?|пескоструйн(?:ая|ый)(?: обработка)?|喷砂"),
    ("anodized", "阳极氧化", r"anodi[sz](?:ed|ing)|анодированн(?:ый|ая|ое)|阳极氧化"),
    ("frosted", "磨砂", r"frosted|матов(?:ое|ым) стекл(?:о|ом)"),
    (
        "soft_touch",
        "手感漆",
        r"soft[- ]?touch(?: coating)?|rubberi[sz]ed(?: coating)?|софт-?тач|手感漆",
    ),
)
# Connector words every field may use; "about", "at most", "at least" and "in total" are
# written straight before the measure in Chinese (约350克, 共1000件).
CONNECTORS = (
    (
        "acceptable",
        "也可以",
        r"(?:is |are |also |is also )?(?:ok(?:ay)?|acceptable|fine|accepted|allowed)"
        r"(?: too| also| as well)?|тоже (?:можно|подойд[её]т|ок)|можно|допустимо"
        r"|подойд[её]т|也可以|可以|可接受",
    ),
    ("or", "或", r"or|или|либо|或|或者"),
)
GLUED = (
    ("about", "约", _ABOUT),
    (
        "at_most",
        "不超过",
        r"max(?:imum)?\.?|no more than|not more than|up to|не более|максимум|不超过|最多",
    ),
    ("at_least", "不少于", r"min(?:imum)?\.?|at least|no less than|не менее|минимум|至少|不少于"),
    ("total", "共", r"total(?: qty| quantity)?|in total|всего|итого|共|合计"),
    (
        "each_in",
        "每件单独装",
        r"each (?:piece |pc |one |item )?(?:in|into) (?:a |an |its own |one |a separate )?"
        r"|(?:1|one) ?(?:pcs?|piece)? ?(?:in|per) (?:a |an |one |each )?"
        r"|каждая? (?:штука )?в (?:отдельн(?:ый|ом|ой) )?|по одной в|每件单独装",
    ),
)
PER_COLOUR = (
    "per_colour",
    "（每色）",
    r"(?:for |of )?(?:each|per|every) colou?r|каждого цвета|每色|每个颜色",
)
# Words with no meaning the Chinese needs: politeness (the message already says 请 and
# 谢谢), colons, and the name of the field itself ("weight:" in the weight answer).
_POLITE = r"pls|plz|please|kindly|thanks|thank you|thx|пожалуйста|пжл|спасибо|请|谢谢|[:：!.]"
FIELD_WORDS = {
    "product": r"product|item|товар|产品",
    "material": r"material|made of|made from|материал|из|材质|材料",
    "weight": r"weight|weighs|вес(?:ит)?|重量",
    "dimensions": r"size|dimensions?|measures?|размер(?:ы)?|尺寸",
    "colour": r"colou?r|цвет|颜色",
    "quantity": r"qty|quantity|order|количество|数量",
    "packaging": r"packing|packaging|packed|package|упаковка|упакован(?:ы|о)?|包装",
    "labelling": r"labell?ing|branding|брендинг|印刷",
    "deadline": r"deadline|lead ?time|срок|交期",
}
FINISH_WORDS = r"finish|surface|отделка|покрытие|表面处理|表面"


def _dropped(aliases: str) -> Recogniser:
    return Recogniser(_compile(aliases), lambda found, today: Piece(""))


def _stainless_without_grade() -> Recogniser:
    return _term("stainless_steel", "不锈钢", _STAINLESS, warning=NO_GRADE)


_COMMON = (
    *_terms(COMMON),
    *_terms(CONNECTORS),
    *(_term(k, zh, a, glue=True) for k, zh, a in GLUED),
    *(_term(k, zh, a, VAGUE) for k, zh, a in VAGUE_TERMS),
    _ARTICLES,
    _dropped(_POLITE),
)
_MATERIAL = (
    _steel_grade(),
    _stainless_without_grade(),
    _fibre_percent(),
    *_terms(row for row in MATERIALS if row[0] != "stainless_steel"),
)
_FINISH = (*_terms(FINISHES), _dropped(FINISH_WORDS))
_LENGTH = _amount(LENGTH_UNITS)


def _field(name: str, *recognisers: Recogniser) -> tuple[Recogniser, ...]:
    return (*recognisers, *_COMMON, _dropped(FIELD_WORDS[name]))


RECOGNISERS: Mapping[str, tuple[Recogniser, ...]] = {
    "product": _field(
        "product",
        *_terms(PRODUCTS),
        *_MATERIAL,
        *_terms(COLOURS),
        *_FINISH,
        _amount(VOLUME_UNITS),
        _LENGTH,
    ),
    "material": _field("material", *_MATERIAL, _bare_grade(), _part(), *_FINISH, *_terms(COLOURS)),
    "weight": _field(
        "weight",
        _gsm_first(),
        _amount((GSM_UNIT,), label="gsm"),
        _unit_weight(),
        _amount(MASS_UNITS),
        _tolerance((PERCENT, *MASS_UNITS)),
        _term("net_weight", "净重", r"net(?: weight)?|нетто|净重"),
        _term("gross_weight", "毛重", r"gross(?: weight)?|брутто|毛重"),
        _term("per_piece", "/件", r"per piece|per pc|each|/ ?pcs?|за штуку|/шт|每件|单件"),
    ),
    "dimensions": _field(
        "dimensions",
        _dimensions(),
        _dimensions_each_unit(),
        _LENGTH,
        _amount(VOLUME_UNITS),
        _tolerance((PERCENT, *LENGTH_UNITS)),
        *_terms(DIMENSION_WORDS),
    ),
    "colour": _field("colour", _pantone(), *_terms(COLOURS), _part(), *_FINISH),
    "quantity": _field("quantity", _quantity(), _term(*PER_COLOUR), _tolerance((PERCENT,))),
    "packaging": _field(
        "packaging",
        _per_carton(),
        *_terms(PACKAGING),
        *_terms(COLOURS),
        *_MATERIAL,
    ),
    "labelling": _field(
        "labelling", *_terms(LABELLING), *_terms(COLOURS), _printed_on(), _print_colours()
    ),
    "deadline": _field("deadline", _deadline_date(), _deadline_span()),
}


# ---------------------------------------------------------------------------------------
# Reading answers

# Invisible characters (bidi overrides, zero widths, controls) are dropped: they cannot
# be meant, and they would scramble the line they sit in.
_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_ITEM_SEPARATORS = re.compile(r"[,;，；、\n]+")
_SPACE = re.compile(r"[^\S\n]+")


def clean(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), no invisible characters."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).strip()


def read_field(name: str, text: str, *, today: date | None = None) -> SpecLine | None:
    """One answer as a line of the summary, or None when nothing is left to say."""
    cut = len(text) > MAX_ANSWER
    cleaned = clean(text[:MAX_ANSWER])
    recognisers = RECOGNISERS[name]
    items = tuple(
        _read_item(part, recognisers, today)
        for part in (chunk.strip() for chunk in _ITEM_SEPARATORS.split(_protect(cleaned)))
        if part
    )
    items = tuple(item for item in items if item)
    if not items:
        return None
    kept = _within_limits(items)
    return SpecLine(name, _label(kept, name), kept, cut or kept != items)


def _within_limits(items: tuple[Item, ...]) -> tuple[Item, ...]:
    kept: list[Item] = []
    room = MAX_PIECES
    for item in items[:MAX_ITEMS]:
        if room <= 0:
            break
        kept.append(item[:room])
        room -= len(item)
    return tuple(kept)


def _label(items: tuple[Item, ...], name: str) -> str:
    return next((piece.label for item in items for piece in item if piece.label), name)


_NUMBER_COMMA = "\u2063"  # stands in for a comma inside a number while items are split


_MONTH_DAY_COMMA = re.compile(
    rf"(?<![{_WORD}])((?:{_MONTH})\.?\s*\d{{1,2}}{_ORDINAL}),(?=\s*20\d\d)", re.IGNORECASE
)


def _protect(text: str) -> str:
    """Commas inside numbers (1,000 pcs; 1,5 kg) and dates (Jan 15, 2027) are not item
    separators."""
    text = _MONTH_DAY_COMMA.sub(lambda found: found[1] + _NUMBER_COMMA, text)
    return re.sub(r"(?<=\d),(?=\d)", _NUMBER_COMMA, text)


_A_WORD = re.compile(rf"[{_WORD}]+|\S")


def _read_item(text: str, recognisers: tuple[Recogniser, ...], today: date | None) -> Item:
    text = text.replace(_NUMBER_COMMA, ",")
    pieces: list[Piece] = []
    unknown: list[str] = []
    position = 0
    unknown_start = unknown_end = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        best = _longest(text, position, recognisers, today)
        if best is None:
            # Not wholly known: translating part of it could change its meaning. The
            # rest is still read, to name every word that kept it as typed.
            word = _A_WORD.match(text, position)
            end = word.end() if word else position + 1
            if unknown and not text[unknown_end:position].strip():
                unknown[-1] = text[unknown_start:end]
            else:
                unknown.append(text[position:end])
                unknown_start = position
            position = unknown_end = end
            continue
        piece, position = best
        if piece.zh or piece.key:
            pieces.append(piece)
    if unknown:
        return (Piece(text, warning=UNKNOWN, typed=text, unknown=tuple(unknown)),)
    return _part_first(tuple(pieces))


def _part_first(item: Item) -> Item:
    """Chinese names the part first (内胆304不锈钢 for "304 stainless inside") and puts
    "about", "in total" before the measure (共600件 for "600 pcs total")."""
    if len(item) > 1 and item[-1].glue:
        item = (item[-1], *item[:-1])
    for index, piece in enumerate(item):
        if piece.key == "spec_f_part":
            return (piece, *item[:index], *item[index + 1 :]) if index else item
    return item


def _longest(
    text: str, position: int, recognisers: tuple[Recogniser, ...], today: date | None
) -> tuple[Piece, int] | None:
    best: tuple[Piece, int] | None = None
    for recogniser in recognisers:
        found = recogniser.match(text, position, today)
        if found is not None and (best is None or found[1] > best[1]):
            best = found
    return best


def build_spec(answers: Mapping[str, str], *, today: date | None = None) -> Spec:
    """The summary of every answered field, in FIELDS order."""
    lines = (read_field(name, answers[name], today=today) for name in FIELDS if answers.get(name))
    return Spec(tuple(line for line in lines if line is not None))


# ---------------------------------------------------------------------------------------
# For tests and catalogues: every key this module can produce.


def catalogue_keys() -> frozenset[str]:
    rows = (
        *PRODUCTS,
        *MATERIALS,
        *COLOURS,
        *PACKAGING,
        *LABELLING,
        *DIMENSION_WORDS,
        *COMMON,
        *VAGUE_TERMS,
        *PARTS,
        *PRINT_PLACES,
        *FINISHES,
        *CONNECTORS,
        *GLUED,
        PER_COLOUR,
        ("per_piece", "", ""),
        ("net_weight", "", ""),
        ("gross_weight", "", ""),
    )
    units = (*LENGTH_UNITS, *MASS_UNITS, GSM_UNIT, *VOLUME_UNITS, *COUNT_UNITS, PERCENT)
    formats = (
        "tolerance",
        "tolerance_bare",
        "dims2",
        "dims3",
        "pantone",
        "percent",
        "steel",
        "per_carton",
        "per_box",
        "per_bag",
        "unit_weight",
        "unit_weight_about",
        "part",
        "printed_on",
        "print_colours",
        "logo_colours",
        "ship_by",
        "ship_within_days",
        "ship_within_weeks",
    )
    return frozenset(
        [f"spec_t_{row[0]}" for row in rows]
        + [f"spec_u_{unit.code}" for unit in units]
        + [f"spec_f_{name}" for name in formats]
        + [f"spec_label_{label}" for label in LABELS_ZH]
        + [f"spec_warn_{code}" for code in WARNING_CODES]
    )
