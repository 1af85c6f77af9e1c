"""Where a link or a QR code leads: the platform, a personal payment code, a chat app, or
somewhere else. Hosts are matched on whole labels, never as substrings, so
`1688.com.pay-check.top` is not 1688. Which domains are the platform is decided in one
place, link_hosts, shared with the link classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from bot.domain.links.hosts import host_within, is_platform_host


class LinkKind(Enum):
    PLATFORM = "platform"
    PAYMENT_CODE = "payment_code"  # a personal WeChat / Alipay / UnionPay collection code
    CHAT_APP = "chat_app"  # a WhatsApp / Telegram / WeChat contact link
    WORLDFIRST = "worldfirst"  # 跨境宝's operator: fine only when typed in by the buyer
    OTHER = "other"


@dataclass(frozen=True)
class Link:
    kind: LinkKind
    start: int
    end: int


WORLDFIRST_DOMAINS = frozenset({"worldfirst.com", "worldfirst.com.cn"})
# Hosts and schemes that only ever carry a person's or a shop's own payment code.
_PAYMENT_CODE_HOSTS = frozenset(
    {"qr.alipay.com", "render.alipay.com", "ds.alipay.com", "qr.95516.com", "payapp.weixin.qq.com"}
    | {"wx.tenpay.com", "payapp.wechatpay.cn", "i.qianbao.qq.com", "qr.m.jd.com"}
)
_PAYMENT_CODE_SCHEMES = frozenset(
    {"wxp", "weixin", "alipays", "alipay", "alipayqr", "mqqapi", "upwallet", "unionpay"}
)
_CHAT_DOMAINS = frozenset(
    {"wa.me", "whatsapp.com", "t.me", "telegram.me", "telegram.org", "u.wechat.com"}
    | {"line.me", "qm.qq.com", "weixin.qq.com", "wechat.com", "dingtalk.com", "viber.com"}
)

# A host with or without a scheme. Without a scheme only common top-level domains count,
# so "No.5" or "3.5kg" are not links.
_SCHEME_LINK = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9+.-]{1,15})://([^\s/?#,;!\"'<>()\[\]]*)[^\s\"'<>]*",
    re.IGNORECASE,
)
_COMMON_TLDS = (
    "com|net|org|cn|top|xyz|info|cc|co|io|me|shop|store|online|site|vip|club|app|link|hk|tw|"
    "ru|uk|us|de|biz|ltd|pro|live|icu|cyou|buzz|tk|ml|ga|cf|gq|work|fun|asia|tv|ws|pw|in|"
    "sg|my|ph|vn|th|id|jp|kr|eu|fr|es|it|nl|ae|page|dev|ly|gl|gd|to|so|la|im|ink|help|support"
)
# The "not inside a longer token" check sits after the first character, so `re` can
# still skip ahead to letters and digits.
_BARE_LINK = re.compile(
    r"((?:[A-Za-z0-9](?<![A-Za-z0-9@._/-][A-Za-z0-9])(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    rf"(?:{_COMMON_TLDS}))(?![A-Za-z0-9-])(?::\d{{1,5}})?(?:/[^\s\"'<>]*)?",
    re.IGNORECASE,
)


def classify_host(host: str, scheme: str = "") -> LinkKind:
    host = host.lower().strip(".").rsplit("@", 1)[-1].split(":", 1)[0]
    if scheme.lower() in _PAYMENT_CODE_SCHEMES or host in _PAYMENT_CODE_HOSTS:
        return LinkKind.PAYMENT_CODE
    if is_platform_host(host):
        return LinkKind.PLATFORM
    if host_within(host, WORLDFIRST_DOMAINS):
        return LinkKind.WORLDFIRST
    if host_within(host, _CHAT_DOMAINS):
        return LinkKind.CHAT_APP
    return LinkKind.OTHER


def find_links(text: str) -> list[Link]:
    """Every link in the text, in order, each with what it leads to."""
    links: list[Link] = []
    if "://" in text:
        for match in _SCHEME_LINK.finditer(text):
            kind = classify_host(match.group(2), match.group(1))
            links.append(Link(kind, match.start(), match.end()))
    if "." not in text:
        return links
    covered = [(link.start, link.end) for link in links]
    for match in _BARE_LINK.finditer(text):
        if not any(start <= match.start() < end for start, end in covered):
            links.append(Link(classify_host(match.group(1)), match.start(), match.end()))
    return sorted(links, key=lambda link: link.start)


def classify_payload(payload: str) -> LinkKind | None:
    """What a decoded QR code leads to; None when it is not a link at all."""
    candidate = payload.strip()
    try:
        parts = urlsplit(candidate if "://" in candidate else f"//{candidate}")
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in _PAYMENT_CODE_SCHEMES:
        return LinkKind.PAYMENT_CODE
    host = parts.hostname or ""
    if "." not in host or " " in host:
        return None
    return classify_host(host, scheme)
