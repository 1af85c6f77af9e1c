"""Buying agents' links, and the 1688, Taobao or Weidian link each one carries.

Buyers who shop through an agent (Superbuy, CSSBuy, CNFans…) paste the agent's page, not
the marketplace's. The marketplace link sits inside it in one of three ways:

- an encoded link in the query (`?url=https%3A%2F%2Fdetail.1688.com…`, Sugargoo's
  `productLink=`, sometimes encoded twice, sometimes after a `#/` route);
- the platform and id in the path (`/product/1688/<id>`, `/item-1688-<id>.html`,
  `/agent/1688/<id>.html`, `/product/0/<id>` with a numbered platform);
- the platform and id in the query (`shop_type=ali_1688&id=`, `channel=1688&id=`,
  `source=AL&id=`, a shop as `t=1688&shop=` or `shop_type=taobao&shop_id=`).

`unwrap` rebuilds the marketplace link; the classifier then checks it like any pasted link,
so an agent link whose inner link is a lookalike is still a lookalike. Only the agents'
own registrable domains are unwrapped: `cssbuy.com.check.top`, `panda-buy.shop` or any other
host that borrows an agent's name is reported by `imitated_agent`, never trusted.

Forms were taken from public code and documentation (agent-link converters and their
tests), read, not copied; ids are the project's search index file ids, so each can be read
again. Confidence: high = a test of a converter asserts the form on a real-looking link;
medium = a converter builds or parses it, untested; low = one source, marked unverified.

Per agent: its domains and confidence, the forms read, and the sources (index ids):

- Superbuy (superbuy.com), high: `/en/page/buy/?url=`, `m.` `/goodsdetail/?url=`,
  `#/goodsDetail?…url=`, shop `rebates/shop/?shopid=&platform=TB`. Sources: 16981981475,
  17143591612, 2602865978.
- Wegobuy (wegobuy.com), high: `/en/page/buy?url=`. Sources: 16981981475.
- Pandabuy (pandabuy.com), high: `/product?url=` (often encrypted: not readable), shop
  `shopdetail?t=&id=&o=`. Sources: 16981981475, 17143591612.
- Sugargoo (sugargoo.com, esugargoo.com), high: `#/home/productDetail?productLink=` (encoded
  once or twice), `index/item/index.html?url=`. Sources: 16981981475, 56026414449.
- CSSBuy (cssbuy.com), high: `/item-<id>` (Taobao), `/item-1688-<id>`, `/item-micro-<id>`
  (Weidian), `shop/goodsDetail?type=&id=`, shop `productlist?t=&shop=`. Sources:
  16981981475, 17143591612, 71113296873, 59446797538.
- CNFans (cnfans.com), high: `/product/?shop_type=ali_1688&id=`, `/fr/product/…`, shop
  `/shops/?shop_type=&shop_id=`. Sources: 71113296873, 17143591612, 16984670595.
- Mulebuy (mulebuy.com), high: `/product/?shop_type=&id=`, shop
  `/shops/?shop_type=&shop_id=`. Sources: 16981981475, 17143591612.
- Hagobuy (hagobuy.com), high: `item/details?url=` (1688 example in the source), shop
  `item/store?url=`. Sources: 17016482266, 17105848722, 17143591612.
- Oopbuy (oopbuy.com), high: `/product/<weidian|1688|n>/<id>`,
  `pages/goods/details?channel=&id=`, `goods/details?…`. Sources: 16981981475, 36653871069,
  61521323057.
- Hubbuy (hubbuycn.com), high: `index/item/index.html?url=`, `index1688.html?tp=1688&url=`,
  `/taobaoID=<id>`. Sources: 16981981475, 2602865978.
- Lovegobuy (lovegobuy.com), high: `product?id=&shop_type=`, `product?platform=&goodsId=`,
  shop `store/list?shopType=&shopId=`. Sources: 16981981475, 17143591612, 47589081623.
- Basetao (basetao.com), high: `…/products/agent/<platform>/<id>.html`. Sources:
  16981981475, 56026414449.
- Joyabuy (joyabuy.com), high: `product/?shop_type=ali_1688&id=`. Sources: 36348440996,
  654464980, 1008477196, 16978325325.
- Kakobuy (kakobuy.com), high: `item/details?url=`, shop `item/store?url=`. Sources:
  56026414449, 17143591612, 55677608436.
- ACBuy (AllChinaBuy) (acbuy.com), high: `product/?id=&source=AL|TB|WD`,
  `en/page/buy/?url=`, shop `page/shop/shop/?shopid=&platform=`. Sources: 71113296873,
  16981981475, 17143591612.
- AllChinaBuy (allchinabuy.com), high: `en/page/buy/?url=` (encoded once or twice), `m.`
  `#/goodsDetail?…url=`. Sources: 16981981475, 71113296873.
- Hoobuy (hoobuy.com), high: `/product/<0|1|2>/<id>`, `/m/product/…`, shop `/shop/<n>/<id>`.
  Sources: 16981981475, 17143591612, 71113296873.
- Orientdig (orientdig.com), high: `/product/?shop_type=&id=`. Sources: 16981981475,
  26182425871.
- Kameymall (kameymall.com), high: `purchases/search/item?url=`. Sources: 16981981475.
- EastMallBuy (eastmallbuy.com), high: `index/item/index.html?tp=&url=`. Sources:
  16981981475, 2602865978.
- OotdBuy (ootdbuy.com), high: `goods/details?id=&channel=1688`. Sources: 31604451467.
- Litbuy (litbuy.com), medium: `/product/1688/<id>`, `products/details?id=&channel=`.
  Sources: 58662854517, 70235324643, 54668563187.
- CNShopper (cnshopper.com), high: `goods/detail?keyword=<id>&platform=1688`. Sources:
  71113296873.
- GTBuy (gtbuy.com), low: `goods/detail?keyword=&platform=`. Sources: 2602865978.
- Hipobuy (hipobuy.com), medium: `/product/<platform|n>/<id>`. Sources: 2602865978.
- USFans (usfans.com), medium: `/product/<1|2|3>/<id>` (1 = 1688, 2 = Taobao, 3 = Weidian).
  Sources: 2602865978.
- Joyagoo (joyagoo.com), medium: `product?id=&platform=`. Sources: 2602865978.
- Sifubuy (sifubuy.com), medium: `detail?productUrl=`, `detail?url=`. Sources: 16981981475,
  71113296873.
- iTaoBuy, Loongbuy (itaobuy.com, loongbuy.com), low: `…?url=`. Sources: 2602865978,
  56026414449.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from bot.domain.links.hosts import normalise_host, registrable_domain, skeleton


@dataclass(frozen=True)
class Agent:
    key: str  # reported as `via_agent`
    domains: tuple[str, ...]  # registrable domains the agent owns
    # What a number standing for the platform in the path means ("/product/0/<id>").
    numbered: tuple[tuple[str, str], ...] = (("0", "1688"), ("1", "taobao"), ("2", "weidian"))


AGENTS: tuple[Agent, ...] = (
    Agent("superbuy", ("superbuy.com",)),
    Agent("wegobuy", ("wegobuy.com",)),
    Agent("pandabuy", ("pandabuy.com",)),
    Agent("sugargoo", ("sugargoo.com", "esugargoo.com")),
    Agent("cssbuy", ("cssbuy.com",)),
    Agent("cnfans", ("cnfans.com",)),
    Agent("mulebuy", ("mulebuy.com",)),
    Agent("hagobuy", ("hagobuy.com",)),
    Agent("oopbuy", ("oopbuy.com",)),
    Agent("hubbuy", ("hubbuycn.com",)),
    Agent("lovegobuy", ("lovegobuy.com",)),
    Agent("basetao", ("basetao.com",)),
    Agent("joyabuy", ("joyabuy.com",)),
    Agent("kakobuy", ("kakobuy.com",)),
    Agent("acbuy", ("acbuy.com",)),
    Agent("allchinabuy", ("allchinabuy.com",)),
    Agent("hoobuy", ("hoobuy.com",)),
    Agent("orientdig", ("orientdig.com",)),
    Agent("kameymall", ("kameymall.com",)),
    Agent("eastmallbuy", ("eastmallbuy.com",)),
    Agent("ootdbuy", ("ootdbuy.com",)),
    Agent("litbuy", ("litbuy.com",)),
    Agent("cnshopper", ("cnshopper.com",)),
    Agent("gtbuy", ("gtbuy.com",)),
    Agent("hipobuy", ("hipobuy.com",)),
    Agent("usfans", ("usfans.com",), (("1", "1688"), ("2", "taobao"), ("3", "weidian"))),
    Agent("joyagoo", ("joyagoo.com",)),
    Agent("sifubuy", ("sifubuy.com",)),
    Agent("itaobuy", ("itaobuy.com",)),
    Agent("loongbuy", ("loongbuy.com",)),
)
_BY_DOMAIN = {domain: agent for agent in AGENTS for domain in agent.domains}

# Words agents use for a marketplace, in a query value or a path segment (lower case).
_PLATFORM_WORDS = {
    "1688": "1688",
    "ali_1688": "1688",
    "ali1688": "1688",
    "al": "1688",
    "alibaba": "1688",
    "taobao": "taobao",
    "tb": "taobao",
    "tmall": "tmall",
    "weidian": "weidian",
    "wd": "weidian",
    "micro": "weidian",
}
# Query keys that name the platform, the item and the shop.
_PLATFORM_KEYS: tuple[str, ...] = ("shop_type", "shoptype", "platform", "source", "channel")
_PLATFORM_KEYS += ("type", "t", "tp", "malltype")
_ITEM_KEYS = ("id", "goodsid", "itemid", "keyword", "offerid")
_SHOP_KEYS = ("shop_id", "shopid", "shop")
# Query keys that carry a whole marketplace link.
_LINK_KEYS = ("url", "productlink", "producturl", "link", "itemurl", "goodsurl")
_ITEM_ID = re.compile(r"\d{5,20}")
_BARE_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}/", re.IGNORECASE)
_SHOP_ID = re.compile(r"[A-Za-z0-9_-]{2,64}")

_PATH_FORMS = (
    # CSSBuy: /item-1688-<id>.html, /item-micro-<id>.html, /item-<id>.html (Taobao)
    re.compile(r"/item-(?:(?P<platform>[a-z0-9]+)-)?(?P<id>\d{5,20})(?:\.html?)?/?$"),
    # Oopbuy, Hoobuy, Litbuy, Hipobuy, USFans: /product/<platform>/<id>; Basetao: /agent/…
    re.compile(r"/(?:product|agent)/(?P<platform>[a-z0-9_]+)/(?P<id>\d{5,20})(?:\.html?)?/?$"),
    # Hubbuy: /taobaoID=<id>
    re.compile(r"/(?P<platform>taobao|1688|weidian)id=(?P<id>\d{5,20})"),
)
# Hoobuy's shops: /shop/<n>/<id>.
_PATH_SHOP = re.compile(r"/shop/(?P<platform>[a-z0-9_]+)/(?P<id>[A-Za-z0-9_-]{2,64})/?$")

# Agents' brand words, as a lookalike host would borrow them.
_AGENT_WORDS = tuple(
    sorted({domain.split(".")[0] for agent in AGENTS for domain in agent.domains} | {"hubbuy"})
)
_MIN_CONTAINED = 7  # shorter names ("acbuy", "cnfans") only count as a whole label


@dataclass(frozen=True)
class Unwrapped:
    agent: str
    link: str | None  # the marketplace link inside; None when none could be read


def agent_of(host: str) -> Agent | None:
    """The agent whose own site `host` is, matched on the registrable domain."""
    return _BY_DOMAIN.get(registrable_domain(host))


def unwrap(agent: Agent, path: str, query: str, fragment: str) -> Unwrapped:
    """The marketplace link an agent's page carries (path, query and fragment as written)."""
    params = _params(query) + _params(fragment.partition("?")[2])
    inner = _inner_link(params, query, fragment)
    if inner is None:
        inner = _shop_link(agent, path, params) or _item_link(agent, path, params)
    return Unwrapped(agent.key, inner)


