from django.db import migrations, models
from django.utils import timezone


def fail_runs_left_running(apps, schema_editor):
    """Runs left "running" by a killed worker before runs recorded their task: nothing of them was
    committed (an import is one transaction). An import genuinely running now still records its
    success at its commit."""
    ImportRun = apps.get_model("register", "ImportRun")
    ImportRun.objects.filter(status="running").update(
        status="failed",
        finished_at=timezone.now(),
        error="interrompu : le worker qui l'exécutait s'est arrêté ; rien n'a été importé, relancez l'import.",
    )


class Migration(migrations.Migration):
    dependencies = [("register", "0005_drop_duplicate_enterprise_indexes")]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="task_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="tâche"),
        ),
        migrations.AddField(
            model_name="importrun",
            name="attempt",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="essai"),
        ),
        migrations.RunPython(fail_runs_left_running, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="importrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(status="running"), fields=("status",), name="register_run_one_running"
            ),
        ),
    ]
