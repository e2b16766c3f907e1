"""One signed decision per flag and per hold; a hold's `released_at` set exactly when released;
one active hold per flag, and per unit and reason for holds without a flag.

Before these constraints, signers racing on one flag could store several decisions (issue #19).
A database that holds such duplicates cannot take the constraints: the check below names them
and stops the migration instead of failing on an anonymous IntegrityError. They are signed
records; a quality engineer decides which stands (docs/quality.md, "Two signers at once").
"""

from django.db import migrations, models
from django.db.models import Count, Q


def refuse_duplicates(apps, schema_editor):
    disposition = apps.get_model("quality", "Disposition")
    hold = apps.get_model("quality", "Hold")
    problems = []
    for subject in ("flag", "hold"):
        twice = (
            disposition.objects.filter(**{f"{subject}__isnull": False})
            .order_by()
            .values(subject)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        problems += [f"{subject} {row[subject]}: {row['n']} dispositions" for row in twice]
    active = hold.objects.filter(state="active")
    for key in (["flag"], ["unit", "reason"]):
        rows = (
            active.filter(flag__isnull=key != ["flag"])
            .order_by()
            .values(*key)
            .annotate(n=Count("id"))
        )
        problems += [f"active holds on {row}: {row['n']}" for row in rows.filter(n__gt=1)]
    wrong = hold.objects.exclude(
        Q(state="active", released_at__isnull=True) | Q(state="released", released_at__isnull=False)
    )
    problems += [
        f"hold {pk}: state and released_at disagree" for pk in wrong.values_list("id", flat=True)
    ]
    if problems:
        raise RuntimeError(
            "Cannot add the one-decision constraints; resolve these first:\n" + "\n".join(problems)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0004_exposure_and_pressure_profiles"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="disposition",
            constraint=models.UniqueConstraint(
                condition=models.Q(("flag__isnull", False)),
                fields=("flag",),
                name="disposition_one_per_flag",
            ),
        ),
        migrations.AddConstraint(
            model_name="disposition",
            constraint=models.UniqueConstraint(
                condition=models.Q(("hold__isnull", False)),
                fields=("hold",),
                name="disposition_one_per_hold",
            ),
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("released_at__isnull", True), ("state", "active")),
                    models.Q(("released_at__isnull", False), ("state", "released")),
                    _connector="OR",
                ),
                name="hold_released_at_iff_released",
            ),
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.UniqueConstraint(
                condition=models.Q(("flag__isnull", False), ("state", "active")),
                fields=("flag",),
                name="hold_one_active_per_flag",
            ),
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.UniqueConstraint(
                condition=models.Q(("flag__isnull", True), ("state", "active")),
                fields=("unit", "reason"),
                name="hold_one_active_per_unit_reason",
            ),
        ),
    ]