def _params(query: str) -> list[tuple[str, str]]:
    pairs = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key and value:
            pairs.append((key.lower(), value))
    return pairs


def _value(params: list[tuple[str, str]], keys: tuple[str, ...]) -> str:
    return next((value for key in keys for k, value in params if k == key), "")


def _inner_link(params: list[tuple[str, str]], query: str, fragment: str) -> str | None:
    for key, value in params:
        if key not in _LINK_KEYS:
            continue
        decoded = _decoded(value)
        if _BARE_HOST.match(decoded):
            decoded = f"https://{decoded}"  # `url=detail.1688.com/offer/1.html`
        if not decoded.lower().startswith(("http://", "https://")):
            continue  # Pandabuy's encrypted links: nothing to read offline
        if "%" not in value:
            # Written unencoded (`#/goodsDetail?…&url=https://detail.tmall.com/item.htm?id=1`):
            # the link runs to the end of the query, whatever "?" and "&" it holds.
            decoded = _unencoded_tail(query, fragment, key) or decoded
        return decoded
    return None


def _decoded(value: str) -> str:
    """A value percent-decoded until it stops changing (some agents encode twice)."""
    for _ in range(3):
        once = unquote(value)
        if once == value:
            break
        value = once
    return value.strip()


def _unencoded_tail(query: str, fragment: str, key: str) -> str | None:
    for part in (fragment, query):
        found = re.search(rf"(?:^|[?&]){re.escape(key)}=(https?://.+)$", part, re.IGNORECASE)
        if found:
            return found.group(1)
    return None


