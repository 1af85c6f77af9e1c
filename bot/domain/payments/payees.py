"""Who the money would go to, read from a "户名：… / Beneficiary: …" line.

A supplier's beneficiary must be the company on its business licence; a person's name in
that place means the money goes to an individual, whatever the story around it.
"""

from __future__ import annotations

import re
from enum import Enum

Span = tuple[int, int]


class Payee(Enum):
    PERSON = "person"
    COMPANY = "company"


_LABEL = re.compile(
    r"(?:收款人|收款户名|收款方|收款姓名|收款账户名|账户名称|账户名|开户名|(?<!用)户名|持卡人|姓名)\s*[:=]?\s*"
    r"|(?<![a-z])(?:beneficiary(?:\s*name)?|account\s*(?:holder|name)|payee(?:\s*name)?|"
    r"receiver(?:\s*name)?|recipient(?:\s*name)?|holder\s*name)\s*(?P<colon>[:=])?\s*",
    re.IGNORECASE,
)
# Without a colon, an English label counts only when a Capitalised name follows it
# ("beneficiary Wang Fang"), not a sentence ("the beneficiary name is the same").
_CAPITALISED = re.compile(r"[A-Z][A-Za-z'’-]*(?:\s+[A-Z][A-Za-z'’-]*)*")
_VALUE_END = re.compile(r"[,;!?。\n/(]")
# Where the name ends and the next field of the bank details begins.
_NEXT_FIELD = re.compile(
    r"开户行|开户银行|银行|账号|卡号|电话|手机|支行|地址|身份证|金额"
    r"|(?<![a-z])(?:bank|account|acc|a/c|swift|iban|no|number|card|address|tel|phone|amount)(?![a-z])",
    re.IGNORECASE,
)
_COMPANY = re.compile(
    r"公司|有限|厂|集团|商行|贸易|实业|科技|工贸|商贸|经营部|门市|中心|店|工作室|合作社"
    r"|(?<![a-z])(?:co|ltd|limited|company|corp|corporation|inc|llc|trading|industr\w*|factory|"
    r"group|technology|tech|enterprises?|gmbh|manufactur\w*|import|export|international|intl|"
    r"holdings?|studio)(?![a-z])",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(
    r"(?<![a-z])(?:see|below|above|same|as|our|your|the|please|tbd|n/a|unknown|xxx)(?![a-z])"
    r"|待定|如下|见下|同上|请|我们|您|你",
    re.IGNORECASE,
)
_CHINESE_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*){0,3}")
# Common surnames, so "户名：待定" or "姓名：请填" is not taken for a person.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
)


def find_payee(text: str) -> tuple[Payee, Span] | None:
    """The first beneficiary named in the text, and whether it is a person or a company."""
    for label in _LABEL.finditer(text):
        value_end = _VALUE_END.search(text, label.end())
        end = value_end.start() if value_end else min(len(text), label.end() + 60)
        value = text[label.end() : end]
        next_field = _NEXT_FIELD.search(value)
        if next_field and next_field.start() > 0:
            value = value[: next_field.start()]
        if label.group(0).isascii() and not label.group("colon"):
            capitalised = _CAPITALISED.match(value)
            value = capitalised.group() if capitalised else ""
        kind = _payee_kind(value)
        if kind is not None:
            return kind, (label.start(), label.end() + len(value.rstrip()))
    return None


def _payee_kind(value: str) -> Payee | None:
    value = value.strip(" :：-")
    if not value or _NOT_A_NAME.search(value):
        return None
    if _COMPANY.search(value):
        return Payee.COMPANY
    chinese = _CHINESE_NAME.fullmatch(value)
    if chinese:
        return Payee.PERSON if _has_surname(value) else None
    latin = _LATIN_NAME.fullmatch(value)
    if latin and len(value.split()) >= 2:
        return Payee.PERSON
    return None


def _has_surname(name: str) -> bool:
    return name[0] in _SURNAMES or name.startswith(_COMPOUND_SURNAMES) or "·" in name
