from django.db import migrations


def install(apps, schema_editor):
    from jiceng.people.tagkinds import install_default_tag_kinds

    install_default_tag_kinds(apps.get_model("people", "TagKind"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_registry")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
