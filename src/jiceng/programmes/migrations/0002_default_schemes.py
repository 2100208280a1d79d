from django.db import migrations


def install(apps, schema_editor):
    from jiceng.programmes.pairing import install_default_schemes

    install_default_schemes(apps.get_model("programmes", "PairingScheme"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_programmes")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
