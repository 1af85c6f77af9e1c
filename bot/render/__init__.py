"""Message building: catalogues per language (i18n) and the texts of reports, made from
domain results. No database, no Telegram calls."""