def _platform(word: str, agent: Agent) -> str | None:
    word = word.lower()
    return _PLATFORM_WORDS.get(word) or dict(agent.numbered).get(word)


def _item_link(agent: Agent, path: str, params: list[tuple[str, str]]) -> str | None:
    lowered = path.lower()
    for form in _PATH_FORMS:
        found = form.search(lowered)
        if found:
            platform = _platform(found.group("platform") or "taobao", agent)
            return _item_url(platform, found.group("id"))
    item = _value(params, _ITEM_KEYS)
    platform = _platform(_value(params, _PLATFORM_KEYS), agent)
    if platform is None or not _ITEM_ID.fullmatch(item):
        return None
    return _item_url(platform, item)


def _item_url(platform: str | None, item: str) -> str | None:
    return {
        "1688": f"https://detail.1688.com/offer/{item}.html",
        "taobao": f"https://item.taobao.com/item.htm?id={item}",
        "tmall": f"https://detail.tmall.com/item.htm?id={item}",
        "weidian": f"https://weidian.com/item.html?itemID={item}",
    }.get(platform or "")


def _shop_link(agent: Agent, path: str, params: list[tuple[str, str]]) -> str | None:
    found = _PATH_SHOP.search(path)
    if found:
        return _shop_url(_platform(found.group("platform"), agent), found.group("id"))
    origin = _value(params, ("o",))
    if origin:
        return _origin_shop(origin, _value(params, ("id",)))
    shop = _value(params, _SHOP_KEYS)
    if not _SHOP_ID.fullmatch(shop):
        return None
    return _shop_url(_platform(_value(params, _PLATFORM_KEYS), agent), shop)


