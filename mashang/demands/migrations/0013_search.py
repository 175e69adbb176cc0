"""The indexes that make "find a demand by a piece of its text" fast on PostgreSQL.

Two GIN indexes of pg_trgm (``gin_trgm_ops``) over one text made of the title, the
description, the contact's name and phone (``mashang.demands.selectors.search`` writes the same
expressions; they must stay identical for the planner to use the indexes):

- ``demand_text_trgm_idx`` on the text itself: a piece of 3 characters or more
  (``text ILIKE '%piece%'``) is found through its trigrams.
- ``demand_text_bigram_idx`` on the text cut into pairs of characters, each pair a word
  (``ab cd e bc de``): pg_trgm cannot use an index for a piece shorter than 3 characters, and
  Chinese pieces are often 2 ("万顺", "停电"); a 2-character piece is one whole word of this
  text (``ILIKE '% 停电 %'``), whose trigrams are in the index.

SQLite (the embedded default) gets no index: the search reads the table there.
"""

from django.db import migrations

TEXT = "(title || ' ' || description || ' ' || contact_name || ' ' || contact_phone)"
BIGRAMS = (
    f"(' ' || regexp_replace({TEXT}, '(..)', '\\1 ', 'g') || ' '"
    f" || regexp_replace(substr({TEXT}, 2), '(..)', '\\1 ', 'g') || ' ')"
)

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS demand_text_trgm_idx ON demands_demand USING gin ({TEXT} gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS demand_text_bigram_idx ON demands_demand USING gin ({BIGRAMS} gin_trgm_ops)",
    # The planner's statistics of the two expressions (how many rows a piece matches): without
    # them it takes every piece for rare and sorts thousands of matches instead of reading the
    # newest demands first.
    "ANALYZE demands_demand",
]
BACKWARD = [
    "DROP INDEX IF EXISTS demand_text_bigram_idx",
    "DROP INDEX IF EXISTS demand_text_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("demands", "0012_daily_work"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
