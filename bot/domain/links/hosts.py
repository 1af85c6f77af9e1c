"""Whose site a host name is, and whether it is dressed up to look like Alibaba's.

Hosts are compared on their registrable domain: the one name a company buys, directly under
a public suffix such as `com` or `com.cn`. `detail.1688.com` is on `1688.com`;
`detail.1688.com.check.top` is on `check.top`, whatever it starts with. Substrings are
never trusted (research/domain-1688.md §3.3).

The public suffix list is the snapshot bundled inside tldextract. Nothing is fetched, and
nothing is written to disk.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import tldextract

# The registrable domains of Alibaba's marketplaces, their payment site, their share short
# links and their image server (research/domain-1688.md §3.1), with the platform each one
# is. Nothing else counts as the platform.
PLATFORM_DOMAINS: dict[str, str | None] = {
    "1688.com": "1688",
    "taobao.com": "taobao",
    "tb.cn": "taobao",  # Taobao's and Tmall's share short links: m.tb.cn, e.tb.cn
    "tmall.com": "tmall",
    "tmall.hk": "tmall",  # Tmall Global
    "alibaba.com": "alibaba",
    "aliexpress.com": "aliexpress",
    "aliexpress.ru": "aliexpress",
    "aliexpress.us": "aliexpress",
    "alipay.com": None,
    "alicdn.com": None,
}

# Real Alibaba Group sites that are not marketplaces. Listed so that the brand word in
# their names is not mistaken for an imitation.
GROUP_DOMAINS = frozenset(
    {"alibabagroup.com", "alibaba-inc.com", "alibabacloud.com", "aliyun.com"}
    | {"alipayplus.com", "alipan.com", "tmallgenie.com"}  # alipan.com: 阿里云盘, near "alipay"
)

# Brand words a phishing host borrows, and the platform each one points at.
BRANDS: dict[str, str | None] = {
    "aliexpress": "aliexpress",
    "alibaba": "alibaba",
    "taobao": "taobao",
    "tmall": "tmall",
    "alipay": None,
    "1688": "1688",
}

# Letters from other scripts that render like Latin ones (Cyrillic, Greek, Armenian, IPA).
_SCRIPT_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ӏ": "l", "ԁ": "d", "ѕ": "s", "ԛ": "q", "һ": "h", "ԝ": "w", "ь": "b",
        "ο": "o", "α": "a", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "ρ": "p", "ϲ": "c",
        "օ": "o", "ս": "u", "ո": "n", "ɑ": "a", "ɡ": "g", "ı": "i",
    }
)  # fmt: skip
# Then ASCII characters that pass for each other at a glance. Applied to the brand and the
# candidate alike, so "1b88" and "1688" share the skeleton "lb88".
_ASCII_LOOKALIKES = (
    ("rn", "m"),
    ("vv", "w"),
    ("0", "o"),
    ("1", "l"),
    ("i", "l"),
    ("|", "l"),
    ("6", "b"),
    ("5", "s"),
)
# Brands distinctive enough to be searched for inside a longer label by skeleton. "tmall"
# and "alipay" are not: "hotmail" and "smallpay" would match.
_DISTINCTIVE = frozenset({"1688", "alibaba", "taobao", "aliexpress"})
# One letter added, dropped or changed is only a typo of a long brand ("tmall" and
# "small" are one letter apart too); two letters swapped, of any brand but "1688".
_MIN_TYPO_LENGTH = 6
_MIN_SWAP_LENGTH = 5


@dataclass(frozen=True)
class Imitation:
    """Why a host is a lookalike, and which platform it pretends to be (None: unknown)."""

    reasons: tuple[str, ...]
    platform: str | None


def new_suffix_extractor() -> tldextract.TLDExtract:
    """tldextract on its bundled list: no suffix-list URLs, so no HTTP; no cache directory."""
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False
    )


@cache
def _extractor() -> tldextract.TLDExtract:
    return new_suffix_extractor()


def normalise_host(host: str) -> str:
    """Lower case, with any user-info, port and trailing dot removed."""
    host = host.rsplit("@", 1)[-1].strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0].strip(".")


@lru_cache(maxsize=4096)
def _split(host: str) -> tuple[str, str, str]:
    """(subdomain, domain label, public suffix) of a normalised host."""
    try:
        parts = _extractor()(host)
    except (ValueError, UnicodeError):
        return "", host, ""
    return parts.subdomain, parts.domain, parts.suffix


def registrable_domain(host: str) -> str:
    """`detail.1688.com` → `1688.com`; "" when the host has no known public suffix."""
    _, domain, suffix = _split(normalise_host(host))
    return f"{domain}.{suffix}" if domain and suffix else ""


def subdomain_of(host: str) -> str:
    """`winport.m.1688.com` → `winport.m`."""
    return _split(normalise_host(host))[0]


def is_platform_host(host: str) -> bool:
    """True when the host is on a registrable domain of an Alibaba marketplace or Alipay."""
    return registrable_domain(host) in PLATFORM_DOMAINS


def platform_of(host: str) -> str | None:
    return PLATFORM_DOMAINS.get(registrable_domain(host))


def is_group_host(host: str) -> bool:
    return registrable_domain(host) in GROUP_DOMAINS


def host_within(host: str, domains: frozenset[str]) -> bool:
    """True when the host is one of `domains` or under one, matched on whole labels."""
    labels = normalise_host(host).split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(normalise_host(host).strip("[]"))
    except ValueError:
        return False
    return True


def imitation(host: str, userinfo: str = "", path: str = "") -> Imitation | None:
    """Why `host` (as written, case kept) is a lookalike of an Alibaba site, or None.

    `userinfo` is what came before "@" in the link; `path` is what came after the host
    (path and query), looked at only when the host is a bare IP address.
    """
    normal = normalise_host(host)
    if not normal or is_platform_host(normal) or is_group_host(normal):
        return None
    found: list[tuple[str, str | None]] = []
    brand_in_userinfo = _brand_within(userinfo.lower())
    if brand_in_userinfo:
        found.append(("userinfo_trick", BRANDS[brand_in_userinfo]))
    if is_ip_address(normal):
        found.extend(_ip_signs(normal, path))
    else:
        found.extend(_name_signs(host, normal))
    if not found:
        return None
    reasons = tuple(dict.fromkeys(reason for reason, _ in found))
    platform = next((platform for _, platform in found if platform), None)
    return Imitation(reasons, platform)


def _ip_signs(host: str, path: str) -> list[tuple[str, str | None]]:
    # A bare address is common for a phishing kit that has no domain yet; it only counts
    # as a lookalike when the path borrows a brand.
    brand = _brand_within(path.lower())
    if brand is None:
        return []
    return [("ip_address_host", BRANDS[brand]), ("brand_in_path", BRANDS[brand])]


def _name_signs(written: str, host: str) -> list[tuple[str, str | None]]:
    signs: list[tuple[str, str | None]] = []
    readable = _readable_labels(written)
    if not host.isascii() or any(label.startswith("xn--") for label in host.split(".")):
        signs.append(("punycode", None))
    brand_sign = _brand_sign(host, readable)
    if brand_sign:
        signs.append(brand_sign)
    if signs and signs[0][0] == "punycode":
        lookalike = _homoglyph_of(readable)
        if lookalike:
            signs[0] = ("punycode", BRANDS[lookalike])
    return signs


def _brand_sign(host: str, readable: list[str]) -> tuple[str, str | None] | None:
    """The strongest brand-borrowing sign, in the order a user best understands them."""
    _, domain, suffix = _split(host)
    labels = host.split(".")
    owner = domain if suffix else (labels[-2] if len(labels) > 1 else "")
    checks = (
        ("wrong_suffix", owner if owner in BRANDS else None),
        ("fake_subdomain", _genuine_domain_inside(host)),
        ("homoglyph", _homoglyph_of(readable)),
        ("typo_domain", _typo_of(readable)),
        ("brand_in_foreign_domain", _brand_within(".".join(labels[:-1]) or host)),
    )
    for reason, borrowed in checks:
        if borrowed:
            return reason, _platform_named(borrowed)
    return None


def _platform_named(borrowed: str) -> str | None:
    """The platform behind a borrowed brand word ("taobao") or domain ("tb.cn")."""
    if borrowed in PLATFORM_DOMAINS:
        return PLATFORM_DOMAINS[borrowed]
    return BRANDS.get(borrowed)


def _genuine_domain_inside(host: str) -> str | None:
    """`1688.com` for `login.1688.com.verify-account.cn`: a real domain worn as a prefix."""
    dotted = f".{host}"
    return next((d for d in PLATFORM_DOMAINS if f".{d}." in dotted), None)


def _brand_within(text: str) -> str | None:
    return next((brand for brand in BRANDS if brand in text), None)


def _readable_labels(host: str) -> list[str]:
    """Labels as a reader sees them: punycode (xn--) decoded, lower case."""
    return [_decoded(label) for label in host.lower().split(".")]


def _decoded(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return label


def _segments(labels: list[str]) -> list[str]:
    """Labels and their hyphen-separated parts: `a1ibaba-login` gives both."""
    parts: list[str] = []
    for label in labels:
        parts.append(label)
        if "-" in label:
            parts.extend(part for part in label.split("-") if part)
    return parts


def skeleton(text: str) -> str:
    """What a string looks like at a glance: lookalike letters and digits folded together."""
    text = text.replace("I", "l")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.lower().translate(_SCRIPT_LOOKALIKES)
    for look, real in _ASCII_LOOKALIKES:
        text = text.replace(look, real)
    return text


@cache
def _brand_skeletons() -> dict[str, str]:
    return {brand: skeleton(brand) for brand in BRANDS}


def _homoglyph_of(labels: list[str]) -> str | None:
    for segment in _segments(labels):
        looks = skeleton(segment)
        for brand, shape in _brand_skeletons().items():
            if brand in segment:
                continue  # the real word, not a disguise: brand_in_foreign_domain's case
            if looks == shape or (brand in _DISTINCTIVE and shape in looks):
                return brand
    return None


def _typo_of(labels: list[str]) -> str | None:
    for segment in _segments(labels):
        for brand in BRANDS:
            if segment != brand and _one_slip_apart(segment, brand):
                return brand
    return None


def _one_slip_apart(written: str, brand: str) -> bool:
    """One letter doubled (any brand), two swapped, or one added, dropped or changed."""
    if any(brand[:i] + brand[i] + brand[i:] == written for i in range(len(brand))):
        return True
    if len(written) == len(brand):
        differ = [i for i, (a, b) in enumerate(zip(written, brand, strict=True)) if a != b]
        if len(differ) == 1:
            return len(brand) >= _MIN_TYPO_LENGTH
        return len(brand) >= _MIN_SWAP_LENGTH and _swapped(written, brand, differ)
    if len(brand) < _MIN_TYPO_LENGTH or abs(len(written) - len(brand)) != 1:
        return False
    shorter, longer = sorted((written, brand), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _swapped(written: str, brand: str, differ: list[int]) -> bool:
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and written[differ[0]] == brand[differ[1]]
        and written[differ[1]] == brand[differ[0]]
    )