def _origin_shop(origin: str, shop: str) -> str | None:
    """Pandabuy's `shopdetail?t=alibaba&id=b2b-…&o=m.1688.com`: `o` is the shop's host."""
    host = normalise_host(unquote(origin))
    if shop.lower().startswith("b2b-"):
        return _shop_url("1688", shop)
    if registrable_domain(host) == "weidian.com" and _SHOP_ID.fullmatch(shop):
        return _shop_url("weidian", shop)
    return f"https://{host}/" if registrable_domain(host) else None


def _shop_url(platform: str | None, shop: str) -> str | None:
    if platform == "1688":
        member = shop if shop.lower().startswith("b2b-") else f"b2b-{shop}"
        return f"https://m.1688.com/winport/{member}.html"
    if platform in ("taobao", "tmall") and shop.isdigit():
        return f"https://shop{shop}.{platform}.com/"
    if platform == "weidian":
        return f"https://weidian.com/?userid={shop}"
    return None


def imitated_agent(host: str) -> str | None:
    """The agent whose name a host borrows without being that agent's site, or None.

    `cssbuy.com.check.top`, `panda-buy.shop`, `pandabuytw.shop`, `superbuy.co`: a site that
    wears an agent's name is not the agent, and its links are not unwrapped."""
    normal = normalise_host(host)
    if not normal or agent_of(normal):
        return None
    for label in normal.split("."):
        joined = label.replace("-", "")
        for word in _AGENT_WORDS:
            if word in (label, joined) or skeleton(joined) == skeleton(word):
                return word
            if len(word) >= _MIN_CONTAINED and word in joined:
                return word
    return None
