"""Cell finishing and process conditions leave quality for apps of their own (finishing/,
conditions/). Their models keep the tables they had (Meta.db_table), so this only drops them from
quality's migration state; finishing 0001 and conditions 0001 take them over. No row is copied.

Their content types move with them (same ids), so permissions granted on these models, the groups
holding them, and admin log entries stay attached.
"""

from django.db import migrations

MOVED = {
    "finishing": ("gradingscheme", "cellgrade", "passportprofile"),
    "conditions": (
        "dryzone",
        "exposurebudget",
        "lotexposure",
        "exposureperiod",
        "exposureevent",
        "pressureprofile",
    ),
}


def _relabel(apps, *, forward: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for app, models in MOVED.items():
        old, new = ("quality", app) if forward else (app, "quality")
        for model in models:
            # A content type already made under the new label (post_migrate of an earlier run)
            # holds no permission a group could have been given before the move: drop it.
            content_type.objects.filter(app_label=new, model=model).filter(
                permission__isnull=True
            ).delete()
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)
            # The auth permissions' names and codenames have no app in them: nothing to rename.


def content_types_forward(apps, schema_editor):
    _relabel(apps, forward=True)


def content_types_back(apps, schema_editor):
    _relabel(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0007_holdmember_without_redundant_indexes"),
        ("finishing", "0001_initial"),
        ("conditions", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="dryzone",
                    name="station",
                ),
                migrations.RemoveField(
                    model_name="exposureperiod",
                    name="zone",
                ),
                migrations.RemoveField(
                    model_name="exposureevent",
                    name="zone",
                ),
                migrations.RemoveField(
                    model_name="lotexposure",
                    name="zone",
                ),
                migrations.RemoveField(
                    model_name="exposurebudget",
                    name="material",
                ),
                migrations.RemoveField(
                    model_name="exposurebudget",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="lotexposure",
                    name="budget",
                ),
                migrations.RemoveField(
                    model_name="exposureevent",
                    name="by",
                ),
                migrations.RemoveField(
                    model_name="exposureevent",
                    name="exposure",
                ),
                migrations.RemoveField(
                    model_name="exposureperiod",
                    name="exposure",
                ),
                migrations.RemoveField(
                    model_name="exposureperiod",
                    name="h2s_flag",
                ),
                migrations.RemoveField(
                    model_name="gradingscheme",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="lotexposure",
                    name="hold",
                ),
                migrations.RemoveField(
                    model_name="lotexposure",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="passportprofile",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="pressureprofile",
                    name="operation",
                ),
                migrations.RemoveField(
                    model_name="pressureprofile",
                    name="station",
                ),
                migrations.RemoveField(
                    model_name="pressureprofile",
                    name="unit",
                ),
                migrations.DeleteModel(
                    name="CellGrade",
                ),
                migrations.DeleteModel(
                    name="DryZone",
                ),
                migrations.DeleteModel(
                    name="ExposureBudget",
                ),
                migrations.DeleteModel(
                    name="ExposureEvent",
                ),
                migrations.DeleteModel(
                    name="ExposurePeriod",
                ),
                migrations.DeleteModel(
                    name="GradingScheme",
                ),
                migrations.DeleteModel(
                    name="LotExposure",
                ),
                migrations.DeleteModel(
                    name="PassportProfile",
                ),
                migrations.DeleteModel(
                    name="PressureProfile",
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_back),
    ]
