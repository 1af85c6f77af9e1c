"""Labelled links and share texts for the link classifier's tests, written for this project.

Every real form in research/domain-1688.md §3.1, §3.2 and §9.1 (placeholders filled with
made-up titles and ids), the ways people paste them (no scheme, full width, `。` for a dot,
upper case, glued to Chinese punctuation), share texts, and lookalike hosts built from the
tactics in §3.4. `url` is the expected canonical URL; `reasons` must all be present.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.links.classify import LinkKind


@dataclass(frozen=True)
class LinkCase:
    text: str
    kind: LinkKind
    platform: str | None = None
    offer_id: str | None = None
    shop_id: str | None = None
    url: str | None = None
    reasons: tuple[str, ...] = ()
    needs_app: bool = False
    title: str | None = None
    via_agent: str | None = None


def offer(text: str, offer_id: str, *, title: str | None = None) -> LinkCase:
    url = f"https://detail.1688.com/offer/{offer_id}.html"
    return LinkCase(
        text, LinkKind.OFFER, "1688", offer_id, None, url, ("genuine_1688",), title=title
    )


def shop(text: str, shop_id: str, url: str) -> LinkCase:
    return LinkCase(text, LinkKind.SHOP, "1688", None, shop_id, url, ("genuine_1688",))


def page(text: str, url: str, *reasons: str) -> LinkCase:
    return LinkCase(text, LinkKind.PAGE, "1688", None, None, url, ("genuine_1688", *reasons))


def share(text: str, url: str | None, *reasons: str, title: str | None = None) -> LinkCase:
    return LinkCase(
        text, LinkKind.SHARE_LINK, "1688", None, None, url, reasons, needs_app=True, title=title
    )


def other(
    text: str,
    platform: str | None,
    url: str | None,
    *reasons: str,
    offer_id: str | None = None,
    shop_id: str | None = None,
    needs_app: bool = False,
    title: str | None = None,
) -> LinkCase:
    return LinkCase(
        text, LinkKind.OTHER_PLATFORM, platform, offer_id, shop_id, url, reasons, needs_app, title
    )


def fake(text: str, platform: str | None, url: str, *reasons: str) -> LinkCase:
    return LinkCase(text, LinkKind.LOOKALIKE, platform, None, None, url, reasons)


def unrelated(text: str, url: str, reason: str = "unrelated_site") -> LinkCase:
    """A site that is neither Alibaba's nor an agent's: `none`, with its address."""
    return LinkCase(text, LinkKind.NONE, None, None, None, url, (reason,))


def via(agent: str, case: LinkCase) -> LinkCase:
    """`case`, reached through an agent's link."""
    reasons = (*case.reasons, "agent_link")
    return replace(case, via_agent=agent, reasons=reasons)


NOT_1688 = "other_platform_not_1688"
OFFLINE = "short_link_offline"
TOKEN = "share_text_token"

