"""Case.next_due_at: when tick next has a consequence to look at, behind a partial index; backfilled for open cases."""

from django.conf import settings
from django.db import migrations, models

OPEN_TIMED = ["submitted", "accepted", "dispatched", "handling", "suspended"]


def backfill(apps, schema_editor):
    """Work out next_due_at for every case with a deadline or a supervision reply date, skipping what tick recorded."""
    from django.utils import timezone

    from jiceng.cases import due

    Case = apps.get_model("cases", "Case")
    SlaMark = apps.get_model("cases", "SlaMark")
    qs = Case.objects.filter(models.Q(state__in=OPEN_TIMED) | models.Q(reply_by__isnull=False)).select_related("category")
    last = 0
    while page := list(qs.filter(pk__gt=last).order_by("pk")[:2000]):
        last = page[-1].pk
        marks = set(SlaMark.objects.filter(case_id__in=[c.pk for c in page]).values_list("case_id", "kind", "deadline"))
        for case in page:
            done = {k for k in due.KINDS if (case.pk, k, due.marked_deadline(case, k)) in marks}
            Case.objects.filter(pk=case.pk).update(next_due_at=due.safe_next_due_at(case, done, timezone.now()))


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_geography'),
        ('cases', '0009_case_unit_scope'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='next_due_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('next_due_at__isnull', False)), fields=['next_due_at', 'id'], name='case_next_due'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
