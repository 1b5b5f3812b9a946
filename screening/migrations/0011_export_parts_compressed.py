"""An export job's parts hold their rows rendered as they stand in the file, zlib-compressed
(bytes): a chunk of 1,000 proposals is about 27 MB of sheet XML, 2.6 MB compressed. PostgreSQL is
told not to compress them again (STORAGE EXTERNAL). Parts written before (JSON text) cannot be
joined with new ones: an export job still under way starts again from its first chunk."""

from django.db import migrations, models

TABLE = "screening_bulkjobpart"


def restart_exports(apps, schema_editor):
    BulkJob = apps.get_model("screening", "BulkJob")
    BulkJobPart = apps.get_model("screening", "BulkJobPart")
    unfinished = BulkJob.objects.filter(kind="export", status__in=["queued", "running"])
    BulkJobPart.objects.filter(job__in=unfinished).delete()
    unfinished.update(done=0)


def no_second_compression(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("proposals", "findings"):
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE EXTERNAL")


class Migration(migrations.Migration):
    dependencies = [("screening", "0010_registry_preview_and_previous_version")]

    operations = [
        migrations.RunPython(restart_exports, migrations.RunPython.noop),
        migrations.RemoveField(model_name="bulkjobpart", name="findings"),
        migrations.RemoveField(model_name="bulkjobpart", name="proposals"),
        migrations.AddField(model_name="bulkjobpart", name="findings", field=models.BinaryField(default=b"")),
        migrations.AddField(
            model_name="bulkjobpart", name="proposals", field=models.BinaryField(default=b"")
        ),
        migrations.RunPython(no_second_compression, migrations.RunPython.noop),
    ]