# research/domain-1688.md §9.1, in its order (1-34), placeholders filled in.
RESEARCH_EXAMPLES = (
    offer("https://detail.1688.com/offer/876240928352.html", "876240928352"),
    offer(
        "https://detail.1688.com/offer/565107076645.html?spm=a262gg.8864560.jqq32vsu.1.164b6510tPmJqF",
        "565107076645",
    ),
    offer("https://detail.1688.com/offer/1004092290315.html", "1004092290315"),
    offer("https://m.1688.com/offer/889272226600.html", "889272226600"),
    offer(
        "http://detail.m.1688.com/page/index.html?offerId=910933345396&sortType=&pageId=",
        "910933345396",
    ),
    offer("https://detail.m.1688.com/page/index.htm?offerId=810352749783", "810352749783"),
    share("https://qr.1688.com/s/7OnLCakq", "https://qr.1688.com/s/7OnLCakq", OFFLINE),
    share(
        "https://qr.1688.com/s/PCQWhRIr 复制￥oDuI8ZZ00nSaf￥ CZ2172",
        "https://qr.1688.com/s/PCQWhRIr",
        OFFLINE,
        TOKEN,
    ),
    share(
        "【加厚不锈钢保温杯 500ml】复制￥oDuI8ZZ00nSaf￥…查看：https://qr.1688.com/s/A4vbPK9P",
        "https://qr.1688.com/s/A4vbPK9P",
        OFFLINE,
        TOKEN,
        title="加厚不锈钢保温杯 500ml",
    ),
    share(
        "【1688】厨房置物架 落地多层 https://qr.1688.com/s/AbC12 …",
        "https://qr.1688.com/s/AbC12",
        OFFLINE,
        title="厨房置物架 落地多层",
    ),
    shop(
        "https://yinuoweierfushi.1688.com/page/index.html?spm=a123",
        "yinuoweierfushi",
        "https://yinuoweierfushi.1688.com/page/index.html",
    ),
    shop("http://tsgjmy.1688.com/", "tsgjmy", "https://tsgjmy.1688.com/"),
    shop(
        "http://shop1355395132054.1688.com/page/creditdetail.htm#certifyInfo",
        "shop1355395132054",
        "https://shop1355395132054.1688.com/page/creditdetail.htm",
    ),
    shop(
        "https://shop8t7488945nt14.1688.com/page/creditdetail.htm",
        "shop8t7488945nt14",
        "https://shop8t7488945nt14.1688.com/page/creditdetail.htm",
    ),
    shop(
        "http://kimi201406.1688.com/page/contactinfo.htm",
        "kimi201406",
        "https://kimi201406.1688.com/page/contactinfo.htm",
    ),
    shop(
        "https://winport.m.1688.com/page/index.html?memberId=b2b-2207146052740e484c",
        "b2b-2207146052740e484c",
        "https://winport.m.1688.com/page/index.html?memberId=b2b-2207146052740e484c",
    ),
    page(
        "https://s.1688.com/selloffer/offer_search.htm?charset=utf8&keywords=置物架",
        "https://s.1688.com/selloffer/offer_search.htm?charset=utf8&keywords=置物架",
    ),
    page(
        "https://s.1688.com/company/company_search.htm?keywords=%D6%C3%CE%EF%BC%DC",
        "https://s.1688.com/company/company_search.htm?keywords=%D6%C3%CE%EF%BC%DC",
    ),
    page(
        "https://trade.1688.com/order/buyer_order_list.htm?tradeStatus=waitbuyerreceive",
        "https://trade.1688.com/order/buyer_order_list.htm?tradeStatus=waitbuyerreceive",
    ),
    page(
        "https://trade2.m.1688.com/page/buyerOrderList.html?status=waitbuyerreceive",
        "https://trade2.m.1688.com/page/buyerOrderList.html?status=waitbuyerreceive",
    ),
    page(
        "https://trade.1688.com/order/new_step_order_detail.htm?orderId=3312987654321098765",
        "https://trade.1688.com/order/new_step_order_detail.htm?orderId=3312987654321098765",
    ),
    other(
        "https://item.taobao.com/item.htm?id=726477321880",
        "taobao",
        "https://item.taobao.com/item.htm?id=726477321880",
        NOT_1688,
        offer_id="726477321880",
    ),
    other(
        "https://detail.tmall.com/item.htm?id=645112233445",
        "tmall",
        "https://detail.tmall.com/item.htm?id=645112233445",
        NOT_1688,
        offer_id="645112233445",
    ),
    other(
        "https://m.tb.cn/h.4CEhFr0?sm=70d491",
        "taobao",
        "https://m.tb.cn/h.4CEhFr0?sm=70d491",
        NOT_1688,
        OFFLINE,
        needs_app=True,
    ),
    other(
        "【淘宝】7天无理由退货 https://e.tb.cn/h.8bHMm3ebr9c2xTr?tk=0u02gqqp66J CZ356 "
        "「男士纯棉短袖T恤」",
        "taobao",
        "https://e.tb.cn/h.8bHMm3ebr9c2xTr?tk=0u02gqqp66J",
        NOT_1688,
        OFFLINE,
        needs_app=True,
        title="男士纯棉短袖T恤",
    ),
    other(
        "复制这条信息，￥joxNbkGCkNZ￥，打开【手机淘宝】即可查看",
        "taobao",
        None,
        NOT_1688,
        TOKEN,
        needs_app=True,
    ),
    other(
        "https://shop105912646.taobao.com",
        "taobao",
        "https://shop105912646.taobao.com/",
        NOT_1688,
        shop_id="shop105912646",
    ),
    other(
        "https://www.aliexpress.com/item/32325724150.html",
        "aliexpress",
        "https://www.aliexpress.com/item/32325724150.html",
        NOT_1688,
        offer_id="32325724150",
    ),
    other(
        "https://a.aliexpress.com/_mKjL9Cq",
        "aliexpress",
        "https://a.aliexpress.com/_mKjL9Cq",
        NOT_1688,
        OFFLINE,
        needs_app=True,
    ),
    other(
        "https://s.click.aliexpress.com/e/_c4VlSGHF",
        "aliexpress",
        "https://s.click.aliexpress.com/e/_c4VlSGHF",
        NOT_1688,
        OFFLINE,
        needs_app=True,
    ),
    other(
        "https://www.alibaba.com/product-detail/Stainless-Steel-Vacuum-Flask_60846999786.html",
        "alibaba",
        "https://www.alibaba.com/product-detail/Stainless-Steel-Vacuum-Flask_60846999786.html",
        NOT_1688,
        offer_id="60846999786",
    ),
    other(
        "https://cuav.en.alibaba.com/product/1600165544920-820872629/x7_flight_controller.html",
        "alibaba",
        "https://cuav.en.alibaba.com/product/1600165544920-820872629/x7_flight_controller.html",
        NOT_1688,
        offer_id="1600165544920",
        shop_id="cuav",
    ),
    fake(
        "https://evil-1688.com.example.com/x",
        "1688",
        "https://evil-1688.com.example.com/x",
        "brand_in_foreign_domain",
    ),
    fake("https://1688-com.help/login", "1688", "https://1688-com.help/login"),
    fake(
        "https://detail.1688.com.verify-order.cn/offer/876240928352.html",
        "1688",
        "https://detail.1688.com.verify-order.cn/offer/876240928352.html",
        "fake_subdomain",
    ),
    fake("https://qr-1688.com/s/7OnLCakq", "1688", "https://qr-1688.com/s/7OnLCakq"),
    fake("https://aIibaba.com/member/signin", "alibaba", "https://aiibaba.com/member/signin"),
)

