"""What each signal code means: its weight, the advice that goes with it, and the Chinese
reply a buyer can send back. The order of SIGNALS is the order of seriousness.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.payments.model import Verdict

HIGH, CONDITIONAL, APPROVED = Verdict.HIGH_RISK, Verdict.CONDITIONAL, Verdict.APPROVED


@dataclass(frozen=True)
class SignalSpec:
    code: str
    verdict: Verdict
    advice: tuple[str, ...]
    reply: str  # a key of DECLINE_REPLIES_ZH


_PERSON = ("never_pay_a_person", "pay_in_checkout", "ask_for_modified_price")
_WALLET = ("no_wallet_transfers", "pay_in_checkout", "ask_for_modified_price")

SIGNALS: tuple[SignalSpec, ...] = (
    # The payee is a person, or money leaves every traceable channel.
    SignalSpec("bank_card_number", HIGH, _PERSON, "personal"),
    SignalSpec("personal_account", HIGH, _PERSON, "personal"),
    SignalSpec(
        "personal_name_payee", HIGH, ("match_beneficiary_to_licence", *_PERSON), "personal"
    ),
    SignalSpec("phone_as_account", HIGH, _WALLET, "wallet"),
    SignalSpec("qr_payment_code", HIGH, _WALLET, "wallet"),
    SignalSpec("collection_code", HIGH, _WALLET, "wallet"),
    SignalSpec("wallet_transfer", HIGH, _WALLET, "wallet"),
    SignalSpec("crypto_payment", HIGH, ("no_crypto", "pay_in_checkout"), "crypto"),
    SignalSpec("transfer_service", HIGH, ("no_transfer_services", "pay_in_checkout"), "service"),
    SignalSpec("third_party_payee", HIGH, ("match_beneficiary_to_licence", *_PERSON), "personal"),
    SignalSpec("role_payee", HIGH, ("match_beneficiary_to_licence", *_PERSON), "personal"),
    SignalSpec("cash_or_atm", HIGH, ("no_transfer_services", "pay_in_checkout"), "service"),
    SignalSpec("split_transfers", HIGH, ("whole_amount_in_checkout", "pay_in_checkout"), "split"),
    # The story told to get the money out of the checkout.
    SignalSpec(
        "account_change_pretext",
        HIGH,
        ("verify_change_by_known_channel", "pay_in_checkout"),
        "account",
    ),
    SignalSpec(
        "account_limit_pretext",
        HIGH,
        ("verify_change_by_known_channel", "pay_in_checkout"),
        "account",
    ),
    SignalSpec("verification_pretext", HIGH, ("support_only_in_app", "report_to_1688"), "support"),
    SignalSpec("deposit_fee_pretext", HIGH, ("fees_in_order_only", "pay_in_checkout"), "fees"),
    SignalSpec("discount_pretext", HIGH, ("ask_for_modified_price", "pay_in_checkout"), "tax"),
    SignalSpec(
        "maintenance_pretext", HIGH, ("wait_for_platform", "pay_in_checkout"), "maintenance"
    ),
    SignalSpec("tax_pretext", HIGH, ("ask_for_modified_price", "pay_in_checkout"), "tax"),
    SignalSpec("split_payment", HIGH, ("whole_amount_in_checkout", "pay_in_checkout"), "split"),
    SignalSpec(
        "zero_value_order", HIGH, ("whole_amount_in_checkout", "ask_for_modified_price"), "zero"
    ),
    SignalSpec(
        "off_platform_payment", HIGH, ("pay_in_checkout", "ask_for_modified_price"), "outside"
    ),
    SignalSpec("off_platform_link", HIGH, ("open_1688_yourself", "pay_in_checkout"), "link"),
    SignalSpec("fake_support", HIGH, ("support_only_in_app", "report_to_1688"), "support"),
    SignalSpec("customs_fee_pretext", HIGH, ("fees_in_order_only", "pay_in_checkout"), "fees"),
    SignalSpec("stall_tactic", HIGH, ("keep_refund_open", "inspect_before_confirming"), "stall"),
    SignalSpec("off_platform_chat", HIGH, ("keep_chat_on_aliwangwang", "pay_in_checkout"), "chat"),
    SignalSpec("urgency_pressure", HIGH, ("take_your_time", "pay_in_checkout"), "urgency"),
    SignalSpec("instruction_injection", HIGH, ("distrust_manipulation",), "generic"),
    # Possible, but the money leaves escrow.
    SignalSpec(
        "corporate_transfer",
        CONDITIONAL,
        ("escrow_lost_outside_checkout", "match_beneficiary_to_licence", "prefer_checkout"),
        "corporate",
    ),
    SignalSpec(
        "agent_payment",
        CONDITIONAL,
        ("agent_company_contract", "match_beneficiary_to_licence"),
        "corporate",
    ),
    SignalSpec(
        "letter_of_credit",
        CONDITIONAL,
        ("escrow_lost_outside_checkout", "match_beneficiary_to_licence", "prefer_checkout"),
        "corporate",
    ),
    SignalSpec(
        "bank_transfer",
        CONDITIONAL,
        ("escrow_lost_outside_checkout", "match_beneficiary_to_licence", "prefer_checkout"),
        "corporate",
    ),
    SignalSpec("worldfirst_link", CONDITIONAL, ("open_worldfirst_yourself",), "corporate"),
    # Inside the 1688 checkout.
    SignalSpec("cross_border_pay", APPROVED, ("keep_to_checkout",), "generic"),
    SignalSpec("trade_assurance", APPROVED, ("keep_to_checkout",), "generic"),
    SignalSpec("platform_payment_step", APPROVED, ("keep_to_checkout",), "generic"),
    SignalSpec("modified_price", APPROVED, ("keep_to_checkout",), "generic"),
    SignalSpec("platform_checkout", APPROVED, ("keep_to_checkout",), "generic"),
    SignalSpec("platform_link", APPROVED, ("keep_to_checkout",), "generic"),
)
SPECS: dict[str, SignalSpec] = {spec.code: spec for spec in SIGNALS}
RANK: dict[str, int] = {spec.code: position for position, spec in enumerate(SIGNALS)}

# Advice added for the verdict as a whole, after the signals' own.
VERDICT_ADVICE: dict[Verdict, tuple[str, ...]] = {
    Verdict.HIGH_RISK: ("report_to_1688",),
    Verdict.CONDITIONAL: ("pay_in_checkout",),
    Verdict.APPROVED: ("inspect_before_confirming",),
    Verdict.UNCLEAR: ("paste_payment_part", "pay_in_checkout"),
}

# Which reply to offer when several stories are told at once: the most specific one.
REPLY_PRIORITY = (
    "crypto",
    "account",
    "maintenance",
    "tax",
    "zero",
    "split",
    "service",
    "wallet",
    "personal",
    "link",
    "support",
    "fees",
    "stall",
    "outside",
    "chat",
    "urgency",
    "corporate",
    "generic",
)

# Polite replies in Simplified Chinese that decline and steer back to the 1688 checkout.
# Short enough for Telegram's copy button (256 characters).
DECLINE_REPLIES_ZH: dict[str, str] = {
    "personal": (
        "您好！我们公司财务只允许通过1688平台下单付款，不能付到个人账户或个人银行卡。"
        "麻烦您在1688上把价格改好，我拍下后马上付款，谢谢！"
    ),
    "wallet": (
        "您好！我们不通过微信或支付宝个人转账、也不扫收款码付款。"
        "请您在1688上改好价格，我拍下后在平台直接付款，谢谢理解！"
    ),
    "crypto": (
        "您好！我们不使用USDT或任何虚拟货币付款，只通过1688平台下单付款。"
        "麻烦您在1688上改价，我拍下后付款，谢谢！"
    ),
    "service": (
        "您好！我们不使用西联、PayPal等汇款方式，只通过1688平台下单付款。"
        "麻烦您在1688上改价，我拍下后付款，谢谢！"
    ),
    "account": (
        "您好！收款账户有变动的情况下，我们只通过1688平台下单付款，不向任何新账户汇款。"
        "请您在1688上改价，我拍下后付款，谢谢！"
    ),
    "maintenance": (
        "您好！没关系，我们可以等平台恢复后再在1688上下单付款，不着急。"
        "我们不会转到其他账户，谢谢理解！"
    ),
    "tax": (
        "您好！谢谢您的优惠。不过我们只通过1688平台下单付款，不接受私下转账。"
        "价格可以按平台价，麻烦您改价后我拍下付款，谢谢！"
    ),
    "split": (
        "您好！定金和尾款都需要通过1688平台支付，不能有一部分私下转账。"
        "可以在平台上分阶段付款的话也可以，谢谢！"
    ),
    "zero": (
        "您好！我们希望按实际货款在1688上下单，不拍低价链接再另外转账。"
        "麻烦您按总价改价，我拍下后一次性付款，谢谢！"
    ),
    "outside": (
        "您好！我们只通过1688平台下单付款，不做站外交易。"
        "麻烦您在1688上改价，我拍下后马上付款，谢谢！"
    ),
    "link": (
        "您好！我们不通过聊天里发来的链接付款，只在1688官方App或网站的订单页面付款。"
        "麻烦您在1688上改价，我拍下后付款，谢谢！"
    ),
    "support": (
        "您好！订单的问题我们会在1688官方App里联系平台客服处理，不通过其他软件或链接操作，谢谢！"
    ),
    "fees": (
        "您好！所有费用请体现在1688订单里，我们不会另外转账支付清关费、保证金或其他费用，谢谢！"
    ),
    "stall": (
        "您好！在货物验收之前我们不会确认收货，也不会撤销退款申请，问题请在1688订单里处理。"
        "请您先补发，我们验收后再确认，谢谢！"
    ),
    "chat": (
        "您好！为了留下交易记录，我们只在阿里旺旺上沟通，并通过1688平台下单付款。"
        "麻烦您在1688上改价，谢谢！"
    ),
    "urgency": (
        "您好！我们需要按公司流程通过1688平台下单付款，请给我们一点时间。"
        "价格合适的话我们会尽快拍下付款，谢谢！"
    ),
    "corporate": (
        "您好！为了有平台担保，我们更希望通过1688平台下单付款，麻烦您改价。"
        "如果必须公对公转账，请提供与营业执照一致的公司名称和对公账户，我们核实后再付款。"
    ),
    "generic": (
        "您好！我们只通过1688平台下单付款。麻烦您在1688上把价格改好，我拍下后付款，谢谢！"
    ),
}
