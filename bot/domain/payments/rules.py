"""The payment checker's phrase rules, as data: for each signal code, the ways of saying it.

How serious each code is, and what to advise, lives in `payment_signals`.

Every pattern runs on the lower-cased `payment_text.normalise` output (Simplified, NFKC,
OCR spacing repaired), so patterns are written in lower case and compiled without
IGNORECASE, which lets `re` skip ahead to possible first characters. Latin words are
fenced with `_word` instead of `\\b`, because in Python `\\b` treats Chinese characters as
word characters ("用btc付款").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.payments.anchors import Anchors, anchors
from bot.domain.payments.rules_ru import FENCE_RU, RUSSIAN_PHRASES


@dataclass(frozen=True)
class Alternative:
    """One way of saying it, with the literal anchors one of which any match contains."""

    pattern: re.Pattern[str]
    anchors: Anchors | None  # None: no usable anchor, always try it
    # The leading "not after a Latin letter or digit" fence is checked in code: as the
    # first thing in a pattern it would stop `re` from skipping ahead.
    fenced: bool = False


@dataclass(frozen=True)
class PhraseRule:
    code: str
    alternatives: tuple[Alternative, ...]
    negatable: bool = True  # "不要私下转账" does not trigger `off_platform_payment`


_FENCE = "(?<![a-z0-9])"


def _word(word: str) -> str:
    """A Latin word or phrase (or alternatives) not glued to other Latin letters or digits."""
    return rf"{_FENCE}(?:{word})(?![a-z0-9])"


def _leading_word(word: str) -> str:
    """Like `_word`, with the fence after the first letter, so a group that starts with it
    still lets `re` skip ahead to its first characters."""
    return rf"{word[0]}(?<![a-z0-9]{word[0]}){word[1:]}(?![a-z0-9])"


def _compile(text: str) -> Alternative:
    if re.search(r"(?<!\\)[A-Z]", text):
        raise ValueError(f"patterns run on lower-cased text; found upper case in {text!r}")
    fence = next((fence for fence in (_FENCE, FENCE_RU) if text.startswith(fence)), "")
    fenced = bool(fence)
    body = text.removeprefix(fence) if fence else text
    return Alternative(re.compile(body), anchors(body), fenced)


def _any(*alternatives: str) -> tuple[Alternative, ...]:
    return tuple(_compile(text) for text in alternatives)


# Up to a few other words between two Latin parts ("pay the rest of it to…"); the parts
# themselves are fenced by `_word`, so the gap brings its own spaces.
_GAP = r"\s*(?:[\w'’%$.-]+\s+){0,4}?"
_SHORT_GAP = r"\s*(?:[\w'’%$.-]+\s+){0,2}?"
_CJK_GAP = r"[^,;!?。\n]{0,8}?"

# WeChat and its usual disguises (V信, 薇信, vx, wx, 微x…), Alipay (zfb, 支-付-宝), QQ.
_WECHAT = (
    # Every branch starts with a plain character, so `re` can skip ahead to them.
    r"微[-_.*·•|/~]?[信x]|薇[-_.*·•|/~]?信|威[-_.*·•|/~]?信|维[-_.*·•|/~]?信|"
    r"徽[-_.*·•|/~]?信|卫[-_.*·•|/~]?信|魏[-_.*·•|/~]?信|v[-_.*·•|/~]?信|wei\s?xin|wechat|"
    + _leading_word("vx")
    + "|"
    + _leading_word("wx")
)
_ALIPAY = r"支[-_.*·•|/~]?付[-_.*·•|/~]?宝|zhi\s?fu\s?bao|ali\s?pay|" + _leading_word("zfb")
_QQ = _leading_word("qq") + r"|扣扣"
_CHAT_APPS = (
    rf"{_WECHAT}|{_QQ}|whats\s?app|telegram|{_leading_word('tg')}|{_leading_word('line')}|"
    rf"skype|viber|{_leading_word('signal')}|钉钉|飞书|电报|dingtalk"
)
_PAY_VERB_ZH = (
    r"(?:转账|转给|转到|转进|转|打款|打钱|打到|打给|付款|付给|付到|支付|付|汇款|汇到|汇)"
)
_STAFF_ZH = (
    r"老板娘|老板|总经理|经理|会计|出纳|同事|老婆|媳妇|老公|爱人|家人|亲戚|朋友|妹妹|弟弟|"
    r"哥哥|姐姐|爸爸|妈妈|父亲|母亲|儿子|女儿|业务员|员工|股东|厂长|主管"
)
_STAFF_EN = (
    r"boss|manager|accountant|cashier|colleague|wife|husband|brother|sister|friend|cousin|"
    r"mother|father|mom|dad|son|daughter|relative|employee|staff|salesman|director|owner"
)
_ACCOUNT_ZH = r"(?:银行)?(?:卡|账户|账号|帐户|户头|收款账户|支付宝|微信|收款码)"
_ACCOUNT_EN = r"(?:bank\s*)?(?:account|acct|card|alipay|wechat)"
# A personal account *on 1688* is a buyer's login, not a payee.
_NOT_A_PLATFORM_LOGIN = r"(?!\s*(?:on|at|with|in)\s*(?:1688|alibaba|taobao|tmall|the\s*platform))"
_PLATFORM_ZH = r"(?:平台|1688|阿里巴巴|阿里|淘宝|天猫|旺旺)"
_PLATFORM_EN = (
    r"(?:the\s*)?(?:platform|1688|alibaba(?:\.com)?|taobao|tmall|escrow|trade\s*assurance)"
)

PHRASE_RULES: tuple[PhraseRule, ...] = (
    PhraseRule(
        "personal_account",
        _any(
            r"(?:私人|个人|对私|私)(?:的)?(?:银行)?(?:卡|账户|账号|帐户|户头|账|户|收款账户|支付宝|微信)",
            r"对私|私账|私户",
            rf"(?:{_STAFF_ZH})(?:个人|私人)?(?:的)?(?:个人|私人)?{_ACCOUNT_ZH}",
            rf"(?:财务|法人)(?:的|个人|私人)(?:个人|私人)?{_ACCOUNT_ZH}|财务卡",
            r"(?:我|他|她)(?:的)?(?:个人|私人)?(?:银行)?卡(?!片|通|券)|(?:我|老板|他|她)(?:的)?名下|本人(?:名下|账户|卡)",
            r"(?:他|她)(?:的)?(?:个人|私人)?(?:账户|账号|帐户|支付宝|微信)|\((?:私人|个人)\)",
            r"(?:转账|转|付|汇|打钱|打款)给我(?!们)|转我(?!们)|打我(?:的)?卡",
            rf"(?:钱|款){_CJK_GAP}打(?:给)?我(?!们)",
            rf"(?:转账|转|付|汇|打款|打钱)(?:给|到)(?:我们)?(?:的)?(?:{_STAFF_ZH})",
            _word(rf"(?:personal|private|individual|own)\s*(?:[a-z]+\s+)?{_ACCOUNT_EN}")
            + _NOT_A_PLATFORM_LOGIN,
            _word(
                r"(?:his|her)\s*(?:own\s*|personal\s*)?(?:bank\s*)?(?:card|account)|bank\s*card\s*(?:number|no)"
            ),
            _word(rf"(?:{_STAFF_EN})(?:'s|s'|’s|s)?\s*(?:personal\s*|private\s*)?{_ACCOUNT_EN}"),
            _word(r"my\s*(?:own\s*)?(?:bank\s*)?card"),
            _word(rf"account\s*of\s*(?:our|my|the)\s*(?:general\s*|sales\s*)?(?:{_STAFF_EN})"),
            # OCR output that lost its spaces: "pleasepaytomypersonalaccount".
            r"(?:personal|private)\s*(?:bank\s*)?(?:account|acct|card)" + _NOT_A_PLATFORM_LOGIN,
            _word(
                r"(?:pay|send|transfer|wire|remit)\s*(?:the\s*money\s*|it\s*|payment\s*)?"
                r"(?:directly\s*)?to\s*me"
            ),
            _word(r"(?:pay|send|transfer|wire|deposit|remit)")
            + _GAP
            + _word(r"my\s*(?:bank\s*)?account"),
            _word(r"(?:in|to|under)\s*my\s*(?:own\s*)?name"),
        ),
    ),
    PhraseRule(
        "wallet_transfer",
        _any(
            rf"(?:{_WECHAT})(?:号)?(?:上|里)?(?:转账|转给|转我|转|付款|支付|付|红包|打款|钱包|pay)",
            rf"{_PAY_VERB_ZH}(?:款|钱)?(?:到|给|进|去)?(?:我|我的|老板的?)?(?:个人)?(?:的)?(?:{_WECHAT})",
            rf"(?:{_ALIPAY})(?:上)?(?:转账|转给|转我|转到|转|红包|打款|账号|账户|帐号|号)",
            rf"{_PAY_VERB_ZH}(?:款|钱)?(?:(?:到|给|进|去)(?:我|我的|老板的?)?|我|我的|老板的?)"
            rf"(?:个人)?(?:的)?(?:{_ALIPAY})",
            rf"(?:{_QQ})(?:转账|红包|钱包|支付)|财付通|走(?:{_WECHAT}|{_ALIPAY})",
            rf"(?:{_ALIPAY})\s*(?:account|id)?\s*[:=]?\s*[a-z0-9._-]+@",
            _word(r"(?:wechat|weixin)\s*(?:pay|transfer|wallet|red\s*packet|hongbao)"),
            _word(r"alipay\s*(?:transfer|red\s*packet|account|id|number|no)"),
            _word(r"(?:pay|send|transfer|wire)")
            + _GAP
            + _word(
                r"(?:to|via|by|through|on|with|into)\s*(?:my|his|her|our\s*boss'?s?)\s*(?:wechat|weixin|alipay|qq)"
            ),
            _word(r"(?:pay|send|transfer)")
            + _SHORT_GAP
            + _word(r"(?:to|via|by|through|on|with)\s*(?:wechat|weixin|qq)"),
        ),
    ),
    PhraseRule(
        "collection_code",
        _any(
            r"收款码|收钱码|收款二维码|个人(?:二维)?码",
            r"(?:我|我的|这个|老板的?)(?:的)?(?:二维码|收款码)",
            r"扫(?:一下|下|一扫)?(?:我|我的|这个|下面的?|图中的?|图片上?的?)(?:的)?(?:二维码|码)",
            r"扫码(?:付款|支付|转账|转给|打款|付给|付)|二维码(?:付款|支付|转账)",
            rf"(?:{_ALIPAY}|{_WECHAT})扫(?:码|一扫|我)",
            _word(r"(?:payment|collection|receiving|personal|my|this|our)\s*qr(?:\s*code)?"),
            _word(r"scan\s*(?:the|my|this|our)?\s*(?:qr|code|barcode)"),
            _word(r"qr\s*code\s*(?:to|for)\s*(?:pay|payment)"),
        ),
    ),
    PhraseRule(
        "crypto_payment",
        _any(
            r"泰达币|比特币|以太坊|虚拟币|虚拟货币|数字货币|加密货币|币安|欧易|火币|钱包地址|u币|(?:转u|打u|付u)(?![a-z])",
            _word(r"usdt|usdc|trc[- ]?20|erc[- ]?20|bep[- ]?20|btc|eth|bitcoin|ethereum|tether"),
            _word(r"crypto(?:currency)?|binance|okx|huobi|wallet\s*address|stable\s*coin"),
        ),
    ),
    PhraseRule(
        "transfer_service",
        _any(
            r"西联(?:汇款)?|速汇金|贝宝|礼品卡|充值卡|现金(?:付|支付|交易|汇款|结算|转)",
            _word(r"western\s*union|money\s*gram|cash\s*app|zelle|venmo|paypal|payoneer|revolut"),
            _word(r"remitly|skrill|transferwise|worldremit|ria\s*money|gift\s*cards?|派安盈"),
            _word(r"friends\s*(?:and|&)\s*family|f\s*&\s*f"),
            _word(r"(?:via|by|through|with|on|use|using|to\s*my)\s*wise"),
            _word(r"wise\s*(?:transfer|account|payment|link)"),
            _word(r"cash\s*(?:payment|only|deposit)"),
            r"western\s*union|money\s*gram|paypal",
        ),
    ),
    PhraseRule(
        "third_party_payee",
        _any(
            r"代收|代为收款|第三方(?:的)?(?:账户|收款|代收|公司)",
            r"(?:合作|朋友|亲戚|关联|另一家|其他|别的)(?:的)?公司(?:的)?(?:账户|账号|帐户|收款|代收)",
            r"别人(?:的)?(?:账户|卡|支付宝|微信)|他人(?:的)?(?:账户|卡|代收)",
            _word(
                r"(?:partner|friend'?s|another|third[- ]party|sister|associated|other)"
                r"\s*company'?s?\s*(?:bank\s*)?account"
            ),
            _word(r"third[- ]party\s*(?:account|payment|payee|company)"),
            _word(r"(?:on\s*(?:our|my)\s*behalf|collect\s*(?:the\s*)?payment\s*for\s*us)"),
        ),
    ),
    PhraseRule(
        "split_payment",
        _any(
            r"一部分(?:走|在|通过)平台|(?:一半|部分|剩下的?|其余的?|余款|尾款|定金|订金)(?:的)?(?:钱|款)?(?:私下|线下|直接|另外|单独)(?:转|打|付|给|汇)",
            rf"(?:定金|订金)(?:先)?(?:打|转|付|汇)(?:到|给)?{_CJK_GAP}(?:我|个人|私人|私)",
            _word(r"(?:part|half|rest|remaining|balance|remainder|deposit)")
            + _GAP
            + _word(
                r"(?:privately|directly\s*to\s*me|outside|off[- ]platform|to\s*my|"
                r"via\s*wechat|via\s*alipay)"
            ),
            _word(r"(?:split|divide)\s*(?:the\s*)?payment"),
        ),
    ),
    PhraseRule(
        "zero_value_order",
        _any(
            r"拍(?:下|个|一个|一下|了)?(?:0|0\.0?1|0\.1|1|一)(?:\.0+)?(?:元|块|毛|分|rmb)(?:钱)?(?:的)?(?:订单|链接|单|宝贝|商品)?",
            r"(?:0|0\.0?1|1|一|零)(?:元|块)(?:的)?(?:订单|链接|单(?!价))|零元(?:单|订单|购)",
            _word(
                r"(?:0|0\.0?1|1|one|zero)[- ]?(?:yuan|rmb|cny|dollar|usd|cent)"
                r"\s*(?:order|link|listing)"
            ),
            _word(r"zero[- ]value\s*order"),
            _word(
                r"(?:place|make|create)\s*(?:an?\s*)?(?:\$|¥)?0(?:\.0?1)?\s*(?:yuan\s*|rmb\s*)?order"
            ),
        ),
    ),
    PhraseRule(
        "account_change_pretext",
        _any(
            r"(?:收款)?(?:账户|账号|帐户|银行账户|公户|公账|对公账户|公司账户|银行信息|收款信息|收款方式)"
            r"(?:已经?|有|正在|在做|在)?(?:被)?(?:变更|更换|更改|换了|改了|冻结|封了|异常|年审|暂停|停用|注销|受限|不能用|用不了|出问题)",
            r"(?:变更|更换|更改|换)(?:了)?(?:新的?)?(?:收款)?(?:账户|账号|帐户|银行)",
            r"新(?:的)?(?:收款)?(?:账户|账号|帐户|银行账户|银行卡|银行信息)|年审|年检",
            rf"(?:{_WECHAT}|{_ALIPAY})(?:号)?(?:被封|封了|冻结|用不了|不能用)",
            r"财务系统(?:升级|变更|更新)",
            rf"{_PAY_VERB_ZH}(?:款|钱)?(?:到|给|进)?(?:我们)?(?:的)?(?:香港|海外|境外|离岸|另一个|另外一个|其他)(?:的)?(?:公司)?(?:的)?(?:账户|账号|帐户)",
            _word(
                r"new\s*(?:bank\s*|banking\s*|receiving\s*)?(?:account|details|beneficiary|bank)"
            ),
            _word(r"(?:bank\s*|banking\s*)?(?:account|details)")
            + r"\s*(?:has|have|is|are)?\s*(?:been\s*)?"
            + _word(
                r"(?:changed|updated|frozen|suspended|blocked|closed|under\s*(?:review|audit))"
            ),
            _word(r"(?:annual|yearly)\s*(?:audit|review|inspection)"),
            _word(
                r"(?:changed|updated|switched)\s*(?:our|the)?\s*(?:receiving\s*|beneficiary\s*)?"
                r"(?:bank|banking|account|payment)"
            ),
            _word(r"(?:hong\s*kong|hk|offshore|overseas)\s*(?:company\s*)?account"),
            _word(r"(?:this|the|an?)\s*(?:new|other|alternative|different|backup)\s*account"),
        ),
    ),
    PhraseRule(
        "maintenance_pretext",
        _any(
            r"(?:系统|平台|支付|付款|网站|跨境宝|支付宝|后台|通道|接口|收款|1688)(?:正在|在)?"
            r"(?:维护|升级|故障|异常|出问题|有问题|关闭|暂停|崩了|坏了|不稳定)",
            r"(?:平台|1688|阿里|网站|系统|跨境宝|链接|后台)(?:上)?(?:现在|暂时|目前|今天)?"
            r"(?:付不了|付不进|支付不了|付款不了|不能付|无法付|无法支付|用不了|不能用|下不了单|拍不了)",
            r"付不了款|(?:链接|宝贝|商品)(?:已经?)?(?:下架|失效|过期|删除)|(?:订单|账户)(?:被)?风控",
            r"改价(?:不方便|麻烦|改不了|不了)|(?:改不了|不能改|没法改|无法改)价",
            _word(
                r"(?:under|undergoing|scheduled|for|in)\s*(?:scheduled\s*|system\s*)?maintenance"
            ),
            _word(r"(?:system|platform|payment|gateway|portal|checkout|website|site)")
            + _SHORT_GAP
            + _word(
                r"(?:maintenance|upgrad\w*|down|not\s*working|broken|unavailable|error|problem)"
            ),
            _word(r"(?:can'?t|cannot|can\s*not|unable\s*to)")
            + _SHORT_GAP
            + _word(r"(?:pay|checkout|place\s*(?:the\s*|an\s*)?order)\s*(?:on|through|via|in)")
            + r"\s*"
            + _PLATFORM_EN,
            _word(r"link\s*(?:has\s*|is\s*)?(?:expired|removed|taken\s*down|invalid|broken)"),
        ),
    ),
    PhraseRule(
        "tax_pretext",
        _any(
            rf"不(?:开|要)(?:发)?票(?:的话)?{_CJK_GAP}(?:便宜|优惠|少|减|低|省|直接|私|对私|打我|转我|个人)",
            r"(?:省|避|逃|偷|免)税|(?:少交|少缴|不交|不缴)(?:点|些|一点)?税",
            r"走私账|走私户|走对私|对私(?:可以|能|就)?(?:优惠|便宜|少)",
            r"(?:开票|发票)(?:就|也)?(?:不用|不要|不需要|免了)(?:了)?[^。\n]{0,12}?(?:便宜|优惠|折|减)",
            rf"(?:私人|个人|对私|私)(?:的)?(?:账户|账号|卡|账|户){_CJK_GAP}(?:便宜|优惠|打折|折|减|少)",
            r"走平台(?:的话)?(?:要|得|需要|就)?(?:加|多|贵|另加)",
            r"平台(?:扣点|手续费|抽成|佣金|费用|费率|扣费)(?:太|很|比较|有点)?(?:高|多|贵)",
            r"(?:线下|私下|站外)(?:交易|付款|转账|打款|付)?(?:可以|能|就|给您|给你)?"
            r"(?:便宜|优惠|打[^,;!?。\n]{0,2}折|少|减)",
            r"(?:公对公|对公)(?:要|得|需|需要)?加(?:\d+|几|[一二三四五六七八九十]+)?个?点",
            _word(r"(?:without|no)\s*(?:an?\s*)?(?:invoice|fapiao|receipt|vat)")
            + _GAP
            + _word(r"(?:cheaper|discount|less|save|lower|off)"),
            _word(r"(?:cheaper|discount|lower\s*price|save)")
            + _GAP
            + _word(r"(?:without|no)\s*(?:an?\s*)?(?:invoice|fapiao|tax)"),
            _word(r"(?:save|avoid|skip|evade)\s*(?:on\s*)?(?:the\s*)?(?:tax|taxes|vat)"),
            _word(r"(?:for|due\s*to|because\s*of)\s*(?:tax|invoice)\s*(?:reasons?|purposes?)"),
            _word(r"tax[- ]free\s*price|no\s*tax\s*price"),
            _word(r"platform\s*(?:fees?|commission|charges?)")
            + _SHORT_GAP
            + _word(r"(?:high|expensive|too\s*much)"),
            _word(r"(?:discount|cheaper|\d+\s*%\s*off|better\s*price)")
            + _GAP
            + _word(r"(?:outside|directly|offline|off[- ]platform|privately)"),
            _word(r"(?:pay|paying|payment)")
            + _SHORT_GAP
            + _word(r"(?:outside|directly|offline|off[- ]platform|privately)")
            + _GAP
            + _word(r"(?:discount|cheaper|\d+\s*%\s*off|save|lower)"),
        ),
    ),
    PhraseRule(
        "off_platform_payment",
        _any(
            r"私下(?:转账|交易|付款|打款|汇款|付|转|支付|结算|给)|线下(?:转账|交易|付款|打款|汇款|支付|结算)",
            r"站外(?:交易|付款|支付|转账)|平台外(?:交易|付款|支付)|(?:绕过|绕开|跳过|脱离|避开)平台",
            rf"不(?:走|通过|经过|用)(?:在)?{_PLATFORM_ZH}|(?:不用|不必|无需)(?:在)?{_PLATFORM_ZH}(?:上)?(?:下单|拍|付)",
            _word(r"(?:pay|payment|paying|transfer|send\s*(?:the\s*)?money)")
            + _SHORT_GAP
            + _word(r"(?:outside|off)(?:\s*of)?")
            + r"\s*"
            + _PLATFORM_EN,
            _word(
                r"off[- ]platform|offline\s*payment|pay\s*offline|"
                r"private\s*(?:deal|transaction|payment|transfer)"
            ),
            _word(r"(?:bypass|skip|avoid|go\s*around)") + r"\s*" + _PLATFORM_EN,
            _word(r"(?:not|don'?t|no\s*need\s*to)\s*(?:pay\s*|order\s*)?(?:through|via|on|use)")
            + r"\s*"
            + _PLATFORM_EN,
            _word(r"(?:pay|transfer|send)") + _SHORT_GAP + _word("privately"),
        ),
    ),
    PhraseRule(
        "fake_support",
        _any(
            r"(?:官方|平台|1688|阿里巴巴|阿里|淘宝|支付宝)客服[^。\n]{0,20}?"
            r"(?:钉钉|qq|微信|v信|共享屏幕|屏幕共享|下载|会议)",
            r"(?:共享|分享)屏幕|屏幕共享|(?:点击|点)链接(?:验证|认证|激活|解冻)|(?:验证|认证|激活)(?:您的)?账户|保证金(?:解冻|激活)",
            _word(r"screen\s*shar\w*|share\s*(?:your\s*|the\s*)?screen|compliance\s*review"),
            _word(
                r"(?:verify|confirm|update)\s*(?:your\s*)?(?:account|bank\s*details|identity|payment\s*details)"
            ),
            _word(r"(?:payment|order|account)\s*(?:is\s*)?(?:on\s*hold|held)\s*(?:pending|for)"),
        ),
    ),
    PhraseRule(
        "customs_fee_pretext",
        _any(
            r"(?:海关|清关)(?:扣|查扣|扣押|扣留)|交(?:清关费|关税|保证金|罚款|解冻费)",
            rf"(?:清关费|关税|罚款|解冻费|放行费){_CJK_GAP}(?:才能|才可以|否则|先交|先付|需要先)",
            _word(r"customs")
            + _SHORT_GAP
            + _word(r"(?:held|hold|holding|detain\w*|seiz\w*|stuck)"),
            _word(r"(?:release|clearance|customs|unlock|unfreeze)\s*fee"),
        ),
    ),
    PhraseRule(
        "stall_tactic",
        _any(
            r"(?:你|您|麻烦)?先(?:点)?(?:确认收货|撤销退款|取消退款|撤回退款|关闭退款|撤了退款|把退款(?:申请)?撤)",
            rf"(?:撤销|取消|撤回|关闭|撤掉)(?:退款|纠纷|投诉)(?:申请)?{_CJK_GAP}(?:补发|重发|再发|退给你|私下)",
            r"别(?:申请|找)?(?:客服介入|投诉)|私下退(?:给你|款)",
            _word(r"(?:confirm|accept)\s*(?:the\s*)?(?:receipt|delivery|order)\s*(?:first|now)"),
            _word(r"(?:cancel|close|withdraw)\s*(?:the\s*|your\s*)?(?:refund|dispute|complaint)"),
            _word(
                r"(?:don'?t|do\s*not)\s*(?:open|file|escalate)\s*(?:a\s*)?(?:dispute|complaint)"
            ),
        ),
    ),
    PhraseRule(
        "off_platform_chat",
        _any(
            rf"(?:加|添加|\+)(?:一下|下|个|我)*(?:的)?(?:私人|个人)?(?:{_CHAT_APPS}|微(?!笑)|v(?![a-z]))",
            rf"(?:{_CHAT_APPS})(?:上|里)?(?:聊|联系|沟通|详谈|私聊|下单|交易|发你|发给你)",
            r"私聊(?:下单|交易|付款)?|站外(?:沟通|下单)",
            rf"(?:{_WECHAT})(?:号|\s*id)?\s*:\s*[a-z0-9_-]{{5,}}|(?:{_WECHAT})号\s*[a-z0-9_-]{{5,}}",
            _word(
                r"(?:add|contact|message|text|reach|find|call|chat\s*with)\s*(?:me|us)\s*(?:on|via|at|in|through)"
            )
            + r"\s*"
            + _word(
                r"(?:wechat|weixin|whats\s*app|telegram|tg|signal|line|skype|viber|qq|dingtalk)"
            ),
            _word(r"(?:wechat|whats\s*app|telegram)\s*(?:id|number|no|me)"),
            _word(r"(?:move|continue|talk|chat|discuss|switch|pay|order|payment)")
            + _GAP
            + _word(r"(?:to|on|via|over|through)\s*(?:wechat|whats\s*app|telegram)"),
        ),
    ),
    PhraseRule(
        "urgency_pressure",
        _any(
            r"(?:今天|今日|现在|马上|立刻|立即)[^,;!?。\n]{0,6}?(?:必须|一定要|务必)",
            r"(?:马上|立刻|立即|赶紧|赶快)(?:付|打|转|汇|支付)",
            r"(?:否则|不然|要不然|过了?(?:今天|时间|点)?|晚了|不付(?:款)?(?:的话)?|逾期)(?:就|会|将)?"
            r"(?:涨价|没货|取消|作废|没有名额|排不上|赶不上|失效|停产|加价|按新价|调价)",
            r"(?:名额|产能|排期)(?:有限|不多|紧张)|最后(?:一天|机会|期限)|截关|限时|十万火急",
            r"(?:\d+|几|两|一|半)(?:个)?小时(?:内|之内|以内)(?:必须|付|打|转|支付)|明天(?:就)?涨价",
            _word(r"today\s*only|last\s*chance|limited\s*(?:time|slots?)"),
            # "urgent" and "asap" are pressure only when they are about paying.
            _word(r"urgent(?:ly)?|asap") + _GAP + _word(r"(?:pay|payment|transfer|deposit|send)"),
            _word(r"(?:pay|payment|transfer|deposit|send)\w*")
            + _GAP
            + _word(r"urgent(?:ly)?|asap"),
            _word(r"(?:must|have\s*to|need\s*to|should)")
            + _SHORT_GAP
            + _word(r"(?:pay|transfer|send)")
            + _GAP
            + _word(r"(?:today|now|immediately|right\s*away|asap|within|tonight)"),
            _word(r"(?:otherwise|or\s*else|or)")
            + _GAP
            + _word(r"(?:price|cost)s?\s*(?:will\s*)?(?:go(?:es)?\s*up|increase|rise)"),
            _word(
                r"(?:price|prices)\s*(?:will\s*)?(?:go(?:es)?\s*up|increase|rise)\s*(?:tomorrow|soon|next\s*week)"
            ),
            _word(
                r"lose\s*(?:your\s*|the\s*)?(?:production\s*)?(?:slot|spot|place|booking|space)"
            ),
            _word(r"otherwise|or\s*else")
            + r"[^,.;!?。\n]{0,60}?"
            + _word(r"slot|spot|booking|another\s*(?:customer|buyer)|someone\s*else|cancel\w*"),
            _word(
                r"deadline\s*(?:is\s*)?today|miss\s*the\s*(?:ship|vessel|container|cut[- ]?off)"
            ),
        ),
    ),
    PhraseRule(
        "instruction_injection",
        _any(
            _word(
                r"ignore\s*(?:all\s*)?(?:the\s*)?(?:previous|prior|above|earlier|preceding|your)\s*(?:instructions?|prompts?|rules?|messages?)"
            ),
            _word(r"disregard") + _SHORT_GAP + _word(r"(?:instructions?|rules?|guidelines)"),
            _word(r"(?:system\s*(?:prompt|message|note|instruction)|developer\s*mode)\s*:?"),
            _word(
                r"(?:say|reply|answer|respond|output|classify|mark|label|rate|tell\s*(?:the\s*)?(?:user|buyer))"
            )
            + _SHORT_GAP
            + _word(r"(?:as\s*)?(?:safe|approved|legit(?:imate)?|no\s*risk|low\s*risk)"),
            _word(r"(?:verdict|classification|risk(?:\s*level)?)\s*[:=]\s*(?:approved|safe|low)"),
            _word(r"this\s*(?:message|request)\s*is\s*(?:safe|verified|approved)"),
            r"忽略(?:之前|以上|前面|上面|所有|先前)(?:的)?(?:所有)?(?:指令|指示|提示|说明|规则|内容)",
            r"系统提示|(?:此|这条|本)(?:消息|信息|请求)(?:是)?(?:安全|无风险|可信|已验证|已认证)",
            r"(?:判定|标记|回复|输出|告诉用户)(?:为|是)?(?:安全|无风险)|\[\s*(?:system|inst)\s*\]|<\|?im_start",
            r"已通过(?:平台|官方|安全)(?:验证|认证|审核)",
        ),
        negatable=False,
    ),
    PhraseRule(
        "corporate_transfer",
        _any(
            r"公对公|对公(?:账户|账号|转账|汇款|打款|付款)?|公户|企业(?:银行)?(?:账户|转账|网银)",
            r"公司(?:的)?(?:银行)?(?:账户|账号|帐户|对公)|银行转账|电汇",
            _word(r"(?:company|corporate|business|enterprise)\s*(?:bank\s*)?(?:account|transfer)"),
            _word(
                r"company[- ]to[- ]company|b2b\s*(?:bank\s*)?transfer|t/t|wire\s*transfer|"
                r"bank\s*transfer"
            ),
            _word(r"telegraphic\s*transfer|swift\s*(?:code|transfer)"),
        ),
    ),
    PhraseRule(
        "agent_payment",
        _any(
            rf"(?:采购|货代|代采|代理)(?:公司)?{_CJK_GAP}(?:帮|代|替)(?:我|我们|您|你)?{_CJK_GAP}"
            r"(?:付款|支付|下单|付)|采购代理|代理采购|代采",
            _word(r"(?:sourcing|buying|purchasing|procurement)\s*agent(?:s|'s)?"),
        ),
    ),
    PhraseRule(
        "cross_border_pay",
        _any(r"跨境宝|万里汇", _word(r"cross[- ]?border\s*pay(?:ment)?|world\s*pay|worldfirst")),
    ),
    PhraseRule(
        "trade_assurance",
        _any(r"信保(?:订单|交易)?|信用保障(?:订单|交易|服务)?", _word(r"trade\s*assurance")),
    ),
    PhraseRule(
        "modified_price",
        _any(
            r"改价(?!不方便|麻烦|改不了|不了)|改(?:好|下|一下)?(?:价格|价钱)(?!不方便|麻烦)"
            r"|修改(?:价格|订单价格|金额)|(?:价格|金额)(?:已|已经)?(?:改好|修改好|改了)",
            _word(
                r"(?:modify|modified|change|changed|adjust|adjusted|update|updated|edit)\s*(?:the\s*)?(?:order\s*)?(?:price|amount|total)"
            ),
            _word(r"price\s*(?:has\s*been\s*)?(?:modified|adjusted|changed|updated)"),
        ),
    ),
    PhraseRule(
        "platform_checkout",
        _any(
            r"拍下|拍单|(?:在|通过|走|用)(?:1688|阿里巴巴|阿里|平台|淘宝|天猫)(?:上|平台)?"
            rf"{_CJK_GAP}(?:下单|拍|付款|支付|付|交易|购买|担保|结算)|分阶段(?:付款|交易|支付)",
            r"(?:平台|1688|阿里|支付宝)(?:担保|保障)|担保交易|在线支付|收银台|走平台|平台(?:上)?拍",
            r"平台(?:下单|付款|支付|交易)|1688(?:上)?(?:下单|付款|支付|订单)|(?:订单|下单)(?:后|里|页面?)?(?:在线)?(?:付款|支付)",
            _word(
                r"(?:pay|payment|checkout|check\s*out|order|buy|purchase|balance|rest|deposit|"
                r"place\s*(?:the|an|your)?\s*order)"
            )
            + _SHORT_GAP
            + _word(
                r"(?:through|via|on|in|at|using|with)\s*(?:the\s*)?(?:1688|alibaba(?:\.com)?|platform|taobao|tmall)"
            ),
            _word(r"(?:1688|alibaba|platform)\s*(?:checkout|order\s*page|payment\s*page|cashier)"),
            _word(r"(?:escrow|secured|guaranteed)\s*(?:payment|transaction|trade)"),
            _word(r"(?:pay\s*(?:online\s*)?for\s*the\s*order|online\s*payment)"),
        ),
    ),
)


def _with_russian(rules: tuple[PhraseRule, ...]) -> tuple[PhraseRule, ...]:
    """Each rule with its Russian alternatives after its own; codes with no rule yet (a
    phone offered as a wallet is found by number in Chinese and English) get one."""
    merged = tuple(
        PhraseRule(
            rule.code,
            rule.alternatives + _any(*RUSSIAN_PHRASES.get(rule.code, ())),
            rule.negatable,
        )
        for rule in rules
    )
    known = {rule.code for rule in rules}
    extra = tuple(
        PhraseRule(code, _any(*patterns))
        for code, patterns in RUSSIAN_PHRASES.items()
        if code not in known
    )
    return merged + extra


PHRASE_RULES = _with_russian(PHRASE_RULES)

ALTERNATIVES: tuple[Alternative, ...] = tuple(
    alternative for rule in PHRASE_RULES for alternative in rule.alternatives
)
