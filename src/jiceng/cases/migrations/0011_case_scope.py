"""The scope table (cases_casescope) replaces the unit scope table (cases_caseunit).

Backfilled from the cases' own columns and the units already recorded, with
the keys cases/scope.py writes: ``g`` + grid, ``p`` + reporter and filer,
``u`` + unit; each row carries the case's area code.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
INSERT INTO cases_casescope (key, case_id, area_id)
SELECT 'g' || grid_id, id, area_id FROM cases_case WHERE grid_id IS NOT NULL
UNION SELECT 'p' || reporter_id, id, area_id FROM cases_case WHERE reporter_id IS NOT NULL
UNION SELECT 'p' || created_by_id, id, area_id FROM cases_case WHERE created_by_id IS NOT NULL
UNION SELECT 'u' || unit_id, id, area_id FROM cases_case WHERE unit_id IS NOT NULL
UNION SELECT 'u' || u.unit_id, u.case_id, c.area_id FROM cases_caseunit u JOIN cases_case c ON c.id = u.case_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_case_next_due_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseScope',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=24)),
                ('area_id', models.CharField(max_length=12)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('key', 'case'), name='case_scope_once')],
                'indexes': [models.Index(fields=['key', 'area_id', 'case'], name='case_scope_key_area')],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.DeleteModel(name='CaseUnit'),
    ]
