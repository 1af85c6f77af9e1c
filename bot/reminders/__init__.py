"""The reminder engine: the database holds every planned message (store), the engine
claims and sends them within Telegram's limits (engine, sending), admins hear of failures
(alerts). APScheduler is only the clock."""
