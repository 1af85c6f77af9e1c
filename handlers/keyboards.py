"""Keyboards shared by several flows: the main menu and the way back to it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.i18n import translate
from handlers.routes import MENU


def main_menu(language: str) -> InlineKeyboardMarkup:
    def button(key: str, item: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(translate(language, key), callback_data=MENU.pack(item))

    return InlineKeyboardMarkup(
        [
            [button("btn_check_payment", "pay")],
            [button("btn_track", "track"), button("btn_orders", "orders")],
            [button("btn_dispute", "dispute")],
            [button("btn_check_supplier", "check"), button("btn_my_suppliers", "suppliers")],
            [button("btn_register", "register")],
            [button("btn_spec", "spec"), button("btn_ip", "ip")],
            [button("btn_timezone", "timezone"), button("btn_language", "language")],
            [button("btn_help", "help"), button("btn_privacy", "privacy")],
        ]
    )


def menu_button(language: str) -> InlineKeyboardMarkup:
    """A single button back to the menu, for the end of a flow."""
    text = translate(language, "btn_menu")
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=MENU.pack("show"))]])