# Other hosts and paths of §3.1.
MORE_FORMS = (
    page("https://www.1688.com/", "https://www.1688.com/"),
    page("1688.com", "https://1688.com/"),
    page(
        "https://login.1688.com/member/signin.htm?Done=https%3A%2F%2Fwork.1688.com",
        "https://login.1688.com/member/signin.htm?Done=https%3A%2F%2Fwork.1688.com",
        "sign_in_page",
    ),
    page("https://work.1688.com/?tracelog=login", "https://work.1688.com/"),
    page("https://wangpu.1688.com/", "https://wangpu.1688.com/"),
    page("https://global.1688.com/", "https://global.1688.com/"),
    page(
        "https://show.1688.com/pinlei/industry/pllist.html",
        "https://show.1688.com/pinlei/industry/pllist.html",
    ),
    page(
        "https://winport.m.1688.com/page/index.html", "https://winport.m.1688.com/page/index.html"
    ),
    page("https://detail.1688.com/", "https://detail.1688.com/"),
    shop(
        "https://tsgjmy.1688.com/page/offerlist.htm?spm=a2615.2177701",
        "tsgjmy",
        "https://tsgjmy.1688.com/page/offerlist.htm",
    ),
    other(
        "https://detail.m.tmall.com/item.htm?id=620112233445&spm=a1z10",
        "tmall",
        "https://detail.tmall.com/item.htm?id=620112233445",
        NOT_1688,
        offer_id="620112233445",
    ),
    other(
        "https://h5.m.taobao.com/awp/core/detail.htm?id=598877665544",
        "taobao",
        "https://item.taobao.com/item.htm?id=598877665544",
        NOT_1688,
        offer_id="598877665544",
    ),
    other(
        "https://nike.tmall.com/shop/view_shop.htm",
        "tmall",
        "https://nike.tmall.com/shop/view_shop.htm",
        NOT_1688,
        shop_id="nike",
    ),
    other(
        "https://detail.tmall.hk/hk/item.htm?id=600123456789",
        "tmall",
        "https://detail.tmall.hk/item.htm?id=600123456789",
        NOT_1688,
        offer_id="600123456789",
    ),
    other(
        "https://shenzhen-tech.en.alibaba.com/",
        "alibaba",
        "https://shenzhen-tech.en.alibaba.com/",
        NOT_1688,
        shop_id="shenzhen-tech",
    ),
    other(
        "https://acmefactory.fm.alibaba.com/",
        "alibaba",
        "https://acmefactory.fm.alibaba.com/",
        NOT_1688,
        shop_id="acmefactory",
    ),
    other(
        "https://www.aliexpress.us/item/3256805123456789.html?gatewayAdapt=glo2usa",
        "aliexpress",
        "https://www.aliexpress.com/item/3256805123456789.html",
        NOT_1688,
        offer_id="3256805123456789",
    ),
    other(
        "https://www.aliexpress.com/store/1101234567",
        "aliexpress",
        "https://www.aliexpress.com/store/1101234567",
        NOT_1688,
        shop_id="1101234567",
    ),
    other(
        "https://www.alibaba.com/trade/search?SearchText=mug",
        "alibaba",
        "https://www.alibaba.com/trade/search?SearchText=mug",
        NOT_1688,
    ),
)

