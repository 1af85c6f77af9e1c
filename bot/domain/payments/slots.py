"""The slots of a payment request, and the verdict that follows from them.

A message is read into six slots: who is paid (payee), how (channel), where (platform),
the story told (pretexts), how the money is cut up (structures) and who is speaking (a
supplier's request or the buyer's own question). Every signal code the phrase rules find
fills one slot; the vocabularies here fill the rest (roles such as "our director's
account", ATM transfers, L/C, split transfers, Alibaba.com Trade Assurance steps, buyer
questions) in Simplified and Traditional Chinese (folded by `normalise`), English, Russian,
pinyin and chat shorthand. `decide` turns slots into a verdict by the table in README.md
("How the verdict follows from the slots"); `missing` names the one slot worth asking
about when it would decide the verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.payments.anchors import AnchorIndex, anchors
from bot.domain.payments.model import Slots, Verdict
from bot.domain.payments.text import evidence, is_negated

# Slot values. Strings, because they go straight into the JSON contract.
PAYEE_COMPANY, PAYEE_PERSON, PAYEE_ROLE, PAYEE_THIRD_PARTY = (
    "company",
    "person",
    "role",
    "third_party",
)
CH_PLATFORM, CH_BANK, CH_WALLET, CH_QR, CH_REMITTANCE = (
    "platform_checkout",
    "bank_transfer",
    "wallet",
    "qr_code",
    "remittance_service",
)
CH_CRYPTO, CH_CASH_ATM, CH_LC, CH_CARD = "crypto", "cash_atm", "letter_of_credit", "card"
PF_1688, PF_ALIBABA, PF_OTHER, PF_OFF = (
    "1688",
    "alibaba_trade_assurance",
    "other_platform",
    "off_platform",
)
UNKNOWN = "unknown"
# The keys of `slots` in the check-payment JSON (README, "How the verdict follows…").
SLOT_NAMES = ("payee", "channel", "platform", "pretext", "structure", "speaker")
SUPPLIER, BUYER = "supplier", "buyer"

RISKY_PAYEES = frozenset({PAYEE_PERSON, PAYEE_ROLE, PAYEE_THIRD_PARTY})
RISKY_CHANNELS = frozenset({CH_WALLET, CH_QR, CH_REMITTANCE, CH_CRYPTO, CH_CASH_ATM, CH_CARD})
DOCUMENTED_CHANNELS = frozenset({CH_BANK, CH_LC})
PROTECTED_PLATFORMS = frozenset({PF_1688, PF_ALIBABA})
RISKY_STRUCTURES = frozenset({"split"})

# Which slot each signal code fills, and with what. Severity lives in `decide`.
SIGNAL_SLOTS: dict[str, tuple[str, str]] = {
    "bank_card_number": ("payee", PAYEE_PERSON),
    "personal_account": ("payee", PAYEE_PERSON),
    "personal_name_payee": ("payee", PAYEE_PERSON),
    "role_payee": ("payee", PAYEE_ROLE),
    "third_party_payee": ("payee", PAYEE_THIRD_PARTY),
    "corporate_transfer": ("payee", PAYEE_COMPANY),
    "agent_payment": ("payee", PAYEE_COMPANY),
    "phone_as_account": ("channel", CH_WALLET),
    "wallet_transfer": ("channel", CH_WALLET),
    "qr_payment_code": ("channel", CH_QR),
    "collection_code": ("channel", CH_QR),
    "crypto_payment": ("channel", CH_CRYPTO),
    "transfer_service": ("channel", CH_REMITTANCE),
    "cash_or_atm": ("channel", CH_CASH_ATM),
    "letter_of_credit": ("channel", CH_LC),
    "bank_transfer": ("channel", CH_BANK),
    "off_platform_payment": ("platform", PF_OFF),
    "off_platform_link": ("platform", PF_OFF),
    "off_platform_chat": ("platform", PF_OFF),
    "worldfirst_link": ("platform", PF_OTHER),
    "cross_border_pay": ("platform", PF_1688),
    "modified_price": ("platform", PF_1688),
    "platform_checkout": ("platform", PF_1688),
    "platform_link": ("platform", PF_1688),
    "trade_assurance": ("platform", PF_ALIBABA),
    "platform_payment_step": ("platform", PF_ALIBABA),
    "account_change_pretext": ("pretext", "account_change"),
    "account_limit_pretext": ("pretext", "account_limit"),
    "maintenance_pretext": ("pretext", "maintenance"),
    "tax_pretext": ("pretext", "tax"),
    "customs_fee_pretext": ("pretext", "fee"),
    "deposit_fee_pretext": ("pretext", "deposit_fee"),
    "verification_pretext": ("pretext", "verification"),
    "urgency_pressure": ("pretext", "urgency"),
    "discount_pretext": ("pretext", "discount"),
    "fake_support": ("pretext", "fake_support"),
    "stall_tactic": ("pretext", "stall"),
    "zero_value_order": ("pretext", "zero_value"),
    "instruction_injection": ("pretext", "manipulation"),
    "split_payment": ("structure", "split"),
    "split_transfers": ("structure", "split"),
    # Readings that fill a slot without being a finding of their own.
    "card_channel": ("channel", CH_CARD),
    "deposit_and_balance": ("structure", "deposit_balance"),
    "sample_fee": ("structure", "sample_fee"),
}


@dataclass
class _Filling:
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, slot: str, value: str) -> None:
        bucket = self.values.setdefault(slot, [])
        if value not in bucket:
            bucket.append(value)


# The more telling value wins when one slot is filled twice: a person beats a company, a
# wallet beats a bank transfer, leaving the platform beats a platform word.
# A role says more than "a person"; both say more than a company account.
_PAYEE_ORDER = (PAYEE_ROLE, PAYEE_THIRD_PARTY, PAYEE_PERSON, PAYEE_COMPANY)
_CHANNEL_ORDER = (
    CH_CRYPTO,
    CH_CASH_ATM,
    CH_QR,
    CH_WALLET,
    CH_REMITTANCE,
    CH_CARD,
    CH_BANK,
    CH_LC,
    CH_PLATFORM,
)
_PLATFORM_ORDER = (PF_OFF, PF_OTHER, PF_ALIBABA, PF_1688)


_F = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_R = r"(?<![а-яё])"

# Words that name a company as the account holder (not just "a bank transfer").
_COMPANY = re.compile(
    r"公对公|对公|公户|公司|企业账|"
    rf"{_F}(?:company|corporate|business\s+account|co\.?,?\s*ltd|ltd|inc|llc|gmbh){_E}|"
    rf"{_R}(?:компани|ооо|юрлиц|юридическ|фирм|организац)"
)

# Methods the platform's own payment page offers: chosen there, they stay protected.
_CHECKOUT_METHODS = frozenset({CH_BANK, CH_LC})


def slots_from(found: dict[str, str], *, buyer_question: bool) -> Slots:
    """The slots filled by the signal codes found in a message (code -> evidence)."""
    filling = _Filling()
    for code, quoted in found.items():
        slot = SIGNAL_SLOTS.get(code)
        if code == "corporate_transfer" and not _COMPANY.search(quoted.lower()):
            slot = ("channel", CH_BANK)  # "by bank transfer": whose account is not said
        if slot is not None:
            filling.add(*slot)
    values = filling.values
    platform = _first(values.get("platform", []), _PLATFORM_ORDER)
    channels = values.get("channel", [])
    if "platform_payment_step" in found:
        # "Send Initial Payment and choose T/T", "pay with PayPal on the checkout page":
        # a method picked on the platform's payment page is the platform checkout.
        paypal = "paypal" in found.get("transfer_service", "").lower()
        channels = [
            CH_PLATFORM
            if value in _CHECKOUT_METHODS or (value == CH_REMITTANCE and paypal)
            else value
            for value in channels
        ]
    channel = _first(channels, _CHANNEL_ORDER)
    if channel == UNKNOWN and platform in PROTECTED_PLATFORMS:
        channel = CH_PLATFORM
    return Slots(
        payee=_first(values.get("payee", []), _PAYEE_ORDER),
        channel=channel,
        platform=platform,
        pretexts=tuple(values.get("pretext", [])),
        structures=tuple(values.get("structure", [])),
        speaker=BUYER if buyer_question else SUPPLIER,
        on_platform_page="platform_payment_step" in found,
    )


def _first(found: list[str], order: tuple[str, ...]) -> str:
    return next((value for value in order if value in found), UNKNOWN)


def decide(slots: Slots) -> Verdict:
    """The verdict table of README.md, first matching row wins."""
    if slots.speaker == BUYER:
        return Verdict.UNCLEAR  # the buyer's own question: a guide answer, not a verdict
    if (
        slots.payee in RISKY_PAYEES
        or slots.channel in RISKY_CHANNELS
        or slots.platform == PF_OFF
        or slots.pretexts
        or RISKY_STRUCTURES & set(slots.structures)
    ):
        return Verdict.HIGH_RISK
    if slots.on_platform_page and slots.channel == CH_PLATFORM:
        return Verdict.APPROVED  # a method chosen on the platform's own payment page
    if (
        slots.payee == PAYEE_COMPANY
        or slots.channel in DOCUMENTED_CHANNELS
        or slots.platform == PF_OTHER
    ):
        return Verdict.CONDITIONAL
    if slots.platform in PROTECTED_PLATFORMS or slots.channel == CH_PLATFORM:
        return Verdict.APPROVED
    return Verdict.UNCLEAR


def missing(slots: Slots, verdict: Verdict) -> str | None:
    """The one slot to ask about, when its answer could change the verdict.

    A bank transfer whose payee is not said: a company makes it conditional, a person
    makes it high risk, so the buyer is asked whose name is on the account.
    """
    if verdict is Verdict.CONDITIONAL and slots.channel == CH_BANK and slots.payee == UNKNOWN:
        return "payee"
    return None


# ---------------------------------------------------------------- vocabularies


# Who is paid, named by role rather than by account type.
_ROLE = re.compile(
    r"(?:老板|老总|总经理|经理|董事长|董事|会计|财务|出纳|老婆|媳妇|太太|妻子|老公|丈夫|家人|亲戚|"
    r"儿子|女儿|哥哥|姐姐|弟弟|妹妹|代理|业务员|股东|法人)(?:的)?(?:个人|私人)?(?:账户|账号|卡|银行卡|"
    r"名下|收款|微信|支付宝)|(?:转给|打给|付给|汇给|交给|给)(?:我们)?(?:的)?(?:老板|会计|财务|出纳|"
    r"代理|经理|老婆|家人)|(?:我们)?(?:会计|财务|代理)\w{0,3}(?:收款|收钱)|代理[\u4e00-\u9fff]先生收款"
    rf"|{_F}(?:boss|director|ceo|manager|accountant|cashier|agent|wife|husband|brother|sister|"
    rf"son|daughter|relative|father|mother|owner|shareholder)(?:'s|’s|s')?\s+(?:personal\s+|private\s+)?"
    rf"(?:account|acct|card|alipay|wechat|name){_E}"
    rf"|{_F}(?:pay|send|transfer|wire|remit)\w*\s+(?:\w+\s+){{0,4}}?to\s+(?:our|my|the)\s+"
    rf"(?:sales\s+manager|manager|boss|director|accountant|agent|cashier)(?:'s)?{_E}"
    rf"|{_F}(?:our|my)\s+(?:agent|accountant|cashier)\s+(?:mr|ms|mrs|miss)?\.?\s*\w+"
    rf"|{_F}contact\s+(?:our\s+|the\s+)?accountant{_E}"
    rf"|{_R}(?:на\s+)?(?:сч[её]т|карту|карточку)\s+(?:нашего\s+|моего\s+|моей\s+)?(?:директора|"
    r"бухгалтера|менеджера|руководител[яь]|начальника|жены|мужа|брата|сестры|агента)"
    rf"|{_R}(?:нашему|моему|моей)\s+(?:бухгалтеру|директору|агенту|менеджеру|начальнику|жене|мужу)"
)
_ME_PERSONALLY = re.compile(
    rf"{_F}(?:to\s+)?me\s+personally{_E}|转给我个人|打给我个人|{_R}мне\s+лично"
)
_THIRD_PARTY = re.compile(
    r"合作公司|香港公司|关联公司|朋友的公司|"
    rf"{_F}(?:partner|sister|related|another)\s+company{_E}|{_R}(?:партн[её]рск\w*|другой)\s+компани"
)
_QR = re.compile(
    r"二维码|扫码(?:付|支付|交|转|缴)|扫一扫|"
    rf"{_F}(?:qr\s*code|scan\s+(?:the|this)\s+code){_E}|{_R}qr-?код"
)
_DEPOSIT_BALANCE = re.compile(
    r"(?:定金|订金|首款|预付)[^。\n]{0,30}(?:尾款|余款)|"
    rf"{_F}deposit{_E}[^.\n]{{0,60}}{_F}balance{_E}|{_R}(?:предоплат|аванс)[^.\n]{{0,40}}остат"
)
_SAMPLE_FEE = re.compile(rf"样品费|打样费|{_F}sample\s+(?:fee|cost|charge){_E}|{_R}за\s+образ")
# Money into an ATM, in cash, or through a convenience-store kiosk.
_CASH_ATM = re.compile(
    rf"atm|自动柜员机|柜员机|无折存款|无卡存款|现金存入|famiport|ibon|{_F}cash\s+deposit{_E}|"
    rf"{_R}банкомат|{_R}наличн"
)
_LC = re.compile(
    rf"{_F}(?:l/c|lc|letter\s+of\s+credit)(?:\s+at\s+sight)?{_E}|信用证|即期信用证|"
    rf"{_R}аккредитив"
)
_BANK = re.compile(
    rf"{_F}(?:t/t|tt|wire|bank\s+transfer|telegraphic\s+transfer|swift|iban|beneficiary|"
    rf"(?:bank|account)\s+details){_E}|"
    rf"{_F}(?:transfer|pay|wire|send)\w*\s+(?:\w+\s+){{0,3}}?to\s+(?:this|the\s+following|"
    rf"the\s+below|our|the\s+new)\s+(?:new\s+)?(?:bank\s+)?account{_E}|"
    r"电汇|汇款|对公|公户|银行转账|转到这个账[户号]|打到这个账[户号]|汇到这个账[户号]|这个账户|"
    rf"{_R}(?:банковск\w*\s+перевод|расч[её]тн\w*\s+сч[её]т|на\s+этот\s+сч[её]т|по\s+реквизитам)"
)
# Wallet payment said in other words: 微信结款, WeChat settlement, PayPal friends & family.
_WALLET = re.compile(
    r"(?:微信|支付宝|vx|wx|zfb)(?:结款|结算|结账|付款|转账|支付|收款|打款)|"
    rf"{_F}(?:friends\s*(?:and|&)\s*family|f&f|wechat\s+pay|alipay|paypal\s+to\s+my){_E}|"
    rf"{_R}по\s+номеру\s+телефона"
)
_CARD = re.compile(
    rf"{_R}(?:только\s+)?на\s+(?:банковскую\s+)?карту|{_F}to\s+my\s+card{_E}|"
    r"打(?:到)?(?:我)?卡上|银行卡转账"
)
# Several transfers to several accounts.
_SPLIT = re.compile(
    r"分[两二三四五几多]笔|分成[两二三四五几多]笔|[两二三四五几多]个(?:不同的?)?账[户号]|"
    r"分开转|拆开转|分批转|"
    rf"{_F}split\s+(?:it|the\s+(?:payment|amount))?\s*into\s+(?:two|three|four|several|\d)\s+"
    rf"(?:transfers|payments|parts){_E}|{_F}(?:two|three|four|several|\d)\s+(?:different\s+)?"
    rf"accounts{_E}|{_R}(?:на\s+(?:два|три|четыре|несколько)\s+(?:разных\s+)?сч[её]т|"
    r"(?:два|три|четыре|несколько)\s+перевод|разных\s+сч[её]т)"
)
_LIMIT = re.compile(
    r"限额|额度不够|额度满|单日限|每天有限|收款上限|"
    rf"{_F}(?:daily|transfer|receiving)\s+limit{_E}|"
    rf"{_F}(?:has|have|hit|reached)\s+(?:a|its|the|our)\s+(?:daily\s+)?limit{_E}|{_F}limit\s+(?:on|per)\s+(?:day|transfer){_E}|"
    rf"{_F}(?:bank\s+)?blocks?\s+(?:big|large)\s+amounts{_E}|{_R}лимит"
)
_CHANGE = re.compile(
    r"账户(?:在)?(?:变更|更换|冻结|年审)|换了?(?:收款)?账[户号]|新账[户号]|公司账户在变更|"
    rf"{_F}(?:changed\s+our\s+bank|new\s+(?:bank\s+)?account|new\s+beneficiary|"
    rf"company\s+account\s+is\s+under\s+audit|updated\s+account|old\s+one\s+is\s+closed){_E}"
)
_VERIFY = re.compile(
    r"安全账户|核验流水|验证流水|激活流水|监管账户|解除分期|解除扣款|取消扣款|审核账户|"
    rf"{_F}(?:safe\s+account|verify\s+your\s+account|verification\s+transfer){_E}|"
    rf"{_R}(?:безопасн\w*\s+сч[её]т|верификац)"
)
_DEPOSIT_FEE = re.compile(
    r"(?:交|缴纳?|付)(?:一下)?保证金|保证金.{0,6}(?:扫码|转账|支付|缴)|解冻费|激活费|"
    rf"{_F}(?:security|unfreeze|activation)\s+(?:deposit|fee){_E}|{_R}страховой\s+депозит"
)
_URGENCY = re.compile(
    r"别耽误|不要耽误|别拖|马上付|立即付|尽快付|今天必须|不付就|赶紧付|"
    r"截关|\d+\s*小时(?:内|后)|"
    rf"{_F}(?:leaves|closes|cut\s*off)\s+in\s+\d+\s+hours{_E}|"
    rf"{_F}(?:don'?t\s+delay|without\s+delay|immediately|right\s+now|today\s+only|"
    rf"in\s+full\s+now|urgent(?:ly)?|asap|or\s+miss){_E}|"
    rf"{_R}(?:не\s+затягивайте|срочно|немедленно|последний\s+день)"
)
_DISCOUNT = re.compile(
    r"(?:私下|线下|不走平台)\w{0,6}(?:优惠|便宜|折扣)|"
    rf"{_F}(?:\d+\s*%\s*discount|so\s+there\s+is\s+no\s+fee|without\s+the\s+platform){_E}"
)
_OFF = re.compile(
    r"不走平台|私下转|私下交易|线下交易|"
    rf"{_F}(?:directly\s+without\s+the\s+platform|outside\s+(?:the\s+)?(?:platform|alibaba)){_E}"
)
# Alibaba.com Trade Assurance steps and 1688 app checkout, as the platforms word them.
_ALIBABA = re.compile(
    rf"{_F}(?:send\s+initial\s+payment|designated\s+by\s+alibaba(?:\.com)?|"
    rf"trade\s+assurance\s+order|my\s+alibaba|checkout\s+page|stays\s+with\s+alibaba|"
    rf"click\s+['\"‘“]?(?:pay\s+now|make\s+payment|confirm\s+payment|pay\s+the\s+balance)){_E}"
)
_APP_1688 = re.compile(
    rf"1688\s*(?:手机)?\s*app|1688\s*(?:手机)?\s*客户端|在平台(?:上)?付|平台(?:上)?付款|走平台付|"
    rf"{_F}(?:in|on|through|via)\s+the\s+1688(?:\s+app)?{_E}|на\s+1688\s+и\s+оплатите|"
    rf"через\s+(?:приложение|площадку)\s*1688|{_F}order\s+on\s+1688{_E}"
)
# The buyer asking, not the supplier telling.
_BUYER_QUESTION = re.compile(
    # The buyer in the first person ("can I", "how do we", "is it safe to"), never "can you".
    rf"^\s*(?:can|could|may|should|shall|do|must)\s+(?:i|we){_E}[^\n]*\?\s*$|"
    rf"^\s*(?:is|are)\s+(?:it|this|that|paypal|alipay|t/t|[\w/.-]+\s+payment)\s+"
    rf"(?:safe|ok|okay|possible|allowed|protected|legit){_E}|"
    rf"^\s*is\s+it\s+safe{_E}|^\s*how\s+(?:do|can|should|would)\s+(?:i|we){_E}|"
    rf"^\s*what\s+(?:payment\s+)?(?:methods?|ways?)\s+(?:can|should|do)\s+(?:i|we){_E}|"
    rf"{_F}i\s+(?:placed|made)\s+the\s+order\s+but\s+(?:can'?t|cannot|could\s+not)\s+pay|"
    r"^\s*(?:можно\s+ли|безопасно\s+ли|как\s+(?:мне\s+)?оплатить|стоит\s+ли|могу\s+ли)|"
    r"(?:可以|能|能不能|可不可以|是否可以)\w{0,10}(?:付款|支付|付钱|用)\w{0,12}吗|"
    r"(?:我)?(?:已经)?拍好了\w{0,4}(?:但|可是)?\w{0,4}付不了|怎么付款[?？]|安全吗[?？]?\s*$"
)


def vocabulary_signals(
    text: str, known: frozenset[str] | set[str] = frozenset()
) -> dict[str, tuple[int, int]]:
    """Signal code -> span for each slot vocabulary that matches the lower-cased text.

    `known` are codes already found: a vocabulary whose slot value one of them filled
    would add nothing, and is not run (the page step is always run: its name counts).
    """
    filled = {SIGNAL_SLOTS[code] for code in known if code in SIGNAL_SLOTS}
    found: dict[str, tuple[int, int]] = {}
    awake = _VOCABULARY_INDEX.candidates(text)
    for number, (code, pattern) in enumerate(_VOCABULARY):
        if not awake >> number & 1:
            continue  # none of the words every match holds is in the text
        if code != "platform_payment_step" and SIGNAL_SLOTS[code] in filled:
            continue
        for match in pattern.finditer(text):
            if match.end() > match.start() and not is_negated(text, match.start()):
                found[code] = match.span()
                break
    return found


_VOCABULARY: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("personal_account", _ME_PERSONALLY),
    ("third_party_payee", _THIRD_PARTY),
    ("collection_code", _QR),
    ("deposit_and_balance", _DEPOSIT_BALANCE),
    ("sample_fee", _SAMPLE_FEE),
    ("card_channel", _CARD),
    ("role_payee", _ROLE),
    ("cash_or_atm", _CASH_ATM),
    ("letter_of_credit", _LC),
    ("wallet_transfer", _WALLET),
    ("bank_transfer", _BANK),
    ("split_transfers", _SPLIT),
    ("account_limit_pretext", _LIMIT),
    ("account_change_pretext", _CHANGE),
    ("verification_pretext", _VERIFY),
    ("deposit_fee_pretext", _DEPOSIT_FEE),
    ("urgency_pressure", _URGENCY),
    ("discount_pretext", _DISCOUNT),
    ("off_platform_payment", _OFF),
    ("platform_payment_step", _ALIBABA),
    ("platform_checkout", _APP_1688),
)


# Addressed to the supplier ("can I pay to your personal card?"): a proposal about a real
# account, for the checker, not a general question for the guides.
_TO_THE_SUPPLIER = re.compile(
    rf"{_F}(?:your|yours|me|my\s+(?:personal|private|own|wife|boss))\b|你的|您的|转我|给我|打我|付我|"
    rf"我的(?:卡|账|支付宝|微信|私人|个人)|{_R}(?:ваш|тво|мне|мой|мою|моего)"
)


_VOCABULARY_INDEX = AnchorIndex([anchors(pattern.pattern) for _, pattern in _VOCABULARY])


def is_buyer_question(lowered: str) -> bool:
    return _BUYER_QUESTION.search(lowered) is not None and not _TO_THE_SUPPLIER.search(lowered)


def quote(text: str, span: tuple[int, int]) -> str:
    return evidence(text, *span)


_SHIPPING = re.compile(
    r"已发货|发货了|已发出|货已经发出|快递单号|运单号|物流单号|"
    rf"{_F}(?:shipped|tracking\s+(?:number|no)|waybill|sent\s+out|departure\s+time){_E}|"
    rf"{_R}(?:отправлен|трек-?номер)",
)


def looks_like_shipping_notice(text: str) -> bool:
    """A note that goods left, which /track can follow (no payment in it)."""
    return _SHIPPING.search(text.lower()) is not None
