"""Text preparation for the payment checker: one normal form to match on and quote from.

Suppliers' messages arrive as Simplified or Traditional Chinese, English or both, often as
OCR output with spaces lost or sprinkled between characters. Everything the checker matches
and quotes comes from `normalise`, so evidence is always a substring of that form.
"""

from __future__ import annotations

import re
import unicodedata

from bot.domain.masking import mask_numbers
from bot.domain.wrapped_digits import join_wrapped_digits

# Suppliers' messages are short; anything past this is padding and is not read.
MAX_CHARACTERS = 20_000
MAX_EVIDENCE = 80

# Traditional characters that occur in the words the checker looks for, with their
# Simplified forms (pairs, space-separated). Character for character is enough for those
# words, and needs no dictionary of phrases.
_TRADITIONAL_PAIRS = (
    "個个 帳账 賬账 戶户 轉转 維维 護护 統统 臺台 銀银 聯联 號号 碼码 稅税 "
    "開开 發发 寶宝 給给 錢钱 價价 單单 貨货 運运 匯汇 撥拨 額额 費费 優优 "
    "務务 財财 會会 計计 經经 闆板 員员 婦妇 親亲 們们 這这 筆笔 訂订 讓让 "
    "幣币 虛虚 擬拟 騙骗 凍冻 結结 審审 變变 換换 級级 時时 馬马 須须 緊紧 "
    "漲涨 話话 線线 險险 請请 別别 絕绝 從从 無无 對对 於于 與与 為为 麼么 "
    "點点 圖图 掃扫 現现 證证 驗验 確确 認认 關关 過过 達达 還还 進进 實实 "
    "際际 說说 處处 萬万 業业 廠厂 國国 團团 網网 頁页 鏈链 連连 訊讯 幫帮 "
    "應应 該该 當当 將将 夠够 樣样 後后 餘余 擔担 託托 郵邮 遞递 區区 陳陈 "
    "張张 劉刘 楊杨 黃黄 趙赵 吳吴 鄭郑 孫孙 馮冯 蔣蒋 韓韩 鄧邓 許许 蕭萧 "
    "葉叶 盧卢 華华 偉伟 麗丽 靜静 強强 軍军 紅红 興兴 見见 頭头 協协 議议 "
    "約约 簽签 稱称 數数 據据 檢检 測测 標标 準准 記记 錄录 減减 購购 買买 "
    "賣卖 貿贸 營营 銷销 產产 製制 罰罚 沒没 滿满 選选 項项 償偿 貼贴 補补 "
    "賠赔 繳缴 帶带 詐诈 嚴严 鬆松 簡简 體体 傳传 綁绑 鎖锁 屬属 內内 觀观 "
    "規规 則则 衛卫 監监 視视 頻频 問问 題题 師师 輸输 錯错 幾几 盡尽 儘尽 "
    "歷历 壞坏 願愿 總总 鄉乡 樓楼 層层 紙纸 節节 隻只 條条 種种 裡里 裏里 "
    "繫系 構构 機机 辦办 領领 觸触 擊击 鍵键 盜盗 竊窃 頓顿 門门 壓压 報报 "
    "執执 薦荐 塊块 億亿 貳贰 陸陆 復复 複复 異异 歸归 淨净 續续 專专 戲戏 "
    "圍围 態态 寫写 讀读 講讲 麵面 啟启 櫃柜 倉仓 庫库 裝装 壽寿 劃划 剛刚 "
    "鐘钟 邊边 權权 貸贷 雲云 紀纪 詢询 諮咨 鳳凤 龍龙 東东 廣广 誠诚 鐵铁 "
    "遠远 貴贵 紹绍 鋼钢 暫暂 舊旧 謝谢 詳详 談谈"
)
_SIMPLIFY = {ord(pair[0]): ord(pair[1]) for pair in _TRADITIONAL_PAIRS.split()}
# Invisible characters OCR and copy-paste leave behind; they split words without a trace.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
# Russian writes "е" for "ё" as often as not; rules are written with "е".
_YO = {ord("ё"): ord("е"), ord("Ё"): ord("Е")}
_TRANSLATION = {**_SIMPLIFY, **_INVISIBLE, **_YO}
# Most messages have nothing to translate; finding that out is cheaper than translating.
_NEEDS_TRANSLATION = re.compile("[" + re.escape("".join(map(chr, _TRANSLATION))) + "]")

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r" ?\n[\s]*")
# Chinese has no spaces between words: a space or line break next to a Chinese character
# is OCR noise or a wrapped line ("支 付 宝", "个人\n账户"), so it goes.
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
# An ideographic full stop between Latin letters or digits is a dot in a host name
# (`1688。com`); it is replaced one for one so positions stay the same.
_IDEOGRAPHIC_DOT = re.compile(r"(?<=[A-Za-z0-9])。(?=[A-Za-z0-9])")