# How people paste them.
PASTED_FORMS = (
    offer("detail.1688.com/offer/876240928352.html", "876240928352"),
    offer("看看这个detail.1688.com/offer/876240928352.html这个怎么样", "876240928352"),
    offer(
        "ｄｅｔａｉｌ．１６８８．ｃｏｍ／ｏｆｆｅｒ／８７６２４０９２８３５２．ｈｔｍｌ",
        "876240928352",
    ),
    offer(
        "ｈｔｔｐｓ：／／ｍ．１６８８．ｃｏｍ／ｏｆｆｅｒ／８８９２７２２２６６００．ｈｔｍｌ",
        "889272226600",
    ),
    offer("地址：detail。1688。com/offer/876240928352.html。", "876240928352"),
    offer("HTTPS://DETAIL.1688.COM/OFFER/876240928352.HTML", "876240928352"),
    offer("链接（https://detail.1688.com/offer/876240928352.html），谢谢！", "876240928352"),
    offer("「https://detail.1688.com/offer/876240928352.html」", "876240928352"),
    offer("【https://detail.1688.com/offer/876240928352.html】", "876240928352"),
    offer("老板，https://detail.1688.com/offer/876240928352.html！能便宜点吗？", "876240928352"),
    offer("https://detail.1688.com/offer/876240928352.html？还有货吗", "876240928352"),
    offer("see https://detail.1688.com/offer/876240928352.html.", "876240928352"),
    offer("看看…detail.1688.com/offer/876240928352.html…", "876240928352"),
    offer("见...https://detail.1688.com/offer/876240928352.html...", "876240928352"),
    offer("[mug](https://detail.1688.com/offer/876240928352.html)", "876240928352"),
    offer(
        "https://detail.1688.com/offer/876240928352.html?spm=a26352.13672862&tracelog=p4p"
        "&clickid=8f2a&scm=1007.1&sk=consign#offer-detail",
        "876240928352",
    ),
    offer("Mr.Li: detail.1688.com/offer/876240928352.html (on www.1688.com)", "876240928352"),
    page(
        "https://s.1688.com/selloffer/offer_search.htm?keywords=保温杯，你看看",
        "https://s.1688.com/selloffer/offer_search.htm?keywords=保温杯",
    ),
    shop("Shop: YINUOWEIERFUSHI.1688.COM", "yinuoweierfushi", "https://yinuoweierfushi.1688.com/"),
)

SHARE_TEXTS = (
    share(
        "【1688】不锈钢保温杯 https://qr.1688.com/s/6Ziz0LQu 复制￥Ab3dE5fG7h￥打开1688",
        "https://qr.1688.com/s/6Ziz0LQu",
        OFFLINE,
        TOKEN,
        title="不锈钢保温杯",
    ),
    share("打开阿里巴巴1688，复制￥K8dLm2Qp9￥查看商品", None, TOKEN),
    other(
        "【天猫】€Z9xYw8VuT€ 打开手机天猫查看「运动鞋」",
        "tmall",
        None,
        NOT_1688,
        TOKEN,
        needs_app=True,
        title="运动鞋",
    ),
    other(
        "₤ZkQf3a1BcD₤ 打开淘宝",
        "taobao",
        None,
        TOKEN,
        needs_app=True,
    ),
    other(
        "¤WxYz1234Ab¤ 打开手机淘宝 https://m.tb.cn/h.5aBcDeF",
        "taobao",
        "https://m.tb.cn/h.5aBcDeF",
        NOT_1688,
        OFFLINE,
        TOKEN,
        needs_app=True,
    ),
)

