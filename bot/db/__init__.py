"""SQLAlchemy 2 models, the engine and sessions, and the repositories: small query
functions that services call inside their transactions."""
