"""Transport and lifecycle: polling, the webhook server, at-least-once delivery,
conversation persistence, signals, logging. Nothing here knows what the bot says."""
