"""article tallies kept by triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One statement per list item: SQLite's driver runs a single statement per call.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER articles_tally_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_tallies (unit_id, month, status, platform, articles, points)
        VALUES (NEW.unit_id, date(NEW.submitted_on, 'start of month'), NEW.status,
                coalesce(NEW.best_platform, ''), 1, NEW.points)
        ON CONFLICT (unit_id, month, status, platform) DO UPDATE
        SET articles = articles + 1, points = points + excluded.points;
    END
    """,
    """
    CREATE TRIGGER articles_tally_delete AFTER DELETE ON articles BEGIN
        UPDATE article_tallies SET articles = articles - 1, points = points - OLD.points
        WHERE unit_id = OLD.unit_id AND month = date(OLD.submitted_on, 'start of month')
          AND status = OLD.status AND platform = coalesce(OLD.best_platform, '');
    END
    """,
    """
    CREATE TRIGGER articles_tally_update
    AFTER UPDATE OF unit_id, submitted_on, status, best_platform, points ON articles BEGIN
        UPDATE article_tallies SET articles = articles - 1, points = points - OLD.points
        WHERE unit_id = OLD.unit_id AND month = date(OLD.submitted_on, 'start of month')
          AND status = OLD.status AND platform = coalesce(OLD.best_platform, '');
        INSERT INTO article_tallies (unit_id, month, status, platform, articles, points)
        VALUES (NEW.unit_id, date(NEW.submitted_on, 'start of month'), NEW.status,
                coalesce(NEW.best_platform, ''), 1, NEW.points)
        ON CONFLICT (unit_id, month, status, platform) DO UPDATE
        SET articles = articles + 1, points = points + excluded.points;
    END
    """,
]

POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION articles_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE article_tallies SET articles = articles - 1, points = points - OLD.points
            WHERE unit_id = OLD.unit_id
              AND month = date_trunc('month', OLD.submitted_on)::date
              AND status = OLD.status AND platform = coalesce(OLD.best_platform, '');
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO article_tallies (unit_id, month, status, platform, articles, points)
            VALUES (NEW.unit_id, date_trunc('month', NEW.submitted_on)::date, NEW.status,
                    coalesce(NEW.best_platform, ''), 1, NEW.points)
            ON CONFLICT (unit_id, month, status, platform) DO UPDATE
            SET articles = article_tallies.articles + 1,
                points = article_tallies.points + excluded.points;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_tally_insert_delete AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_tally()
    """,
    """
    CREATE TRIGGER articles_tally_update
    AFTER UPDATE OF unit_id, submitted_on, status, best_platform, points ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_tally()
    """,
]

BACKFILL = """
    INSERT INTO article_tallies (unit_id, month, status, platform, articles, points)
    SELECT unit_id, {month}, status, coalesce(best_platform, ''), count(*), sum(points)
    FROM articles GROUP BY unit_id, {month}, status, coalesce(best_platform, '')
"""


def upgrade() -> None:
    op.create_table(
        "article_tallies",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_article_tallies_unit_id_units")
        ),
        sa.PrimaryKeyConstraint(
            "unit_id", "month", "status", "platform", name=op.f("pk_article_tallies")
        ),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        month = "date_trunc('month', submitted_on)::date"
        triggers = POSTGRESQL_TRIGGERS
    else:
        month = "date(submitted_on, 'start of month')"
        triggers = SQLITE_TRIGGERS
    op.execute(BACKFILL.format(month=month))
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER articles_tally_insert_delete ON articles")
        op.execute("DROP TRIGGER articles_tally_update ON articles")
        op.execute("DROP FUNCTION articles_tally()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER articles_tally_{name}")
    op.drop_table("article_tallies")
