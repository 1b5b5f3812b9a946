"""An export job's parts are leased rows of their own, each worked by its own task, so that the
chunks of one export render in parallel on every worker process. The XLSX rows of parts written
before were numbered for their place (new ones are not) and their job moved on one chunk at a time:
an export job still under way starts again (queued, its parts deleted, re-sent by the sweep)."""

import datetime

import django.utils.timezone
from django.db import migrations, models


def restart_exports(apps, schema_editor):
    BulkJob = apps.get_model("screening", "BulkJob")
    BulkJobPart = apps.get_model("screening", "BulkJobPart")
    unfinished = BulkJob.objects.filter(kind="export", status__in=["queued", "running"])
    BulkJobPart.objects.filter(job__in=unfinished).delete()
    unfinished.update(
        done=0,
        status="queued",
        attempts=0,
        queued_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),  # the sweep re-sends it at once
        lease_owner="",
        lease_task="",
        lease_token="",
        lease_expires_at=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0011_export_parts_compressed"),
    ]

    operations = [
        migrations.RunPython(restart_exports, migrations.RunPython.noop),
        migrations.AddField(
            model_name="bulkjobpart",
            name="attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="lease_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="lease_owner",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="lease_task",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="lease_token",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="bulkjobpart",
            name="status",
            field=models.CharField(
                choices=[("queued", "排队中"), ("running", "运行中"), ("done", "已完成"), ("failed", "失败")],
                default="queued",
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="bulkjobpart",
            index=models.Index(fields=["status", "lease_expires_at"], name="bulkjobpart_lease"),
        ),
    ]
