"""/stats for the operators in ADMIN_IDS; for everyone else the command does not exist.

The handler's filter, not a check inside it, keeps others out: a non-admin's /stats matches
nothing here and falls through to whatever any unknown command gets (handlers/fallback.py
outside a flow, the flow's own answer inside one), so the reply cannot reveal that an
admin command is there.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.context import BotContext
from handlers.replies import reply


async def show_stats(update: Update, context: BotContext) -> None:
    figures = await context.services.reporting.figures()
    verdicts = figures.payment_checks
    await reply(
        update,
        context.text(
            "stats",
            users_total=figures.users_total,
            users_active=figures.users_active,
            users_blocked=figures.users_blocked,
            payment_total=figures.payment_checks_total,
            approved=verdicts.get("approved", 0),
            conditional=verdicts.get("conditional", 0),
            high_risk=verdicts.get("high_risk", 0),
            unclear=verdicts.get("unclear", 0),
            supplier_checks=figures.supplier_checks,
            orders_total=figures.orders_total,
            orders_open=figures.orders_open,
            sent=figures.reminders_sent,
            failed=figures.reminders_failed,
            in_doubt=figures.reminders_in_doubt,
            waiting=figures.reminders_waiting,
            missed=figures.deadlines_missed,
        ),
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    admins = application.bot_data.settings.admin_ids
    only_admins = (
        filters.User(user_id=admins)
        # Figures are for the admin's eyes: a group chat would show them to everyone there.
        & filters.ChatType.PRIVATE
        & filters.UpdateType.MESSAGE
    )
    # Group 0, ahead of the conversations: an admin's /stats answers even mid-flow and
    # leaves the flow where it was. It is not one of the global handlers that double as
    # conversation exits, because their exit copies would drop this filter.
    application.add_handler(CommandHandler("stats", show_stats, filters=only_admins))
