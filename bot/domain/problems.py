"""Is the buyer describing a problem with goods they bought (short, broken, wrong)?

A message such as "my forwarder got the parcel but 20 pcs are missing" wants the dispute
walkthrough, not a guide search on its words. The rule is a set of word families in
English, Russian and Chinese, each a kind of problem 1688 accepts as a refund reason
(short delivery, damage or defects, wrong or fake goods, not received). Words that are
also used for other things ("missing" code, a "broken" link, "fake" supplier sites) only
count next to something that says goods or an order.

Measured on tests/data/problem_messages/messages.csv (88 messages in en/ru/zh, self-made,
labelled before the rule was written; tuned on the dev half only): on the held-out test
half precision 0.96 (22/23) and recall 0.96 (22/23). The misses, left as they are so the
number stays honest: "the printing on the bags is wrong" (missed) and "words sellers use
for fake brand goods" (a question about counterfeits, taken for a problem).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    SHORT = "short"  # fewer pieces or cartons than ordered
    DAMAGED = "damaged"  # broken, cracked, defective, poor quality
    WRONG = "wrong"  # wrong colour, size or model; not as described; fake
    NOT_RECEIVED = "not_received"  # never arrived, or signed for but not there


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    words: str  # the words that said so, as the buyer wrote them (normalised)


# Something that says goods or an order is being talked about.
_GOODS = re.compile(
    r"\b(?:pcs|pieces?|units?|items?|goods|products?|order(?:ed)?|parcels?|packages?|"
    r"boxe?s?|cartons?|shipment|deliver(?:y|ed)|received?|got|arrived?|came|sent|ship(?:ped)?|"
    r"forwarder|agent|warehouse|supplier|seller|inspection|stock|sneakers|shoes|shirts?)\b"
    r"|штук|шт\b|товар|заказ|посылк|коробк|груз|партии|партия|карго|склад|пришл|прислал|"
    r"получил|отправил|доставил|поставщик|продав"
    r"|货|件|箱|包裹|收到|发了|快递|卖家|商家|订单"
)

_ALWAYS = re.compile(
    r"(?P<short>"
    r"\bshipped short\b|\bshort by \d|\bshort[- ]shipped\b|\bfewer\b|"
    r"\bless than (?:i |we )?(?:ordered|paid|expected)\b|\bincomplete\b|"
    r"\bonly \d+\s*(?:pcs|pieces|units|boxes|cartons)?\s*(?:out )?of \d+\b|"
    r"\bonly \d+\s*(?:pcs|pieces|units|boxes|cartons)?,? (?:i|we) ordered \d+\b|"
    r"не хватает|не хватило|недостач|недовложен|недопостав|недоложил|не доложил|"
    r"пришл[оаи]? меньше|меньше,? чем (?:я |мы )?заказ|"
    r"少了|少发|漏发|不够|缺货|缺件|缺少|短装|数量不对)"
    r"|(?P<damaged>"
    r"\bcracked\b|\bdefective\b|\bfaulty\b|\bdon'?t (?:turn on|work)\b|\bnot working\b|"
    r"\bcrushed\b|\bscratched\b|\bdented\b|\bleaking\b|\bshattered\b|"
    r"\b(?:bad|poor|low|terrible) quality\b|\bquality is (?:really |very )?(?:bad|poor)\b|"
    r"\bcoming apart\b|"
    r"сломан|сломал|разбит|поврежд|\bбрак|бракован|трещин|не работа|порван|помят|"
    r"царапин|дефект|испорчен|плохое качество|"
    r"破损|坏了|损坏|碎了|裂了|开裂|质量问题|质量差|质量不好|次品|瑕疵|不能用|破了|划痕)"
    r"|(?P<wrong>"
    r"\bwrong (?:colou?rs?|sizes?|models?|items?|products?|goods|versions?|materials?|"
    r"prints?|printing|logos?|designs?|quantity|parts?)\b|"
    r"\b(?:printing|print|logo|colou?r|size|model|item) (?:is|was|are|were) wrong\b|"
    r"\bnot as (?:described|shown|pictured|in the (?:photos?|pictures?|listing))\b|"
    r"\bnot what (?:i|we) ordered\b|"
    r"\bdifferent (?:model|colou?r|size|item|product) (?:from|than)\b|"
    r"\b(?:thinner|thicker|smaller|bigger|cheaper) than (?:in )?the (?:photos?|pictures?|"
    r"listing|sample)\b|"
    r"не т(?:от|ой|а|е|у) (?:цвет|размер|модел|товар|материал|артикул)|"
    r"(?:цвет|размер|модель|товар) не т(?:от|а|е)\b|не соответству|"
    r"не как на фото|отличается от (?:фото|образца|описания)|подделк|фальшивк|"
    r"перепутал|"
    r"色差|发错|错发|颜色不对|尺寸不对|型号不对|货不对板|与描述不符|和图片不一样|假货)"
    r"|(?P<not_received>"
    r"\bnever (?:arrived|came)\b|\b(?:haven'?t|have not|didn'?t|did not) (?:receive|get)\b|"
    r"так и не пришл|не получил[аи]? (?:товар|заказ|посылк)|"
    r"没收到|未收到)"
)

# Words with other uses that say "problem" only about goods: "missing" pieces, not a
# missing verification code; "fake" goods received, not a fake link or supplier site.
_WITH_GOODS = re.compile(
    r"(?P<short>\bmissing\b|\bshort\b|\bnot all\b|\bonly \d+\b|\bout of \d+\b|\blost\b|"
    r"пропал|не все|потерял)"
    r"|(?P<damaged>\bbroken\b|\bdamaged?\b|\bdirty\b|\bused stock\b|\btorn\b|\bstained\b)"
    r"|(?P<wrong>\bfake\b|\bcounterfeit\b|\bknock-?offs?\b|\breplicas?\b|"
    r"\bwrong\b|\bdifferent model\b|паль\b)"
)

# What makes a goods word innocent: the buyer asks about the link, the account or the
# supplier's site, where the dispute walkthrough is no help.
_NOT_GOODS = re.compile(
    r"\blinks?\b|\burl\b|\bsite\b|\bwebsite\b|\bpage\b|\bcode\b|\bsms\b|\bpassword\b|"
    r"\baccount\b|\bbrand words\b|ссылк|сайт|пароль|аккаунт|链接|网站|密码"
)


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return folded.replace("’", "'")


def find_problem(text: str) -> Problem | None:
    """The problem with received goods this message describes, or None."""
    normal = _normal(text)
    found = _ALWAYS.search(normal)
    if found is not None and found.lastgroup is not None:
        return Problem(ProblemKind(found.lastgroup), found.group())
    maybe = _WITH_GOODS.search(normal)
    if (
        maybe is not None
        and maybe.lastgroup is not None
        and _GOODS.search(normal) is not None
        and _NOT_GOODS.search(normal) is None
    ):
        return Problem(ProblemKind(maybe.lastgroup), maybe.group())
    return None
