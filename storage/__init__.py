"""Persistence: SQLAlchemy 2 models, repositories over a session, Alembic migrations."""
