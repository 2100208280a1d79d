"""CaseKey's phone and ID-number digests become the keyed hashes of jiceng.sealed.

The old digests were plain SHA-256 of a phone or ID number: anyone with the
table could find the number by trying them all. The new ones are the cases'
blind indexes (HMAC-SHA256 under the field key). Going back recomputes nothing
(the old digests are not kept): run ``jiceng triage-index`` after a reverse migration.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def copy_blind_indexes(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseKey = apps.get_model("triage", "CaseKey")
    of_case = Case.objects.using(schema_editor.connection.alias).filter(pk=OuterRef("case_id"))
    CaseKey.objects.using(schema_editor.connection.alias).update(
        phone_hash=Coalesce(Subquery(of_case.values("reporter_phone_index")[:1]), Value("")),
        id_hash=Coalesce(Subquery(of_case.values("reporter_id_index")[:1]), Value("")),
    )


def blank_hashes(apps, schema_editor):
    """Going back: the old unkeyed digests are not kept (and would not fit the keyed ones' width)."""
    apps.get_model("triage", "CaseKey").objects.using(schema_editor.connection.alias).update(phone_hash="", id_hash="")


class Migration(migrations.Migration):

    dependencies = [
        ("triage", "0004_casekey_embedding"),
        ("cases", "0008_sealed_reporter_fields"),
    ]

    operations = [
        migrations.AlterField(model_name="casekey", name="phone_hash", field=models.CharField(blank=True, max_length=48)),
        migrations.AlterField(model_name="casekey", name="id_hash", field=models.CharField(blank=True, max_length=48)),
        migrations.RunPython(copy_blind_indexes, blank_hashes),
    ]
