# A demand may be a blocker of an investment project (mashang.projects).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('demands', '0006_working_times'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='demand',
            name='project',
            field=models.ForeignKey(blank=True, help_text='The investment project this demand is a blocker of.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='blockers', to='projects.project', verbose_name='project'),
        ),
    ]
