"""The outside world behind small interfaces: OCR for screenshots, the OpenAI-compatible
client, and later the courier API."""
