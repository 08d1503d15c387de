# Each ForeignKey to Enterprise already indexes enterprise_id: these Meta indexes were exact
# duplicates, built again by every full import for nothing.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0004_drop_activity_nace_index_without_classification"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="address",
            name="register_adr_enterprise",
        ),
        migrations.RemoveIndex(
            model_name="branch",
            name="register_branch_enterprise",
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="register_con_enterprise",
        ),
        migrations.RemoveIndex(
            model_name="denomination",
            name="register_den_enterprise",
        ),
        migrations.RemoveIndex(
            model_name="establishment",
            name="register_est_enterprise",
        ),
    ]