LOOKALIKES = (
    fake(
        "https://detail.1688.com.check.top/offer/876240928352.html",
        "1688",
        "https://detail.1688.com.check.top/offer/876240928352.html",
        "fake_subdomain",
    ),
    fake(
        "付款请点 https://1688-pay.secure-check.top/pay?order=77",
        "1688",
        "https://1688-pay.secure-check.top/pay?order=77",
        "brand_in_foreign_domain",
    ),
    fake(
        "https://alibaba-login.com/verify",
        "alibaba",
        "https://alibaba-login.com/verify",
        "brand_in_foreign_domain",
    ),
    fake("https://1b88.com/offer/1.html", "1688", "https://1b88.com/offer/1.html", "homoglyph"),
    fake("a1ibaba.com/login", "alibaba", "https://a1ibaba.com/login", "homoglyph"),
    fake("https://taobaoo.com/item", "taobao", "https://taobaoo.com/item", "typo_domain"),
    fake(
        "https://tmaII.com/item.htm?id=1", "tmall", "https://tmaii.com/item.htm?id=1", "homoglyph"
    ),
    fake("https://l688.cn/offer/1.html", "1688", "https://l688.cn/offer/1.html", "homoglyph"),
    fake("https://ta0bao.com/", "taobao", "https://ta0bao.com/", "homoglyph"),
    fake(
        "https://aliexpres.com/item/1.html",
        "aliexpress",
        "https://aliexpres.com/item/1.html",
        "typo_domain",
    ),
    fake("https://tamll.com/", "tmall", "https://tamll.com/", "typo_domain"),
    fake("https://а1ibaba.com/", "alibaba", "https://а1ibaba.com/", "punycode", "homoglyph"),
    fake("https://аlibaba.com/login", "alibaba", "https://аlibaba.com/login", "punycode"),
    fake("https://xn--libaba-2nf.com/", "alibaba", "https://xn--libaba-2nf.com/", "punycode"),
    fake(
        "https://detail.1688.com@evil.top/offer/876240928352.html",
        "1688",
        "https://evil.top/offer/876240928352.html",
        "userinfo_trick",
    ),
    fake(
        "detail.1688.com@pay-check.top/offer/1.html",
        "1688",
        "https://pay-check.top/offer/1.html",
        "userinfo_trick",
    ),
    fake(
        "https://login.1688.com.verify-account.cn/member/signin.htm",
        "1688",
        "https://login.1688.com.verify-account.cn/member/signin.htm",
        "fake_subdomain",
    ),
    fake("https://1688.co/offer/1.html", "1688", "https://1688.co/offer/1.html", "wrong_suffix"),
    fake("https://www.1688.com.cn/", "1688", "https://www.1688.com.cn/", "wrong_suffix"),
    fake("http://1688.cn", "1688", "https://1688.cn/", "wrong_suffix"),
    fake("https://alibaba.co/", "alibaba", "https://alibaba.co/", "wrong_suffix"),
    fake("taobao.net/item.htm?id=1", "taobao", "https://taobao.net/item.htm?id=1", "wrong_suffix"),
    fake(
        "http://45.12.3.9/1688/login.htm",
        "1688",
        "https://45.12.3.9/1688/login.htm",
        "ip_address_host",
        "brand_in_path",
    ),
    fake(
        "https://alipay-secure.top/pay",
        None,
        "https://alipay-secure.top/pay",
        "brand_in_foreign_domain",
    ),
    fake("https://not1688.com/", "1688", "https://not1688.com/", "brand_in_foreign_domain"),
    fake(
        "Pay here: 1688.com.pay-check.top/order，谢谢",
        "1688",
        "https://1688.com.pay-check.top/order",
        "fake_subdomain",
    ),
    fake(
        "真链接 https://detail.1688.com/offer/876240928352.html 付款 https://1688-pay.top/p",
        "1688",
        "https://1688-pay.top/p",
        "brand_in_foreign_domain",
    ),
)

NOT_MARKETPLACES = (
    unrelated("https://www.google.com/search?q=mug", "https://www.google.com/search?q=mug"),
    other(
        "https://render.alipay.com/p/s/i", None, "https://render.alipay.com/p/s/i", "alipay_site"
    ),
    other(
        "https://cbu01.alicdn.com/img/ibank/O1CN01abc.jpg",
        None,
        "https://cbu01.alicdn.com/img/ibank/O1CN01abc.jpg",
        "image_cdn",
    ),
    other(
        "https://www.alibabagroup.com/en-US/",
        None,
        "https://www.alibabagroup.com/en-US/",
        "alibaba_group_site",
    ),
    other(
        "https://www.alibabacloud.com/",
        None,
        "https://www.alibabacloud.com/",
        "alibaba_group_site",
    ),
    unrelated("https://www.hotmail.com/", "https://www.hotmail.com/"),
    unrelated(
        "http://192.168.1.10:8080/admin", "https://192.168.1.10:8080/admin", "ip_address_host"
    ),
    # Amazon and Weidian are not platforms this bot knows: `none`, like any unrelated site.
    unrelated("https://www.amazon.com/dp/B08N5WRWNW", "https://www.amazon.com/dp/B08N5WRWNW"),
    unrelated(
        "https://weidian.com/item.html?itemID=7212345678",
        "https://weidian.com/item.html?itemID=7212345678",
    ),
    LinkCase(
        "mail sales@163.com, No.5 is 3.5kg, Mr.Wang, logo.ai", LinkKind.NONE, reasons=("no_link",)
    ),
    LinkCase("这个杯子多少钱？能做logo吗", LinkKind.NONE, reasons=("no_link",)),
    LinkCase("", LinkKind.NONE, reasons=("no_link",)),
    LinkCase("【加厚保温杯】没有链接", LinkKind.NONE, reasons=("no_link",), title="加厚保温杯"),
)


