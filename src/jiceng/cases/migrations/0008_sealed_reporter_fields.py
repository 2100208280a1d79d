"""Reporter phone and ID number encrypted at rest, with keyed-hash columns for lookups (jiceng.sealed).

Existing rows are encrypted in place under the field key ring (created on
first use, see docs/security.md). Reversible while the key file is present:
going back writes the plaintext again. The hash chain digests the plaintext,
so every chain verifies the same before and after.
"""

from django.db import migrations, models

import jiceng.sealed

CASE_INDEXES = {"reporter_phone_index": ("reporter_phone", "phone"), "reporter_id_index": ("reporter_id_number", "id_number")}
FIELDS = ["reporter_phone", "reporter_id_number"]


def seal_rows(apps, schema_editor):
    using = schema_editor.connection.alias
    jiceng.sealed.seal_existing(apps.get_model("cases", "Case"), FIELDS, CASE_INDEXES, using=using)
    jiceng.sealed.seal_existing(apps.get_model("cases", "UnlocatedReport"), FIELDS, using=using)


def unseal_rows(apps, schema_editor):
    using = schema_editor.connection.alias
    jiceng.sealed.unseal_existing(apps.get_model("cases", "Case"), FIELDS, CASE_INDEXES, using=using)
    jiceng.sealed.unseal_existing(apps.get_model("cases", "UnlocatedReport"), FIELDS, using=using)


def _sealed(model_name: str, name: str, max_length: int, **kw):
    return migrations.AlterField(model_name=model_name, name=name,
                                 field=jiceng.sealed.SealedCharField(blank=True, max_length=max_length, **kw))


def _plain_text(model_name: str, name: str):
    return migrations.AlterField(model_name=model_name, name=name, field=models.TextField(blank=True))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_case_promised_date_and_reply_deadline"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="reporter_id_index",
            field=jiceng.sealed.BlindIndexField(blank=True, db_index=True, default="", editable=False, max_length=48, scope="id_number", source="reporter_id_number"),
        ),
        migrations.AddField(
            model_name="case",
            name="reporter_phone_index",
            field=jiceng.sealed.BlindIndexField(blank=True, db_index=True, default="", editable=False, max_length=48, scope="phone", source="reporter_phone"),
        ),
        # Wide enough for the ciphertext first, still read as plain text while the rows are sealed.
        *[_plain_text(m, f) for m in ("case", "unlocatedreport") for f in FIELDS],
        migrations.RunPython(seal_rows, unseal_rows),
        _sealed("case", "reporter_phone", 20, verbose_name="reporter phone"),
        _sealed("case", "reporter_id_number", 18, verbose_name="reporter ID number"),
        _sealed("unlocatedreport", "reporter_phone", 20),
        _sealed("unlocatedreport", "reporter_id_number", 18),
    ]
