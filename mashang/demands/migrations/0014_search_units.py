"""Which units may read a demand, kept on the demand itself, so that "this unit's demands holding
this piece" is one index search on PostgreSQL.

A unit's staff read the demands the unit was ever dispatched to (lead or co-unit, current or
not) and the ones it registered for an enterprise (``intake_unit``): ``visibility_filter`` says
so with an ``EXISTS`` on the assignments. For a search that is a probe of the assignments per
candidate row; a piece matching 30,000 demands, 800 of them the unit's, read all 30,000. Here
the same set is ``visible_unit_ids``, an ``bigint[]`` column PostgreSQL keeps by triggers:

- on a new demand and when ``intake_unit`` changes, the column is computed from the
  assignments and the intake unit (``BEFORE INSERT OR UPDATE OF intake_unit_id``);
- on a new assignment the unit is added to its demand's column, unless it is there already
  (a dispatch to a unit the demand already had changes nothing);
- when an assignment changes its demand or unit or is deleted, the column of each demand it
  touched is computed again.

One GIN index holds both columns, the units and the text's pairs (``search_vector``, migration
0013, whose own index it replaces): "the unit's demands holding the piece" is one index scan
that intersects the unit's entries with the pairs' (a unit's search of a 4-character piece read
38,000 rows to keep 1,001 with an index each; with the one index it reads 1,160), and an
officer's search uses the same index for the pairs alone. Like ``search_vector``, the column is not a field of
the Django model: nothing in mashang writes it, the triggers do, and only the search reads it
(``mashang.demands.selectors.search``, which a test holds to ``visibility_filter``).

SQLite (the embedded default) gets no column: the search reads the assignments there.
"""

from django.db import migrations

UNITS_OF = """
CREATE FUNCTION demands_visible_unit_ids(demand bigint, intake bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(u ORDER BY u), '{}') FROM (
        SELECT unit_id AS u FROM demands_assignment WHERE demand_id = demand
        UNION
        SELECT intake WHERE intake IS NOT NULL
    ) units
$$
"""

ON_DEMAND = """
CREATE FUNCTION demands_demand_visible_units() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.visible_unit_ids := demands_visible_unit_ids(NEW.id, NEW.intake_unit_id);
    ELSIF NEW.intake_unit_id IS NOT NULL AND NOT NEW.visible_unit_ids @> ARRAY[NEW.intake_unit_id] THEN
        -- A new demand has no assignments yet: its intake unit, added to what the row brings
        -- (nothing from mashang; the benchmark's generator writes the units it assigns).
        NEW.visible_unit_ids := NEW.visible_unit_ids || NEW.intake_unit_id;
    END IF;
    RETURN NEW;
END
$$
"""

ON_ASSIGNMENT = """
CREATE FUNCTION demands_assignment_visible_units() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE demands_demand SET visible_unit_ids = visible_unit_ids || NEW.unit_id
         WHERE id = NEW.demand_id AND NOT visible_unit_ids @> ARRAY[NEW.unit_id];
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.demand_id = OLD.demand_id AND NEW.unit_id = OLD.unit_id THEN
        RETURN NULL;
    END IF;
    UPDATE demands_demand SET visible_unit_ids = demands_visible_unit_ids(id, intake_unit_id)
     WHERE id = OLD.demand_id OR (TG_OP = 'UPDATE' AND id = NEW.demand_id);
    RETURN NULL;
END
$$
"""

FORWARD = [
    # A constant default adds the column without rewriting the table.
    "ALTER TABLE demands_demand ADD COLUMN visible_unit_ids bigint[] NOT NULL DEFAULT '{}'",
    UNITS_OF,
    ON_DEMAND,
    ON_ASSIGNMENT,
    "CREATE TRIGGER demand_visible_units BEFORE INSERT OR UPDATE OF intake_unit_id"
    " ON demands_demand FOR EACH ROW EXECUTE FUNCTION demands_demand_visible_units()",
    "CREATE TRIGGER assignment_visible_units AFTER INSERT OR UPDATE OR DELETE"
    " ON demands_assignment FOR EACH ROW EXECUTE FUNCTION demands_assignment_visible_units()",
    "DROP INDEX IF EXISTS demand_search_vector_idx",
    "CREATE INDEX demand_search_idx ON demands_demand USING gin (visible_unit_ids, search_vector)",
    "ANALYZE demands_demand",
]
#: The demands that have assignments or an intake unit, in one pass over the assignments: inline
#: on a small table, else left to ``mashang backfill demands.visible_units`` (the triggers are in
#: place by then, so the demands filed meanwhile are right already).
FILL = [
    """
    UPDATE demands_demand d SET visible_unit_ids = units.ids
      FROM (SELECT demand_id, array_agg(DISTINCT unit_id ORDER BY unit_id) AS ids
              FROM demands_assignment GROUP BY demand_id) units
     WHERE units.demand_id = d.id
    """,
    """
    UPDATE demands_demand SET visible_unit_ids = demands_visible_unit_ids(id, intake_unit_id)
     WHERE intake_unit_id IS NOT NULL
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS assignment_visible_units ON demands_assignment",
    "DROP TRIGGER IF EXISTS demand_visible_units ON demands_demand",
    "DROP FUNCTION IF EXISTS demands_assignment_visible_units()",
    "DROP FUNCTION IF EXISTS demands_demand_visible_units()",
    "DROP FUNCTION IF EXISTS demands_visible_unit_ids(bigint, bigint)",
    "DROP INDEX IF EXISTS demand_search_idx",
    "CREATE INDEX demand_search_vector_idx ON demands_demand USING gin (search_vector)",
    "ALTER TABLE demands_demand DROP COLUMN IF EXISTS visible_unit_ids",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from mashang.core.backfill import inline_or_pending

    # Column, functions and triggers first (filling the column fires none of them), then the
    # fill, inline or left pending, then the index.
    _run(FORWARD[:6])(apps, schema_editor)
    inline_or_pending(
        schema_editor, name="demands.visible_units", table="demands_demand",
        inline=lambda: _run(FILL)(apps, schema_editor),
    )
    _run(FORWARD[6:])(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("demands", "0013_search"),
    ]

    operations = [
        migrations.RunPython(forward, _run(BACKWARD), elidable=False),
    ]
