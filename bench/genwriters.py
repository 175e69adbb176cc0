"""How generated rows reach the database: binary COPY on PostgreSQL, batches on SQLite."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generate import Builder

# --- writers ---------------------------------------------------------------------------------


PG_TYPES = {
    "varchar": "varchar",
    "text": "text",
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "jsonb": "jsonb",
    "numeric": "numeric",
    "uuid": "uuid",
    "interval": "interval",
}


def pg_type(field, connection) -> str:
    """The type name psycopg's binary COPY needs for ``field``'s column."""
    db_type = (
        field.db_type(connection)
        if not field.is_relation
        else field.target_field.rel_db_type(connection)
    )
    return PG_TYPES[db_type.split("(")[0].split(" CHECK")[0].strip()]


class PostgresWriter:
    def __init__(self, builder: Builder):
        from django.db import connection

        from mashang.audit.models import Event
        from mashang.demands.models import Assignment, Demand

        self.connection = connection
        q = connection.ops.quote_name
        columns = list(builder.columns)
        self.demand_types = [pg_type(f, connection) for f in builder.fields]
        # The units that read each demand (migration 0014; its triggers would otherwise update
        # every demand row again for its first assignment).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                [Demand._meta.db_table, "visible_unit_ids"],
            )
            self.visible_units = cursor.fetchone() is not None
        if self.visible_units:
            columns.append("visible_unit_ids")
            self.demand_types.append("int8[]")
            self.id_at = builder.index["id"]
            self.intake_at = builder.index["intake_unit_id"]
        self.demand_sql = f"COPY {q(Demand._meta.db_table)} ({', '.join(map(q, columns))}) FROM STDIN (FORMAT BINARY)"
        self.json_at = [
            i for i, f in enumerate(builder.fields) if f.get_internal_type() == "JSONField"
        ]
        acols = ["demand_id", "unit_id", "role", "is_current", "is_open", "due_at", "assigned_at"]
        self.assignment_sql = f"COPY {q(Assignment._meta.db_table)} ({', '.join(map(q, acols))}) FROM STDIN (FORMAT BINARY)"
        self.assignment_types = [
            "int8",
            "int8",
            "varchar",
            "bool",
            "bool",
            "timestamptz",
            "timestamptz",
        ]
        ecols = [
            "subject_type",
            "subject_id",
            "action",
            "actor_id",
            "at",
            "from_state",
            "to_state",
            "reason",
            "payload",
        ]
        self.event_sql = f"COPY {q(Event._meta.db_table)} ({', '.join(map(q, ecols))}) FROM STDIN (FORMAT BINARY)"
        self.event_types = [
            "varchar",
            "int8",
            "varchar",
            "int8",
            "timestamptz",
            "varchar",
            "varchar",
            "text",
            "jsonb",
        ]

    def write(self, rows, assignments, events) -> None:
        from psycopg.types.json import Jsonb

        units: dict[int, set[int]] = {}
        if self.visible_units:
            for a in assignments:
                units.setdefault(a[0], set()).add(a[1])
        with self.connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(self.demand_sql) as copy:
                copy.set_types(self.demand_types)
                for r in rows:
                    for i in self.json_at:
                        r[i] = Jsonb(r[i])
                    if self.visible_units:
                        readers = units.get(r[self.id_at], set())
                        if r[self.intake_at] is not None:
                            readers.add(r[self.intake_at])
                        r = [*r, sorted(readers)]
                    copy.write_row(r)
            with raw.copy(self.assignment_sql) as copy:
                copy.set_types(self.assignment_types)
                for a in assignments:
                    copy.write_row(a)
            if events:
                with raw.copy(self.event_sql) as copy:
                    copy.set_types(self.event_types)
                    for e in events:
                        copy.write_row((*e[:8], Jsonb(e[8])))


class SqliteWriter:
    def __init__(self, builder: Builder):
        from django.db import connection

        from mashang.audit.models import Event
        from mashang.demands.models import Assignment, Demand

        self.connection = connection
        q = connection.ops.quote_name
        self.builder = builder
        self.demand_sql = (
            f"INSERT INTO {q(Demand._meta.db_table)} ({', '.join(map(q, builder.columns))}) "
            f"VALUES ({', '.join(['%s'] * len(builder.columns))})"
        )
        acols = ["demand_id", "unit_id", "role", "is_current", "is_open", "due_at", "assigned_at"]
        self.assignment_sql = f"INSERT INTO {q(Assignment._meta.db_table)} ({', '.join(map(q, acols))}) VALUES ({', '.join(['%s'] * 7)})"
        ecols = [
            "subject_type",
            "subject_id",
            "action",
            "actor_id",
            "at",
            "from_state",
            "to_state",
            "reason",
            "payload",
        ]
        self.event_sql = f"INSERT INTO {q(Event._meta.db_table)} ({', '.join(map(q, ecols))}) VALUES ({', '.join(['%s'] * 9)})"

    def write(self, rows, assignments, events) -> None:
        import json

        from django.utils.duration import duration_microseconds

        conv = self.connection.ops.adapt_datetimefield_value
        fields = self.builder.fields
        dt_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
        json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        span_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "DurationField"]
        for r in rows:
            for i in dt_at:
                r[i] = conv(r[i])
            for i in span_at:
                r[i] = None if r[i] is None else duration_microseconds(r[i])
            for i in json_at:
                r[i] = json.dumps(r[i])
        with self.connection.cursor() as cursor:
            cursor.executemany(self.demand_sql, rows)
            cursor.executemany(
                self.assignment_sql, [(*a[:5], conv(a[5]), conv(a[6])) for a in assignments]
            )
            if events:
                cursor.executemany(
                    self.event_sql,
                    [(*e[:4], conv(e[4]), *e[5:8], json.dumps(e[8])) for e in events],
                )
