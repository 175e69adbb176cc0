"""The progress of long data changes run after the migrations (``mashang backfill``).

An older migration that finds a large table marks its data change pending here instead of
doing it inline (:func:`mashang.core.backfill.inline_or_pending`). Such a migration cannot
depend on this one (it is applied already on every database past it, and Django refuses a
history where an applied migration's dependency is not), so whichever comes first creates the
table: this migration creates it only when it is missing.
"""

from django.db import migrations, models


def create_if_missing(apps, schema_editor):
    model = apps.get_model("core", "BackfillProgress")
    if model._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(model)


def drop(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("core", "BackfillProgress"))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_pending_upload"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BackfillProgress",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                        ("state", models.CharField(choices=[("pending", "pending"), ("running", "running"), ("done", "done")], default="pending", max_length=10, verbose_name="state")),
                        ("last_key", models.BigIntegerField(default=0, verbose_name="last key")),
                        ("rows_done", models.BigIntegerField(default=0, verbose_name="rows done")),
                        ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started at")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                        ("updated_at", models.DateTimeField(blank=True, null=True, verbose_name="updated at")),
                    ],
                    options={
                        "verbose_name": "backfill",
                        "verbose_name_plural": "backfills",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(create_if_missing, drop),
    ]