TAOBAO_ITEM = "https://item.taobao.com/item.htm?id={}"


def taobao(text: str, item: str, agent: str) -> LinkCase:
    case = other(text, "taobao", TAOBAO_ITEM.format(item), NOT_1688, offer_id=item)
    return via(agent, case)


def agent_offer(agent: str, text: str, offer_id: str) -> LinkCase:
    return via(agent, offer(text, offer_id))


# Agent links, one or more per agent and form (forms and sources: bot/domain/links/agents.py).
# Ids are made up; the shapes are the agents'.
AGENT_LINKS = (
    # An encoded link in the query
    agent_offer(
        "superbuy",
        "https://www.superbuy.com/en/page/buy/?nTag=Home-search&from=search-input"
        "&url=https%3A%2F%2Fdetail.1688.com%2Foffer%2F876240928352.html",
        "876240928352",
    ),
    taobao(
        "https://www.wegobuy.com/en/page/buy?from=search-input&url=https%3A%2F%2Fitem.taobao.com"
        "%2Fitem.html%3Fid%3D675330231400&partnercode=6t86Xk",
        "675330231400",
        "wegobuy",
    ),
    agent_offer(
        "sugargoo",
        "https://www.sugargoo.com/#/home/productDetail?productLink=https%253A%252F%252Fdetail"
        ".1688.com%252Foffer%252F565107076645.html&memberId=1",
        "565107076645",
    ),
    agent_offer(
        "allchinabuy",
        "https://www.allchinabuy.com/en/page/buy/?from=search-input&url=https%3A%2F%2Fdetail"
        ".1688.com%2Foffer%2F889272226600.html&partnercode=wrf7xD",
        "889272226600",
    ),
    agent_offer(
        "kakobuy",
        "https://www.kakobuy.com/item/details?url=https%3A%2F%2Fdetail.1688.com%2Foffer"
        "%2F910933345396.html",
        "910933345396",
    ),
    agent_offer(
        "hubbuy",
        "https://hubbuycn.com/index/item/index1688.html?tp=1688&tid=&searchlang=en&url="
        "https%3A%2F%2Fdetail.1688.com%2Foffer%2F810352749783.html&inviter=x",
        "810352749783",
    ),
    agent_offer(
        "hagobuy",
        "https://www.hagobuy.com/item/details?url=https%3A%2F%2Fdetail.1688.com%2Foffer"
        "%2F876240928352.html",
        "876240928352",
    ),
    agent_offer(
        "kameymall",
        "https://www.kameymall.com/purchases/search/item?url=https%3A%2F%2Fm.1688.com%2Foffer"
        "%2F889272226600.html",
        "889272226600",
    ),
    agent_offer(
        "eastmallbuy",
        "https://www.eastmallbuy.com/index/item/index.html?tp=1688&tid=&searchlang=en&url="
        "https%3A%2F%2Fdetail.1688.com%2Foffer%2F565107076645.html",
        "565107076645",
    ),
    # Written unencoded after a #/ route: the link runs to the end
    via(
        "superbuy",
        other(
            "https://m.superbuy.com/home/#/goodsDetail?nTag=Home-search&from=search-input"
            "&_search=url&url=https://detail.tmall.com/item.htm?id=66608981238",
            "tmall",
            "https://detail.tmall.com/item.htm?id=66608981238",
            NOT_1688,
            offer_id="66608981238",
        ),
    ),
    via(
        "allchinabuy",
        other(
            "https://m.allchinabuy.com/home/#/goodsDetail?from=search-input&url="
            "https://detail.tmall.com/item.htm?spm=a1z10&id=612345678901",
            "tmall",
            "https://detail.tmall.com/item.htm?id=612345678901",
            NOT_1688,
            offer_id="612345678901",
        ),
    ),
    agent_offer(
        "kakobuy",
        "看看这个 m.kakobuy.com/pages/goods-detail/goods-detail?url=detail.1688.com%2Foffer"
        "%2F876240928352.html 怎么样",
        "876240928352",
    ),
    # The platform and id in the path
    agent_offer("cssbuy", "https://www.cssbuy.com/item-1688-1006188186694.html", "1006188186694"),
    taobao("https://www.cssbuy.com/item-675330231400.html", "675330231400", "cssbuy"),
    agent_offer("oopbuy", "https://www.oopbuy.com/product/1688/846137330434", "846137330434"),
    agent_offer(
        "oopbuy", "https://oopbuy.com/product/0/846137330434?inviteCode=X", "846137330434"
    ),
    agent_offer(
        "litbuy", "https://litbuy.com/product/1688/993578833339?inviteCode=Q", "993578833339"
    ),
    agent_offer("hoobuy", "https://www.hoobuy.com/product/0/654321987", "654321987"),
    taobao(
        "https://hoobuy.com/m/product/1/692787834585?utm_source=share", "692787834585", "hoobuy"
    ),
    agent_offer("hipobuy", "https://hipobuy.com/product/1688/654321987", "654321987"),
    agent_offer("usfans", "https://www.usfans.com/product/1/654321987", "654321987"),
    agent_offer(
        "basetao",
        "https://www.basetao.com/best-taobao-agent-service/products/agent/1688/641649880094.html",
        "641649880094",
    ),
    taobao("https://www.hubbuycn.com/taobaoID=726526607194&inviter=x", "726526607194", "hubbuy"),
    # The platform and id in the query
    agent_offer(
        "cnfans", "https://cnfans.com/product/?shop_type=ali_1688&id=669590387983", "669590387983"
    ),
    agent_offer(
        "mulebuy",
        "https://mulebuy.com/product/?shop_type=ali_1688&id=669590387983",
        "669590387983",
    ),
    agent_offer(
        "joyabuy",
        "https://joyabuy.com/product/?shop_type=ali_1688&id=669590387983",
        "669590387983",
    ),
    agent_offer(
        "orientdig",
        "https://orientdig.com/product/?shop_type=ali_1688&id=669590387983",
        "669590387983",
    ),
    agent_offer(
        "lovegobuy",
        "https://www.lovegobuy.com/product?id=669590387983&shop_type=ali_1688",
        "669590387983",
    ),
    agent_offer(
        "acbuy", "https://www.acbuy.com/product/?id=654321987&source=AL&u=9MLILB", "654321987"
    ),
    agent_offer(
        "oopbuy",
        "https://m.oopbuy.com/pages/goods/details?id=780065669125&channel=1688",
        "780065669125",
    ),
    agent_offer(
        "ootdbuy",
        "https://www.ootdbuy.com/goods/details?id=681296637536&channel=1688",
        "681296637536",
    ),
    agent_offer(
        "litbuy",
        "https://litbuy.com/products/details?channel=1688&id=993578833339",
        "993578833339",
    ),
    agent_offer(
        "cssbuy",
        "https://www.cssbuy.com/shop/goodsDetail?type=1688&id=1006188186694",
        "1006188186694",
    ),
    agent_offer(
        "cnshopper",
        "https://cnshopper.com/goods/detail?keyword=769941872984&platform=1688",
        "769941872984",
    ),
    agent_offer(
        "gtbuy",
        "https://www.gtbuy.com/goods/detail?keyword=769941872984&platform=1688",
        "769941872984",
    ),
    agent_offer(
        "joyagoo", "https://joyagoo.com/product?id=769941872984&platform=ALI_1688", "769941872984"
    ),
    taobao(
        "https://cnfans.com/fr/product/?shop_type=taobao&id=726145768645", "726145768645", "cnfans"
    ),
    # Shops
    via(
        "cssbuy",
        shop(
            "https://www.cssbuy.com/productlist?t=1688&shop=BBBhWYrn9o5vKbSMmUj1wJqSg",
            "b2b-BBBhWYrn9o5vKbSMmUj1wJqSg",
            "https://m.1688.com/winport/b2b-BBBhWYrn9o5vKbSMmUj1wJqSg.html",
        ),
    ),
    via(
        "pandabuy",
        shop(
            "https://www.pandabuy.com/shopdetail?ra=560&t=alibaba&id=b2b-22108725372987d9fa&o=m.1688.com",
            "b2b-22108725372987d9fa",
            "https://m.1688.com/winport/b2b-22108725372987d9fa.html",
        ),
    ),
    via(
        "pandabuy",
        shop(
            "https://www.pandabuy.com/shopdetail?ra=282&t=alibaba&id=-1&o=shop1434560114962.1688.com",
            "shop1434560114962",
            "https://shop1434560114962.1688.com/",
        ),
    ),
    via(
        "cnfans",
        other(
            "https://cnfans.com/shops/?shop_type=taobao&num=1&sort=default&shop_id=277184856",
            "taobao",
            "https://shop277184856.taobao.com/",
            NOT_1688,
            shop_id="shop277184856",
        ),
    ),
    via(
        "hoobuy",
        other(
            "https://hoobuy.com/shop/1/676198570",
            "taobao",
            "https://shop676198570.taobao.com/",
            NOT_1688,
            shop_id="shop676198570",
        ),
    ),
    # Weidian is not a platform the bot knows: unwrapped, then `none`.
    via(
        "cssbuy",
        unrelated(
            "https://www.cssbuy.com/item-micro-7832622051.html",
            "https://weidian.com/item.html?itemID=7832622051",
        ),
    ),
    # An agent page with nothing readable in it (Pandabuy's encrypted links)
    LinkCase(
        "https://www.pandabuy.com/product?url=PJ9emDFVd3v76X25eDSVqIb3mLH4Md7zsyLlOTWmhLyl",
        LinkKind.NONE,
        url="https://www.pandabuy.com/product?url=PJ9emDFVd3v76X25eDSVqIb3mLH4Md7zsyLlOTWmhLyl",
        reasons=("agent_link_no_item",),
        via_agent="pandabuy",
    ),
    # The inner link decides: a lookalike inside a real agent's link stays a lookalike.
    via(
        "superbuy",
        fake(
            "https://www.superbuy.com/en/page/buy/?url=https%3A%2F%2Fdetail.1688.com.check.top"
            "%2Foffer%2F1.html",
            "1688",
            "https://detail.1688.com.check.top/offer/1.html",
            "fake_subdomain",
        ),
    ),
    agent_offer(
        "cnfans",
        "https://cnfans.com/product/?shop_type=taobao&id=616770606113 and "
        "https://cnfans.com/product/?shop_type=ali_1688&id=669590387983",
        "669590387983",
    ),
    # A host that borrows an agent's name is not the agent: never unwrapped.
    fake(
        "https://www.cssbuy.com.check.top/item-1688-1006188186694.html",
        None,
        "https://www.cssbuy.com.check.top/item-1688-1006188186694.html",
        "agent_lookalike",
    ),
    fake(
        "https://panda-buy.shop/product?url=https%3A%2F%2Fdetail.1688.com%2Foffer%2F1.html",
        None,
        "https://panda-buy.shop/product?url=https%3A%2F%2Fdetail.1688.com%2Foffer%2F1.html",
        "agent_lookalike",
    ),
    fake(
        "cnfans.co/product/?shop_type=ali_1688&id=669590387983",
        None,
        "https://cnfans.co/product/?shop_type=ali_1688&id=669590387983",
        "agent_lookalike",
    ),
    fake("https://superbuy-login.top/", None, "https://superbuy-login.top/", "agent_lookalike"),
)