# Latin letters that look like Cyrillic ones, and back. Russian text is often typed or
# OCR'd with a few of them swapped in ("кaрту" with a Latin "a"); in a word that mixes the
# two scripts, the minority script's look-alikes are folded into the majority's.
_LATIN_LOOKALIKES = "AaBCcEeHKkMmOoPpTXxYy"
_CYRILLIC_LOOKALIKES = "АаВСсЕеНКкМмОоРрТХхУу"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)
_DROP_LATIN_LOOKALIKES = str.maketrans("", "", _LATIN_LOOKALIKES)
_DROP_CYRILLIC_LOOKALIKES = str.maketrans("", "", _CYRILLIC_LOOKALIKES)
_ANY_CYRILLIC = re.compile("[\u0400-\u04ff]")
_SCRIPT_SWITCH = re.compile("[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")
_LETTER_RUN = re.compile("[A-Za-z\u0400-\u04ff]+")
_CYRILLIC_LETTERS = re.compile("[\u0400-\u04ff]")
_LATIN_LETTERS = re.compile("[A-Za-z]")


def has_cyrillic(text: str) -> bool:
    return _ANY_CYRILLIC.search(text) is not None


def _fold_mixed_word(word: re.Match[str]) -> str:
    text = word.group()
    if not _SCRIPT_SWITCH.search(text):
        return text
    # Letters with no look-alike in the other script say which script the word is in;
    # a word of look-alikes only, in a message with Cyrillic in it, is Russian.
    cyrillic = len(_CYRILLIC_LETTERS.findall(text.translate(_DROP_CYRILLIC_LOOKALIKES)))
    latin = len(_LATIN_LETTERS.findall(text.translate(_DROP_LATIN_LOOKALIKES)))
    if cyrillic and latin:
        cyrillic = len(_CYRILLIC_LETTERS.findall(text))
        latin = len(_LATIN_LETTERS.findall(text))
    return text.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


def fold_lookalikes(text: str) -> str:
    """Mixed-script words written in one script; every character keeps its position."""
    if not _SCRIPT_SWITCH.search(text):
        return text
    return _LETTER_RUN.sub(_fold_mixed_word, text)


