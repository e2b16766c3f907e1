"""The process-conditions models take over their tables from quality (quality 0007): state only, the
quality_dryzone, _exposurebudget, _lotexposure, _exposureperiod, _exposureevent and
_pressureprofile tables and their rows stay as they are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0006_chained_keyed_audit"),
        ("lines", "0012_interlocks_and_write_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DryZone",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=32, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        ("h2s_alarm_ppm", models.FloatField(default=10.0)),
                        (
                            "station",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="dry_zone",
                                to="lines.station",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_dryzone",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="ExposureBudget",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("budget_weighted_min", models.FloatField()),
                        ("powder_weight", models.FloatField(default=1.0)),
                        ("slurry_weight", models.FloatField(default=0.05)),
                        ("laminated_weight", models.FloatField(default=0.2)),
                        ("sealed_weight", models.FloatField(default=0.0)),
                        (
                            "default_form",
                            models.CharField(
                                choices=[
                                    ("powder", "Powder or bare foil (whole surface open)"),
                                    ("slurry", "Slurry (particles wetted by solvent)"),
                                    (
                                        "laminated",
                                        "Laminated or coated (electrode, laminated foil)",
                                    ),
                                    ("sealed", "Sealed (vacuum bag, pouch)"),
                                ],
                                default="powder",
                                max_length=10,
                            ),
                        ),
                        ("description", models.CharField(blank=True, max_length=200)),
                        (
                            "material",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="lines.material",
                            ),
                        ),
                        (
                            "product",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="lines.product",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_exposurebudget",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="LotExposure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "form",
                            models.CharField(
                                choices=[
                                    ("powder", "Powder or bare foil (whole surface open)"),
                                    ("slurry", "Slurry (particles wetted by solvent)"),
                                    (
                                        "laminated",
                                        "Laminated or coated (electrode, laminated foil)",
                                    ),
                                    ("sealed", "Sealed (vacuum bag, pouch)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("carried_in_weighted_min", models.FloatField(default=0.0)),
                        ("accrued_weighted_min", models.FloatField(default=0.0)),
                        ("warned_at", models.DateTimeField(blank=True, null=True)),
                        ("started_at", models.DateTimeField()),
                        (
                            "budget",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="lots",
                                to="conditions.exposurebudget",
                            ),
                        ),
                        (
                            "hold",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="quality.hold",
                            ),
                        ),
                        (
                            "unit",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="exposure",
                                to="lines.unit",
                            ),
                        ),
                        (
                            "zone",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="conditions.dryzone",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_lotexposure",
                        "ordering": ["-started_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ExposurePeriod",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "form",
                            models.CharField(
                                choices=[
                                    ("powder", "Powder or bare foil (whole surface open)"),
                                    ("slurry", "Slurry (particles wetted by solvent)"),
                                    (
                                        "laminated",
                                        "Laminated or coated (electrode, laminated foil)",
                                    ),
                                    ("sealed", "Sealed (vacuum bag, pouch)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("form_weight", models.FloatField()),
                        ("opened_at", models.DateTimeField()),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("accrued_until", models.DateTimeField()),
                        ("weighted_min", models.FloatField(default=0.0)),
                        (
                            "h2s_flag",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="quality.flag",
                            ),
                        ),
                        (
                            "zone",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="periods",
                                to="conditions.dryzone",
                            ),
                        ),
                        (
                            "exposure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="periods",
                                to="conditions.lotexposure",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_exposureperiod",
                        "ordering": ["opened_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ExposureEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField()),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("started", "Tracking started"),
                                    ("opened", "Container opened"),
                                    ("closed", "Container closed"),
                                    ("moved", "Moved to another zone"),
                                    ("form_changed", "Form changed"),
                                    ("warning", "Warning: 80 % of the budget spent"),
                                    ("exhausted", "Budget spent: lot held"),
                                    ("h2s_alarm", "H2S alarm in the zone while open"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "form",
                            models.CharField(
                                choices=[
                                    ("powder", "Powder or bare foil (whole surface open)"),
                                    ("slurry", "Slurry (particles wetted by solvent)"),
                                    (
                                        "laminated",
                                        "Laminated or coated (electrode, laminated foil)",
                                    ),
                                    ("sealed", "Sealed (vacuum bag, pouch)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("total_weighted_min", models.FloatField()),
                        ("detail", models.CharField(blank=True, max_length=200)),
                        (
                            "by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "zone",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="conditions.dryzone",
                            ),
                        ),
                        (
                            "exposure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="conditions.lotexposure",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_exposureevent",
                        "ordering": ["at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="PressureProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("started_at", models.DateTimeField()),
                        ("ended_at", models.DateTimeField()),
                        ("readings", models.PositiveIntegerField()),
                        ("threshold_mpa", models.FloatField(blank=True, null=True)),
                        ("threshold_source", models.CharField(blank=True, max_length=64)),
                        ("time_at_pressure_s", models.FloatField(blank=True, null=True)),
                        ("peak_pressure_mpa", models.FloatField(blank=True, null=True)),
                        ("min_pressure_mpa", models.FloatField(blank=True, null=True)),
                        ("peak_temperature_c", models.FloatField(blank=True, null=True)),
                        ("plc_hold_time_s", models.FloatField(blank=True, null=True)),
                        ("derived_sample_ids", models.JSONField(blank=True, default=list)),
                        ("computed_at", models.DateTimeField()),
                        (
                            "operation",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="pressure_profile",
                                to="lines.operation",
                            ),
                        ),
                        (
                            "station",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="lines.station",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="lines.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_pressureprofile",
                        "ordering": ["-ended_at", "-id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="dryzone",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("h2s_alarm_ppm__gt", 0)), name="dryzone_alarm_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exposurebudget",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("material__isnull", False), ("product__isnull", True)),
                            models.Q(("material__isnull", True), ("product__isnull", False)),
                            _connector="OR",
                        ),
                        name="exposurebudget_material_xor_product",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exposurebudget",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("budget_weighted_min__gt", 0)),
                        name="exposurebudget_positive",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exposurebudget",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("powder_weight__gte", 0),
                            ("slurry_weight__gte", 0),
                            ("laminated_weight__gte", 0),
                            ("sealed_weight__gte", 0),
                        ),
                        name="exposurebudget_weights_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="lotexposure",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("accrued_weighted_min__gte", models.F("carried_in_weighted_min")),
                            ("carried_in_weighted_min__gte", 0),
                        ),
                        name="lotexposure_accrued_not_negative",
                    ),
                ),
                migrations.AddIndex(
                    model_name="exposureperiod",
                    index=models.Index(
                        fields=["zone", "opened_at"], name="exposureperiod_zone_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exposureperiod",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("closed_at__isnull", True)),
                        fields=("exposure",),
                        name="exposureperiod_one_open_per_lot",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exposureperiod",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("closed_at__isnull", True),
                            ("closed_at__gte", models.F("opened_at")),
                            _connector="OR",
                        ),
                        name="exposureperiod_closes_after_opening",
                    ),
                ),
                migrations.AddIndex(
                    model_name="pressureprofile",
                    index=models.Index(
                        fields=["unit", "ended_at"], name="pressureprofile_unit_idx"
                    ),
                ),
            ],
        ),
    ]
