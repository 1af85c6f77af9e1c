"""What a link, or a share text, that a buyer pastes really is.

A real 1688 offer, shop, share link or other page; a Taobao / Tmall / Alibaba.com /
AliExpress page; an address made to look like one of those; or nothing at all. Links are
found in free text as people paste them: without a scheme, in full-width characters, with
`。` for a dot, glued to Chinese punctuation, inside app share texts (【title】, ￥token￥).
Hosts are judged on their registrable domain (see link_hosts). Pure and offline: short
links are never opened.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from bot.domain.links.agents import agent_of, imitated_agent, unwrap
from bot.domain.links.hosts import (
    BRANDS,
    PLATFORM_DOMAINS,
    imitation,
    is_group_host,
    is_ip_address,
    is_platform_host,
    registrable_domain,
    subdomain_of,
)

__all__ = [
    "REASON_CODES",
    "LinkCheck",
    "LinkKind",
    "classify_link",
    "classify_links",
    "find_links",
    "is_platform_host",
    "kind_key",
    "link_to_json",
    "reason_key",
]

MAX_TEXT = 20_000  # characters read; the rest of a huge paste is ignored
MAX_LINKS = 100  # links classified per text


class LinkKind(StrEnum):
    OFFER = "offer"
    SHOP = "shop"
    SHARE_LINK = "share_link"
    PAGE = "page"
    OTHER_PLATFORM = "other_platform"
    LOOKALIKE = "lookalike"
    NONE = "none"


@dataclass(frozen=True)
class LinkCheck:
    kind: LinkKind
    platform: str | None  # "1688" | "taobao" | "tmall" | "alibaba" | "aliexpress" | None
    offer_id: str | None
    shop_id: str | None  # shop subdomain name, shop<id> host part, or winport memberId
    url: str | None  # canonical: https, lower-case host, no tracking, no fragment
    reasons: tuple[str, ...]  # reason codes; texts are `link_reason_<code>` in catalogues
    title: str | None = None  # the 【title】 / 「title」 of a share text
    needs_app: bool = False  # a short link or share code that only the app can open
    via_agent: str | None = None  # the buying agent whose link carried this one ("cssbuy")


# Every reason code this module produces. Catalogues hold `link_reason_<code>` for each.
REASON_CODES = frozenset(
    {"genuine_1688", "sign_in_page", "short_link_offline", "share_text_token"}
    | {"other_platform_not_1688", "alipay_site", "image_cdn", "alibaba_group_site"}
    | {"unrelated_site", "ip_address_host", "brand_in_path", "brand_in_foreign_domain"}
    | {"fake_subdomain", "homoglyph", "typo_domain", "punycode", "userinfo_trick"}
    | {"wrong_suffix", "no_link", "agent_link", "agent_link_no_item", "agent_lookalike"}
)


def reason_key(code: str) -> str:
    return f"link_reason_{code}"


def kind_key(kind: LinkKind) -> str:
    return f"link_kind_{kind.value}"


# ---------------------------------------------------------------------------------------
# Finding links in text

# Chinese punctuation that never belongs inside a link, replaced before NFKC turns it into
# ASCII that could (，→, ！→! （→( ）→) ；→;).
_PROSE_PUNCTUATION = str.maketrans(dict.fromkeys("，！（）；、", " "))
# `。` stands for a dot between letters or digits ("1688。com"); elsewhere it ends a sentence.
_IDEOGRAPHIC_DOT = re.compile(r"(?<=[A-Za-z0-9])。(?=[A-Za-z0-9])")
# Signs that wrap a share code (淘口令): ￥ (¥ after NFKC), $, ₤, ¤ and other currency signs.
_TOKEN_SIGNS = "¥$€£₤¤₳₴₰₲₵₭¢₠₡₢₣₥₦₧₨₩₪₫₮₯₱₸₹₺₽₾"
# Characters that end a link: spaces, quotes and brackets, CJK and full-width punctuation,
# general punctuation (“ ” … —), the middle dot and the share-code signs.
_LINK_BODY = (
    r"[^\s<>\"'`{}|\\^\[\](),\u00b7\u2000-\u206f\u3000-\u303f\uff00-\uffef"
    + re.escape(_TOKEN_SIGNS.replace("$", ""))
    + "]"
)
# Letters a host may be written in: ASCII, plus Latin-accented, IPA, Greek, Cyrillic and
# Armenian (the scripts lookalike hosts borrow from). Never CJK, so that "看看detail.1688.com"
# starts at "detail".
_HOST_CHAR = "0-9A-Za-z\u00c0-\u02af\u0370-\u03ff\u0400-\u052f\u0530-\u058f"
_LABEL = rf"[{_HOST_CHAR}](?:[{_HOST_CHAR}-]{{0,62}})"
# A link starts after a word boundary; a dot before it ends a sentence ("见...https://")
# unless the dot follows a letter, as in "a.b.com".
_SCHEME_LINK = re.compile(
    r"(?<![A-Za-z0-9+-])(?<![A-Za-z0-9]\.)[A-Za-z][A-Za-z0-9+.-]{1,15}://"
    rf"(?:\[[0-9A-Fa-f:.]{{2,45}}\])?{_LINK_BODY}*"  # an IPv6 host is written in brackets
)
_BARE_LINK = re.compile(
    rf"(?<![{_HOST_CHAR}@-])(?<![{_HOST_CHAR}-]\.)"
    rf"(?P<userinfo>[{_HOST_CHAR}._~%!$&*+=:-]+@)?"
    rf"(?P<host>(?:{_LABEL}\.)+{_LABEL})"
    r"(?P<port>:\d{1,5})?"
    rf"(?P<rest>[/?#]{_LINK_BODY}*)?"
)
# Without a scheme, a two-label name needs a common top-level domain to be a link, so
# that "Mr.Wang", "No.5" or "logo.ai" are not.
_COMMON_SUFFIXES = frozenset(
    {"com", "net", "org", "cn", "top", "xyz", "info", "cc", "co", "io", "me", "shop", "store"}
    | {"online", "site", "vip", "club", "app", "link", "hk", "tw", "ru", "uk", "us", "de"}
    | {"biz", "ltd", "pro", "live", "icu", "cyou", "buzz", "tk", "ml", "ga", "cf", "gq"}
    | {"work", "fun", "asia", "tv", "ws", "pw", "in", "sg", "my", "ph", "vn", "th", "id"}
    | {"jp", "kr", "eu", "fr", "es", "it", "nl", "ae", "page", "dev", "ly", "gl", "gd", "to"}
    | {"la", "im", "ink", "help", "support", "net.cn", "com.cn", "org.cn", "com.hk", "co.uk"}
)
_CJK = "\u2e80-\u2fff\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TRAILING = ".,;:!?*~'\"-_"  # ends a sentence, not a link


def _normalise(text: str) -> str:
    text = text[:MAX_TEXT].translate(_PROSE_PUNCTUATION)
    text = unicodedata.normalize("NFKC", text)[:MAX_TEXT]
    return _IDEOGRAPHIC_DOT.sub(".", text)


def find_links(text: str) -> list[str]:
    """Every link-like string in the text, in order, as written after normalisation."""
    return [link for _, link in _located_links(_normalise(text))]


def _located_links(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _SCHEME_LINK.finditer(text):
        link = _trim(match.group(0), match.group(0).index("://") + 3)
        if _has_host(link):
            found.append((match.start(), link))
    # Blank out the links with a scheme so their insides are not found again without one.
    masked = _SCHEME_LINK.sub(lambda match: " " * len(match.group(0)), text)
    for match in _BARE_LINK.finditer(masked):
        if _is_bare_link(match):
            found.append((match.start(), _trim(match.group(0), 0)))
    found.sort()
    return found[:MAX_LINKS]


def _trim(link: str, body_start: int) -> str:
    """Cut the sentence off a link: CJK text after it, and punctuation that ends it."""
    query_start = link.find("?", body_start)
    for run in _CJK_RUN.finditer(link, body_start):
        # Search words are Chinese (`keywords=置物架`): a run right after "=" stays.
        in_query_value = 0 <= query_start < run.start() and link[run.start() - 1] == "="
        if not in_query_value:
            link = link[: run.start()]
            break
    return link.rstrip(_TRAILING)


def _has_host(link: str) -> bool:
    host = _authority(link.split("://", 1)[1])[1]
    return bool(host) and (is_ip_address(host) or "." in host.strip("."))


def _is_bare_link(match: re.Match[str]) -> bool:
    host = match.group("host")
    has_path = bool(match.group("rest") or match.group("port"))
    userinfo = match.group("userinfo")
    if userinfo and not has_path and not any(brand in userinfo.lower() for brand in BRANDS):
        return False  # an e-mail address: sales@supplier.com
    if is_ip_address(host):
        return has_path
    last = host.rsplit(".", 1)[-1]
    suffix = registrable_domain(host).partition(".")[2]
    if not suffix or not last.isalpha():
        return False
    return has_path or host.count(".") > 1 or suffix in _COMMON_SUFFIXES


# ---------------------------------------------------------------------------------------
# Taking a link apart


@dataclass(frozen=True)
class _Url:
    userinfo: str
    host: str  # as written
    port: str
    path: str
    query: str

    @property
    def normal_host(self) -> str:
        return self.host.lower().strip(".")


def _parse(link: str) -> _Url:
    rest = link.split("://", 1)[1] if "://" in link else link
    userinfo, host, port, remainder = _authority(rest)
    path, _, query = remainder.partition("#")[0].partition("?")
    return _Url(userinfo, host, port, path, query)


def _authority(rest: str) -> tuple[str, str, str, str]:
    """(userinfo, host, port, everything after) of `user@host:port/path?query`."""
    cut = re.search(r"[/?#]", rest)
    authority, remainder = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    # The host is what follows the last "@": `detail.1688.com@evil.top` goes to evil.top.
    userinfo, _, hostport = authority.rpartition("@")
    host, port = hostport, ""
    if hostport.startswith("["):
        host = hostport.split("]", 1)[0] + "]"
    elif re.fullmatch(r".*:\d{1,5}", hostport):
        host, _, port = hostport.rpartition(":")
    return userinfo, host, port, remainder


# Query parameters that only say where a click came from. Keys compare in lower case.
_TRACKING_KEYS = frozenset(
    {"tracelog", "clickid", "scm", "pvid", "ali_trackid", "ali_refid", "algo_pvid"}
    | {"algo_expid", "algo_exp_id", "btsid", "ws_ab_test", "gatewayadapt", "sk", "src"}
    | {"terminal_id", "srcsns", "sourcetype", "ut_sk", "suid", "shareuniqueid", "un"}
    | {"share_crt_v", "sp_tk", "cpp", "shareurl", "short_name", "app", "bxsign", "ns"}
    | {"tbsocialpopkey", "union_lens", "abbucket", "pdp_npi", "pdp_ext_f", "fbclid"}
    | {"gclid", "tracking_id", "cosite", "xxc", "mi_id"}
)
_TRACKING_PREFIXES = ("spm", "utm_", "aff_")


def _clean_query(query: str) -> str:
    """The query without tracking or empty parameters, in the original order and encoding."""
    kept = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        lowered = key.lower()
        if not value or lowered in _TRACKING_KEYS or lowered.startswith(_TRACKING_PREFIXES):
            continue
        kept.append(pair)
    return "&".join(kept)


def _query_value(query: str, name: str) -> str:
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key.lower() == name:
            return value
    return ""


def _canonical(url: _Url) -> str:
    port = f":{url.port}" if url.port not in ("", "80", "443") else ""
    query = _clean_query(url.query)
    return f"https://{url.normal_host}{port}{url.path or '/'}" + (f"?{query}" if query else "")


# ---------------------------------------------------------------------------------------
# What a genuine platform link is: rules as data


@dataclass(frozen=True)
class _Rule:
    """One page shape. `subdomain` must match the labels in front of the registrable domain
    in full; `path` must match the start of the path. Named groups `offer` and `shop` take
    the ids; `offer_param` / `shop_param` take them from the query instead."""

    kind: LinkKind
    subdomain: str = r".*"
    path: str = r""
    offer_param: str | None = None
    shop_param: str | None = None
    needs_app: bool = False
    offer_url: str | None = None  # canonical for an offer; {offer} and {domain} filled in


_OFFER_ID = r"(?P<offer>\d{5,20})"
# 1688's own service hosts; any other single label in front of 1688.com is a shop's name.
# An unlisted service host is read as a shop: still a genuine 1688 address.
_SERVICES_1688 = (
    "www|m|detail|s|trade|trade2|login|passport|work|wangpu|global|qr|show|winport|cart|air"
    "|sale|page|p4p|club|open|rule|fuwu|go|i|h5|view|widget|home|help|service|member|my"
    "|buyer|seller|search|offer|news|info|exodus|cbu|dj|ad|aq|cs|survey|hz"
)
_SERVICES_TMALL = "www|detail|m|list|login|pages|chaoshi|buy|cart|err|h5|mdetail"
_NOT_1688 = LinkKind.OTHER_PLATFORM

_RULES: dict[str, tuple[_Rule, ...]] = {
    "1688.com": (
        _Rule(LinkKind.SHARE_LINK, subdomain="qr", path=r"/s/[A-Za-z0-9_-]+/?$", needs_app=True),
        _Rule(
            LinkKind.OFFER,
            path=rf"/offer/{_OFFER_ID}\.html?$",
            offer_url="https://detail.1688.com/offer/{offer}.html",
        ),
        _Rule(
            LinkKind.OFFER,
            offer_param="offerid",
            offer_url="https://detail.1688.com/offer/{offer}.html",
        ),
        # The older share form: qr.1688.com/share.html?secret=<token> (an offerId is read above).
        _Rule(LinkKind.SHARE_LINK, subdomain="qr", path=r"/share\.html?$", needs_app=True),
        _Rule(LinkKind.SHOP, subdomain=r"winport\.m", shop_param="memberid"),
        # A shop's mobile card: m.1688.com/winport/b2b-<memberId>.html
        _Rule(LinkKind.SHOP, subdomain="m", path=r"/winport/(?P<shop>b2b-[0-9a-z]{4,64})\.html?$"),
        _Rule(LinkKind.PAGE, subdomain=rf"|(?:{_SERVICES_1688})|.+\..+"),
        _Rule(LinkKind.SHOP, subdomain=r"(?P<shop>[a-z0-9-]+)"),
    ),
    "taobao.com": (
        _Rule(
            _NOT_1688,
            path=r".*(?:item|detail)",
            offer_param="id",
            offer_url="https://item.taobao.com/item.htm?id={offer}",
        ),
        _Rule(
            _NOT_1688,
            path=rf"/item/{_OFFER_ID}\.html?",
            offer_url="https://item.taobao.com/item.htm?id={offer}",
        ),
        _Rule(_NOT_1688, subdomain=r"(?P<shop>shop\d+)"),
    ),
    "tb.cn": (_Rule(_NOT_1688, path=r"/h\.[A-Za-z0-9_-]+", needs_app=True),),
    "tmall.com": (
        _Rule(
            _NOT_1688,
            path=r".*item",
            offer_param="id",
            offer_url="https://detail.{domain}/item.htm?id={offer}",
        ),
        _Rule(_NOT_1688, subdomain=rf"(?!(?:{_SERVICES_TMALL})$)(?P<shop>[a-z0-9-]+)"),
    ),
    "aliexpress.com": (
        _Rule(_NOT_1688, subdomain="a", path=r"/_[A-Za-z0-9]+", needs_app=True),
        _Rule(_NOT_1688, subdomain=r"s\.click", path=r"/e/_?[A-Za-z0-9]+", needs_app=True),
        _Rule(
            _NOT_1688,
            path=rf"/item/(?:\d+-)?{_OFFER_ID}\.html",
            offer_url="https://www.aliexpress.com/item/{offer}.html",
        ),
        _Rule(_NOT_1688, path=r"/store/(?:\d+/)?(?P<shop>\d+)"),
    ),
    "alibaba.com": (
        _Rule(_NOT_1688, path=rf"/product-detail/(?:[^/]*_)?{_OFFER_ID}\.html"),
        _Rule(
            _NOT_1688,
            subdomain=r"(?P<shop>[a-z0-9-]+)\.(?:en|fm|trustpass)",
            path=rf"/product/{_OFFER_ID}",
        ),
        _Rule(_NOT_1688, subdomain=r"(?P<shop>[a-z0-9-]+)\.(?:en|fm|trustpass)"),
        _Rule(_NOT_1688, subdomain=r"m", path=rf"/product/{_OFFER_ID}"),
    ),
}
# Mirrors under another suffix follow the same page shapes.
_RULES["tmall.hk"] = _RULES["tmall.com"]
_RULES["aliexpress.ru"] = _RULES["aliexpress.us"] = _RULES["aliexpress.com"]

# What a genuine host is, when it is not a marketplace page.
_SITE_REASONS = {"alipay.com": "alipay_site", "alicdn.com": "image_cdn"}
_SIGN_IN_HOSTS = frozenset({"login", "passport", "signin"})


@dataclass(frozen=True)
class _Match:
    rule: _Rule
    offer_id: str | None
    shop_id: str | None


def _match_rule(domain: str, subdomain: str, url: _Url) -> _Match | None:
    for rule in _RULES.get(domain, ()):
        host_match = re.fullmatch(rule.subdomain, subdomain)
        path_match = re.match(rule.path, url.path, re.IGNORECASE)
        if not host_match or not path_match:
            continue
        groups = {**host_match.groupdict(), **path_match.groupdict()}
        offer = groups.get("offer") or _param_id(url.query, rule.offer_param, r"\d{5,20}")
        shop = groups.get("shop") or _param_id(url.query, rule.shop_param, r"[\w-]{2,64}")
        if (rule.offer_param and not offer) or (rule.shop_param and not shop):
            continue
        return _Match(rule, offer, shop)
    return None


def _param_id(query: str, name: str | None, shape: str) -> str | None:
    if name is None:
        return None
    value = _query_value(query, name)
    return value if re.fullmatch(shape, value) else None


def _platform_check(url: _Url) -> LinkCheck:
    host = url.normal_host
    domain = registrable_domain(host)
    subdomain = subdomain_of(host)
    platform = PLATFORM_DOMAINS[domain]
    found = _match_rule(domain, subdomain, url)
    rule = found.rule if found else _Rule(LinkKind.PAGE if platform == "1688" else _NOT_1688)
    offer_id = found.offer_id if found else None
    shop_id = found.shop_id if found else None
    canonical = _canonical(url)
    if offer_id and rule.offer_url:
        canonical = rule.offer_url.format(offer=offer_id, domain=domain)
    reasons = [_platform_reason(domain, platform)]
    if subdomain.split(".")[0] in _SIGN_IN_HOSTS:
        reasons.append("sign_in_page")
    if rule.needs_app:
        reasons.append("short_link_offline")
    return LinkCheck(
        rule.kind, platform, offer_id, shop_id, canonical, tuple(reasons), None, rule.needs_app
    )


def _platform_reason(domain: str, platform: str | None) -> str:
    if platform == "1688":
        return "genuine_1688"
    return _SITE_REASONS.get(domain, "other_platform_not_1688")


_MAX_WRAPPING = 3  # an agent link inside an agent link: unwrapped this many times at most


def _classify_url(link: str, depth: int = 0) -> LinkCheck | None:
    url = _parse(link)
    host = url.normal_host
    if not host:
        return None
    # An agent's own domain is not dressed up as Alibaba, whatever its letters ("eastmallbuy"
    # holds "tmall"); a user-info part still is ("detail.1688.com@cssbuy.com").
    agent = agent_of(host)
    fake = imitation(url.host, url.userinfo, f"{url.path}?{url.query}")
    if fake and (agent is None or url.userinfo):
        return LinkCheck(
            LinkKind.LOOKALIKE, fake.platform, None, None, _canonical(url), fake.reasons
        )
    if is_platform_host(host):
        return _platform_check(url)
    if agent and depth < _MAX_WRAPPING:
        fragment = link.partition("#")[2]
        inner = unwrap(agent, url.path, url.query, fragment).link
        check = _classify_url(inner, depth + 1) if inner else None
        if check is None:
            return LinkCheck(
                LinkKind.NONE, None, None, None, _canonical(url), ("agent_link_no_item",),
                via_agent=agent.key,
            )  # fmt: skip
        return replace(check, reasons=(*check.reasons, "agent_link"), via_agent=agent.key)
    if imitated_agent(host):
        reasons = ("agent_lookalike",)
        return LinkCheck(LinkKind.LOOKALIKE, None, None, None, _canonical(url), reasons)
    if is_group_host(host):
        return LinkCheck(
            LinkKind.OTHER_PLATFORM, None, None, None, _canonical(url), ("alibaba_group_site",)
        )
    # Not Alibaba's and not an agent's: `none`, nothing for a supplier check to check.
    reason = "ip_address_host" if is_ip_address(host) else "unrelated_site"
    return LinkCheck(LinkKind.NONE, None, None, None, _canonical(url), (reason,))


# ---------------------------------------------------------------------------------------
# Share texts: 【title】, 「title」 and ￥token￥

# App names that sit in 【】 as a tag ("【淘宝】7天无理由退货 …"), not as a title.
_APP_TAGS = frozenset(
    {"1688", "阿里巴巴", "阿里巴巴1688", "淘宝", "手机淘宝", "淘宝网", "淘特", "天猫"}
    | {"手机天猫", "天猫超市", "速卖通", "闲鱼", "支付宝"}
)
_BRACKETED = re.compile(r"[【「]([^【】「」\n]{1,200})[】」]")
_LEADING_TAG = re.compile(r"\s*【([^【】\n]{1,20})】([^\n]*)")
# Where the free-text title after a leading 【1688】 tag stops.
_TITLE_END = re.compile(
    r"https?[:：]|[A-Za-z0-9-]+[.．。][A-Za-z]{2,}|[￥¥$₤¤€£]|复制|打开|查看|点击|长按|長按",
    re.IGNORECASE,
)
_SHARE_TOKEN = re.compile(
    rf"(?P<sign>[{re.escape(_TOKEN_SIGNS)}])(?P<token>[A-Za-z0-9]{{6,32}})(?P=sign)"
)
# Which app a share code belongs to, by what else the text mentions; Taobao by default.
_TOKEN_PLATFORM_HINTS = (
    ("1688", "1688"),
    ("阿里巴巴", "1688"),
    ("天猫", "tmall"),
    ("tmall", "tmall"),
)
_TAOBAO_FAMILY = frozenset({"taobao", "tmall"})


def _share_title(text: str) -> str | None:
    for match in _BRACKETED.finditer(text):
        inner = match.group(1).strip()
        if inner and inner not in _APP_TAGS and not find_links(inner):
            return inner
    leading = _LEADING_TAG.match(text)
    if leading and leading.group(1).strip() in _APP_TAGS:
        rest = leading.group(2)
        end = _TITLE_END.search(rest)
        title = (rest[: end.start()] if end else rest).strip(" \t,，:：…、-")
        return title[:200] or None
    return None


def _share_token_platform(normal: str) -> str | None:
    """The platform of the share code (口令) in the text, or None when there is none."""
    tokens = (m.group("token") for m in _SHARE_TOKEN.finditer(normal))
    if not any(re.search(r"[A-Za-z]", token) for token in tokens):
        return None
    lowered = normal.lower()
    return next((p for hint, p in _TOKEN_PLATFORM_HINTS if hint in lowered), "taobao")


def _same_family(platform: str | None, token_platform: str) -> bool:
    if token_platform in _TAOBAO_FAMILY:
        return platform in _TAOBAO_FAMILY
    return platform == token_platform


def _with_share_token(checks: list[LinkCheck], token_platform: str) -> list[LinkCheck]:
    """Mark the links the share code belongs to; a code alone becomes a check of its own."""
    marked = [
        replace(check, reasons=(*check.reasons, "share_text_token"))
        if check.kind is not LinkKind.LOOKALIKE and _same_family(check.platform, token_platform)
        else check
        for check in checks
    ]
    if marked != checks:
        return marked
    if token_platform == "1688":
        alone = LinkCheck(LinkKind.SHARE_LINK, "1688", None, None, None, ("share_text_token",))
    else:
        reasons = ("other_platform_not_1688", "share_text_token")
        alone = LinkCheck(LinkKind.OTHER_PLATFORM, token_platform, None, None, None, reasons)
    return [*checks, replace(alone, needs_app=True)]


# ---------------------------------------------------------------------------------------
# The public entry points


def classify_links(text: str) -> list[LinkCheck]:
    """Every link in the text, classified, in order; a share code alone counts as one."""
    normal = _normalise(text)
    checks: list[LinkCheck] = []
    seen: set[str] = set()
    for _, link in _located_links(normal):
        check = _classify_url(link)
        if check and check.url not in seen:
            seen.add(check.url or "")
            checks.append(check)
    token_platform = _share_token_platform(normal)
    if token_platform:
        checks = _with_share_token(checks, token_platform)
    title = _share_title(text[:MAX_TEXT])
    return [replace(check, title=title) for check in checks] if title else checks


def classify_link(text: str) -> LinkCheck:
    """The link that matters most: any lookalike, else the first 1688 one, else the first."""
    checks = classify_links(text)
    for wanted in (_is_lookalike, _is_1688, _is_something, _is_any):
        chosen = next((check for check in checks if wanted(check)), None)
        if chosen:
            return chosen
    return LinkCheck(
        LinkKind.NONE, None, None, None, None, ("no_link",), _share_title(text[:MAX_TEXT])
    )


def _is_lookalike(check: LinkCheck) -> bool:
    return check.kind is LinkKind.LOOKALIKE


def _is_1688(check: LinkCheck) -> bool:
    return check.platform == "1688"


def _is_something(check: LinkCheck) -> bool:
    return check.kind is not LinkKind.NONE


def _is_any(check: LinkCheck) -> bool:
    return True


def link_to_json(check: LinkCheck, explain: Callable[[str], str]) -> dict[str, Any]:
    """The `check-link` JSON of DESIGN.md; `explain` turns catalogue keys into text, as for
    check_to_json (it is given `link_reason_<code>`)."""
    return {
        "kind": check.kind.value,
        "platform": check.platform,
        "offer_id": check.offer_id,
        "shop_id": check.shop_id,
        "url": check.url,
        "reasons": [explain(reason_key(code)) for code in check.reasons],
        "reason_codes": list(check.reasons),
        "title": check.title,
        "needs_app": check.needs_app,
        "via_agent": check.via_agent,
    }