def normalise(text: str) -> str:
    """The form every rule matches on: NFKC, Simplified, OCR spacing repaired, case kept."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARACTERS])
    if _NEEDS_TRANSLATION.search(text):
        text = text.translate(_TRANSLATION)
    if _ANY_CYRILLIC.search(text):
        text = fold_lookalikes(text)
    # Pre-normalisation: card, phone and account numbers a bubble wrapped over lines are
    # joined again (see bot/domain/wrapped_digits.py), before line breaks can keep them apart.
    text = join_wrapped_digits(text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    if "\n" in text:
        text = _LINE_BREAKS.sub("\n", text)
    text = _SPACE_NEXT_TO_CJK.sub("", text)
    if "。" in text:
        text = _IDEOGRAPHIC_DOT.sub(".", text)
    return text.strip()


def lower_in_place(text: str) -> str:
    """Lower case that keeps every character at its position (a few, like "İ", would grow)."""
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() never shrinks a character, so none grew
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


_ANY_CJK = re.compile(rf"[{_CJK}]")


def has_cjk(text: str) -> bool:
    return _ANY_CJK.search(text) is not None


# Where a clause ends. A negation or a quote never reaches across one of these.
_CLAUSE_BREAK = re.compile(r"[,;!?。\n]|\. ")
_LOOK_BACK = 120


def clause_start(text: str, position: int) -> int:
    start = max(0, position - _LOOK_BACK)
    for match in _CLAUSE_BREAK.finditer(text, start, position):
        start = match.end()
    return start


def clause_end(text: str, position: int) -> int:
    ceiling = min(len(text), position + _LOOK_BACK)
    match = _CLAUSE_BREAK.search(text, position, ceiling)
    return match.start() if match else ceiling


# Words that negate or warn about what follows ("不要私下转账", "we never accept…"). The
# Chinese and the Latin ones are separate patterns, so each can skip ahead quickly.
_NEGATOR_ZH = re.compile(
    r"不要|不用|不必|不需要|无需|不能|不可以|不可|不会|不接受|不收|不支持|不允许|不得|不做|"
    r"从不|从来不|绝不|决不|拒绝|谢绝|切勿|请勿|勿|禁止|严禁|谨防|小心|警惕|提防|防止|避免|"
    r"不是|并非|没有|别(?![人的处家])|不.?$"
)
_NEGATOR_EN = re.compile(
    r"(?<![a-z])(?:not|no|never|don'?t|do not|doesn'?t|does not|won'?t|will not|cannot|"
    r"can'?t|can not|shouldn'?t|should not|mustn'?t|must not|isn'?t|aren'?t|refuse[sd]?|"
    r"avoid|beware|warning|stop)(?![a-z])",
    re.IGNORECASE,
)
_NEGATOR_RU = re.compile(
    r"(?<![а-я])(?:не|нет|ни|никогда|нельзя|запрещено|запрещается|избегайте|остерегайтесь|"
    r"осторожно|опасайтесь)(?![а-я])",
    re.IGNORECASE,
)
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
# Words after a negation that start a new thought, so the negation no longer applies:
# "不要票的话直接打我卡上" negates the invoice, not the card.
_NEGATION_BREAK = re.compile(
    r"的话|就|直接|只能|只|所以|但|可以|而是|请|改|还是|先|"
    r"(?<![a-z])(?:if|so|just|but|then|instead|only|please|rather|because|since)(?![a-z])|"
    # Russian asks with a perfective imperative ("переведите") and forbids with an
    # imperfective one ("не переводите"), so the former starts a new thought.
    r"(?<![а-я])(?:а|но|однако|если|тогда|поэтому|зато|вместо|лучше|просто|пожалуйста|"
    r"переведите|оплатите|отправьте|скиньте|перекиньте|перечислите|заплатите)(?![а-я])",
    re.IGNORECASE,
)
_NEGATION_REACH_CJK = 12
_NEGATION_REACH_LATIN = 40
_NEGATION_REACH_CYRILLIC = 50


def is_negated(text: str, start: int) -> bool:
    """True when the words just before `start`, in the same clause, negate what follows."""
    floor = clause_start(text, start)
    window = text[floor:start]
    cyrillic = has_cyrillic(window)
    if has_cjk(window):
        reach = _NEGATION_REACH_CJK
    else:
        reach = _NEGATION_REACH_CYRILLIC if cyrillic else _NEGATION_REACH_LATIN
    window = window[-reach:]
    negation_end = max((match.end() for match in _NEGATOR_ZH.finditer(window)), default=-1)
    if _LATIN.search(window):
        latin = (match.end() for match in _NEGATOR_EN.finditer(window))
        negation_end = max(negation_end, max(latin, default=-1))
    if cyrillic:
        russian = (match.end() for match in _NEGATOR_RU.finditer(window))
        negation_end = max(negation_end, max(russian, default=-1))
    if negation_end < 0:
        return False
    return _NEGATION_BREAK.search(window, negation_end) is None


# Words right after a phrase that turn it into a warning about it: "payment outside the
# platform is not covered", "转到私人账户都是骗子".
_DISCLAIMER_ZH = re.compile(
    r"不受(?:平台)?(?:保护|保障)|没有(?:平台)?(?:保护|保障|担保)|不安全|有风险|是骗局|是诈骗|都是骗子"
)
_DISCLAIMER_EN = re.compile(
    r"(?<![a-z])(?:(?:is|are|will\s*be|was|were)\s*(?:not|never)\s*"
    r"(?:covered|protected|safe|allowed|accepted|refundable|insured)"
    r"|(?:is|are)\s*(?:risky|unsafe|dangerous|a\s*scam|fraud)"
    r"|(?:has|have|gets?|with)\s*no\s*(?:protection|coverage|guarantee))(?![a-z])",
    re.IGNORECASE,
)
_DISCLAIMER_RU = re.compile(
    r"(?<![а-я])(?:не\s+(?:защищен|застрахован|покрывается|гарантируется)|без\s+(?:защиты|гарантии)|"
    r"небезопасн|опасн|рискованн|(?:это\s+)?(?:мошенничеств|обман|развод)|мошенник)",
    re.IGNORECASE,
)
_DISCLAIMER_REACH = 40


def is_disclaimed(text: str, end: int) -> bool:
    """True when the words right after `text[:end]`, in the same clause, warn against it."""
    window = text[end : end + _DISCLAIMER_REACH]
    mark = _CLAUSE_BREAK.search(window)
    if mark:
        window = window[: mark.start()]
    if _DISCLAIMER_ZH.search(window):
        return True
    if has_cyrillic(window) and _DISCLAIMER_RU.search(window):
        return True
    return _LATIN.search(window) is not None and _DISCLAIMER_EN.search(window) is not None


_NUMBER_RUN = frozenset("0123456789 -+")
# mask_numbers covers runs of 13–19 digits; a longer one (a card number with more digits
# stuck to it) must not show either.
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,}(?!\d)")


def mask_evidence(text: str) -> str:
    """Card and phone numbers, and any other long digit run, reduced to `••••1234`."""
    if not _DIGIT.search(text):
        return text
    masked = mask_numbers(text)
    return _LONG_NUMBER.sub(lambda run: "••••" + re.sub(r"\D", "", run.group())[-4:], masked)


def evidence(text: str, start: int, end: int) -> str:
    """The clause around `text[start:end]`, at most 80 characters, numbers masked."""
    first, last = clause_start(text, start), clause_end(text, end)
    if last - first > MAX_EVIDENCE:
        # A long clause: keep the match in the middle of what fits.
        room = max(0, MAX_EVIDENCE - (end - start))
        first = max(first, start - room // 2)
        last = min(last, first + MAX_EVIDENCE)
        if last < end:  # the match alone is too long (a long link): quote its start
            first, last = start, min(end, start + MAX_EVIDENCE)
    first, last = _whole_words(text, first, last, start, end)
    first, last = _around_number_runs(text, first, last)
    return mask_evidence(text[first:last]).strip()[:MAX_EVIDENCE].strip()


def _whole_words(text: str, first: int, last: int, start: int, end: int) -> tuple[int, int]:
    """Move a cut that falls inside a Latin word to the word's edge (towards the match)."""
    while 0 < first < start and _inside_latin_word(text, first):
        first += 1
    while end < last < len(text) and _inside_latin_word(text, last):
        last -= 1
    return first, last


def _inside_latin_word(text: str, cut: int) -> bool:
    """A cut between two Latin (or two Cyrillic) letters splits a word."""
    before, after = text[cut - 1], text[cut]
    if before.isascii() and after.isascii():
        return before.isalpha() and after.isalpha()
    return (
        _CYRILLIC_LETTERS.match(before) is not None and _CYRILLIC_LETTERS.match(after) is not None
    )


def _around_number_runs(text: str, first: int, last: int) -> tuple[int, int]:
    """Widen a cut that falls inside a card or phone number, so the whole number is masked."""
    while first > 0 and text[first - 1] in _NUMBER_RUN and text[first] in _NUMBER_RUN:
        first -= 1
    while last < len(text) and text[last - 1] in _NUMBER_RUN and text[last] in _NUMBER_RUN:
        last += 1
    return first, last
