"""Is this payment request safe? Text in, a verdict with quoted evidence out."""
