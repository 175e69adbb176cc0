# The Idempotency-Key record now belongs to core (core 0001 takes over its table); only
# Django's model state changes here, the table stays as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_initial"),
        ("core", "0001_idempotency_record"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
