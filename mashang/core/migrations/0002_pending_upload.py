# Files chosen on a form that failed for another reason, held for their uploader until it is sent again.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import mashang.core.models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_idempotency_record'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PendingUpload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uploaded_at', models.DateTimeField(verbose_name='uploaded at')),
                ('original_name', models.CharField(max_length=200, verbose_name='file name')),
                ('content_type', models.CharField(max_length=100, verbose_name='content type')),
                ('size', models.PositiveIntegerField(verbose_name='size (bytes)')),
                ('sha256', models.CharField(max_length=64)),
                ('file', models.FileField(max_length=200, upload_to=mashang.core.models._held_path, verbose_name='file')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'held upload',
                'verbose_name_plural': 'held uploads',
                'indexes': [models.Index(fields=['uploaded_at'], name='pending_upload_at_idx')],
            },
        ),
    ]
