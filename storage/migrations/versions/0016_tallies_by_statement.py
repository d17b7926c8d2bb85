"""PostgreSQL: the tallies follow an INSERT once per statement, not once per row

An import of a city's history inserts 100,000 articles in one COPY; a row trigger upserting
the tallies cost about 30 µs an article. A statement trigger reads the statement's new rows
(a transition table) and adds them to the tallies grouped, in one INSERT … ON CONFLICT.
Updates and deletes keep their row triggers; SQLite has no statement triggers and keeps its own.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 21:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BY_STATEMENT = [
    """
    CREATE FUNCTION articles_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO article_tallies (unit_id, month, status, platform, articles, points)
        SELECT unit_id, date_trunc('month', submitted_on)::date, status,
               coalesce(best_platform, ''), count(*), sum(points)
        FROM inserted
        GROUP BY unit_id, date_trunc('month', submitted_on)::date, status,
                 coalesce(best_platform, '')
        ON CONFLICT (unit_id, month, status, platform) DO UPDATE
        SET articles = article_tallies.articles + excluded.articles,
            points = article_tallies.points + excluded.points;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER articles_tally_insert_delete ON articles",
    """
    CREATE TRIGGER articles_tally_inserted AFTER INSERT ON articles
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION articles_tally_inserted()
    """,
    """
    CREATE TRIGGER articles_tally_delete AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_tally()
    """,
]

BY_ROW = [
    "DROP TRIGGER articles_tally_delete ON articles",
    "DROP TRIGGER articles_tally_inserted ON articles",
    "DROP FUNCTION articles_tally_inserted()",
    """
    CREATE TRIGGER articles_tally_insert_delete AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_tally()
    """,
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in BY_STATEMENT:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in BY_ROW:
            op.execute(statement)
