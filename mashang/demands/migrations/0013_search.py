"""What makes "find a demand by a piece of its text" fast on PostgreSQL.

The text searched is the title, the description, the contact's name and phone, as one
(``mashang.demands.selectors.search`` writes the same expression; keep them identical). Chinese
has no spaces between words and its pieces are often two characters ("万顺", "停电"), shorter
than pg_trgm's trigrams, so the text is cut into every pair of adjacent characters and each
pair is a word of a ``tsvector``: ``search_vector``, a column PostgreSQL computes and stores
itself on every insert and update (``GENERATED ALWAYS … STORED``), with a GIN index. A piece
of two or more characters is found as all of its pairs (``search_vector @@ plainto_tsquery``,
exact in the index, no text to recompute per row) and then confirmed in the text
(``ILIKE '%piece%'``), so "顺达精" does not match a text that only has "顺达" and "达精" apart.

The column is not a field of the Django model: nothing in mashang writes it, and only the
search reads it (by name). A later migration that changes the type of one of the four
columns must drop and re-create it (PostgreSQL refuses to alter a column a generated one
uses).

SQLite (the embedded default) gets no column: the search reads the text there.
"""

from django.db import migrations

TEXT = "(title || ' ' || description || ' ' || contact_name || ' ' || contact_phone)"
#: The text cut into pairs of characters, from the first character and from the second:
#: 'abcde' → ' ab cd e  bc de '.
PAIRS = (
    f"(' ' || regexp_replace({TEXT}, '(..)', '\\1 ', 'g') || ' '"
    f" || regexp_replace(substr({TEXT}, 2), '(..)', '\\1 ', 'g') || ' ')"
)

FORWARD = [
    "ALTER TABLE demands_demand ADD COLUMN search_vector tsvector"
    f" GENERATED ALWAYS AS (strip(to_tsvector('simple'::regconfig, {PAIRS}))) STORED",
    "CREATE INDEX demand_search_vector_idx ON demands_demand USING gin (search_vector)",
    # Statistics of the text itself, so the planner knows how many rows a piece matches (how
    # common "厂房" is): a common piece is read walking the newest demands, a rare one through
    # the index. Without them it takes every piece for rare (one page: 1,043 ms → 5 ms).
    f"CREATE STATISTICS IF NOT EXISTS demand_text_stats ON ({TEXT}) FROM demands_demand",
    # The planner's statistics of the new column (how many rows a pair matches) and the text.
    "ANALYZE demands_demand",
]
BACKWARD = [
    "DROP STATISTICS IF EXISTS demand_text_stats",
    "DROP INDEX IF EXISTS demand_search_vector_idx",
    "ALTER TABLE demands_demand DROP COLUMN IF EXISTS search_vector",
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
