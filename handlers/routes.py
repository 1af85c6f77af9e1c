"""The one table of callback prefixes: every inline button the bot draws starts with one.

A flow declares its prefix here and nowhere else, with the width of each part of its data
(handlers/callback_data.py). tests/test_routes.py fails on a prefix used twice, a route no
handler answers, and a route whose longest data would be over Telegram's 64 bytes.
"""

from __future__ import annotations

from handlers.callback_data import NUMBER_WIDTH, CallbackRoute

ID = NUMBER_WIDTH  # a row id (an order, a saved check)
CODE = 20  # a step or a choice: `chengxintong_years`, `not_as_described`

# The frame
MENU = CallbackRoute("menu", (CODE,))  # menu|<item>
LANGUAGE = CallbackRoute("lang", (8,))  # lang|<code>
TIMEZONE = CallbackRoute("tz", (8, 40))  # tz|zone|<IANA zone>
QUIET_HOURS = CallbackRoute("quiet", (8,))  # quiet|<preset>
WAREHOUSE = CallbackRoute("wh", (CODE, CODE))  # wh|<question>|<answer>
TRACE = CallbackRoute("trace", (8, ID))  # trace|<action>|<order or 0>
KEEP_TEXTS = CallbackRoute("keep", (4,))  # keep|on or keep|off
FORGET_ME = CallbackRoute("forget", (4,))  # forget|yes or forget|no

# Answers from the guides
GUIDE = CallbackRoute("kb", (32, 4))  # kb|<guide>|<section>
GUIDE_PAGE = CallbackRoute("kbpage", (32, 4))  # kbpage|<guide>|<page>

# Payments
PAYMENT_FEEDBACK = CallbackRoute("payfb", (ID, CODE))  # payfb|<check>|<right or wrong>
PAYMENT_ASK = CallbackRoute("payq", (CODE, CODE))  # payq|<slot>|<company, person or not_said>
# payd|<check>|<why or back>|<the payee the buyer named, or ->
PAYMENT_DETAILS = CallbackRoute("payd", (ID, 4, 8))

# Suppliers
SUPPLIER_CHECK = CallbackRoute("sup", (CODE, CODE))  # sup|<step>|<value>
SUPPLIER_BEGIN = CallbackRoute("supgo", (8,))  # supgo|check, under a link's verdict
SUPPLIER_SAVED = CallbackRoute("supl", (ID,))  # supl|<saved check>
SUPPLIER_CARD = CallbackRoute("supcard", (ID, 8))  # supcard|<saved check>|<full or short>

# Orders and disputes
ORDER_CARD = CallbackRoute("ord", (ID, CODE))  # ord|<order>|<action>
TRACK = CallbackRoute("trk", (CODE, CODE))  # trk|<step>|<value>
TRACK_PAGE = CallbackRoute("trkpage", (4, 8))  # trkpage|<yes or no>|<offer>
DISPUTE = CallbackRoute("dsp", (ID, CODE, CODE))  # dsp|<order or 0>|<step>|<value>

# Safe habits
REGISTRATION = CallbackRoute("reg", (CODE, CODE))  # reg|<question>|<answer>
SPEC = CallbackRoute("spec", (CODE, CODE))  # spec|<field>|<skip, back or done>

ROUTES: tuple[CallbackRoute, ...] = tuple(
    value for value in dict(globals()).values() if isinstance(value, CallbackRoute)
)
