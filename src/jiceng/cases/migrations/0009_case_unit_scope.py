"""The unit scope table (cases_caseunit), backfilled from the event log.

Every unit an event ever named, and every case's current unit, becomes one
(unit, case) row, so a unit's members read their cases through an index
instead of an IN-subquery over all events (see docs/scaling.md).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_geography'),
        ('cases', '0008_sealed_reporter_fields'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                ('unit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.unit')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('unit', 'case'), name='case_unit_once')],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO cases_caseunit (unit_id, case_id) "
            "SELECT unit_id, case_id FROM cases_caseevent WHERE unit_id IS NOT NULL "
            "UNION SELECT unit_id, id FROM cases_case WHERE unit_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