# The 1688 forms the classifier once read as plain pages.
OLDER_1688_FORMS = (
    shop(
        "https://m.1688.com/winport/b2b-22108725372987d9fa.html",
        "b2b-22108725372987d9fa",
        "https://m.1688.com/winport/b2b-22108725372987d9fa.html",
    ),
    share(
        "https://qr.1688.com/share.html?secret=0H9TOj6I",
        "https://qr.1688.com/share.html?secret=0H9TOj6I",
        "genuine_1688",
        OFFLINE,
    ),
    offer("https://qr.1688.com/share.html?offerId=1019859245819", "1019859245819"),
)

PRIORITY = (
    # The first 1688 link wins over an earlier link elsewhere.
    offer(
        "taobao: https://item.taobao.com/item.htm?id=726477321880 1688: "
        "detail.1688.com/offer/876240928352.html",
        "876240928352",
    ),
    # The first 1688 link, whatever it is.
    page("www.1688.com has it: detail.1688.com/offer/876240928352.html", "https://www.1688.com/"),
)

ALL_CASES = (
    RESEARCH_EXAMPLES
    + MORE_FORMS
    + PASTED_FORMS
    + SHARE_TEXTS
    + LOOKALIKES
    + NOT_MARKETPLACES
    + AGENT_LINKS
    + OLDER_1688_FORMS
    + PRIORITY
)
