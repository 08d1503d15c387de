"""Load the shipped reference data (NACE-BEL, territory, KBO code tables)."""

from django.db import migrations


def load(apps, schema_editor):
    from grappe.referential import loaders

    loaders.load_nace(apps.get_model("referential", "NaceCode"))
    loaders.load_territory(
        apps.get_model("referential", "Region"),
        apps.get_model("referential", "Province"),
        apps.get_model("referential", "Arrondissement"),
        apps.get_model("referential", "Municipality"),
        apps.get_model("referential", "PostalCode"),
    )
    loaders.load_kbo_codes(apps.get_model("referential", "KboCode"))


class Migration(migrations.Migration):
    dependencies = [("referential", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
