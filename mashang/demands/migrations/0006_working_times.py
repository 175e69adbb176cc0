"""Store the working time to first contact and to reply on each demand, and fill it in for the
demands already there (on the calendar as it is now), before the covering index is rebuilt."""

from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    """Inline on a small table; on a large one (``MASHANG_MIGRATION_INLINE_MAX``) left pending
    for ``mashang backfill demands.working_times`` (42 minutes inline at 10 M demands)."""
    from mashang.core.backfill import inline_or_pending
    from mashang.demands.working_hours import working_times_recompute

    inline_or_pending(
        schema_editor, name="demands.working_times", table="demands_demand", inline=working_times_recompute
    )


class Migration(migrations.Migration):

    dependencies = [
        ('demands', '0005_demand_submitted_covering'),
        ('org', '0001_initial'),
        ('workcal', '0001_initial'),  # the backfill reads the calendar
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='demand',
            name='demand_submitted_idx',
        ),
        migrations.AddField(
            model_name='demand',
            name='first_contact_working_time',
            field=models.DurationField(blank=True, null=True, verbose_name='working time to first contact'),
        ),
        migrations.AddField(
            model_name='demand',
            name='reply_working_time',
            field=models.DurationField(blank=True, null=True, verbose_name='working time to reply'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='demand',
            index=models.Index(fields=['submitted_at'], include=('id', 'status', 'lead_unit', 'round', 'resolved', 'rating', 'dispatched_at', 'first_response_due_at', 'first_responded_at', 'resolution_due_at', 'replied_at', 'first_contact_working_time', 'reply_working_time'), name='demand_submitted_idx'),
        ),
    ]
