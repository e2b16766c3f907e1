"""The finishing models take over their tables from quality (quality 0007): state only, the tables
(quality_gradingscheme, quality_cellgrade, quality_passportprofile) and their rows stay as they are."""

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
                    name="GradingScheme",
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
                        ("ocv_window_mv", models.FloatField(default=5.0)),
                        ("ocv_min_v", models.FloatField(blank=True, null=True)),
                        ("ocv_max_v", models.FloatField(blank=True, null=True)),
                        ("k_max_mv_day", models.FloatField(blank=True, null=True)),
                        ("acir_max_mohm", models.FloatField(blank=True, null=True)),
                        ("capacity_min_ah", models.FloatField(blank=True, null=True)),
                        ("min_readings", models.PositiveIntegerField(default=3)),
                        ("min_span_days", models.FloatField(default=1.0)),
                        ("min_batch", models.PositiveIntegerField(default=5)),
                        ("temp_coeff_mv_per_c", models.FloatField(default=0.0)),
                        ("reference_c", models.FloatField(default=25.0)),
                        ("grades", models.JSONField(default=list)),
                        ("required_at_eol", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField()),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="lines.product",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_gradingscheme",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="CellGrade",
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
                        ("batch", models.CharField(max_length=64)),
                        ("grade", models.CharField(max_length=16)),
                        ("reasons", models.JSONField(blank=True, default=list)),
                        ("k_mv_day", models.FloatField(blank=True, null=True)),
                        ("k_stderr_mv_day", models.FloatField(blank=True, null=True)),
                        ("ocv_v", models.FloatField(blank=True, null=True)),
                        ("ocv_median_v", models.FloatField(blank=True, null=True)),
                        ("ocv_deviation_mv", models.FloatField(blank=True, null=True)),
                        ("acir_mohm", models.FloatField(blank=True, null=True)),
                        ("capacity_ah", models.FloatField(blank=True, null=True)),
                        ("readings", models.PositiveIntegerField(default=0)),
                        ("aging_days", models.FloatField(default=0.0)),
                        ("graded_at", models.DateTimeField()),
                        (
                            "graded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="grades",
                                to="lines.unit",
                            ),
                        ),
                        (
                            "scheme",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="finishing.gradingscheme",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_cellgrade",
                        "ordering": ["-graded_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="PassportProfile",
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
                        ("manufacturer_name", models.CharField(blank=True, max_length=120)),
                        ("manufacturer_identifier", models.CharField(blank=True, max_length=120)),
                        ("manufacturing_place", models.CharField(blank=True, max_length=200)),
                        ("battery_category", models.CharField(blank=True, max_length=32)),
                        ("chemistry", models.CharField(blank=True, max_length=64)),
                        ("cathode_material", models.CharField(blank=True, max_length=120)),
                        ("anode_material", models.CharField(blank=True, max_length=120)),
                        ("electrolyte", models.CharField(blank=True, max_length=120)),
                        ("rated_capacity_ah", models.FloatField(blank=True, null=True)),
                        ("nominal_voltage_v", models.FloatField(blank=True, null=True)),
                        ("min_voltage_v", models.FloatField(blank=True, null=True)),
                        ("max_voltage_v", models.FloatField(blank=True, null=True)),
                        ("gtin", models.CharField(blank=True, max_length=14)),
                        ("resolver_url", models.URLField(blank=True)),
                        (
                            "product",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="passport_profile",
                                to="lines.product",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "quality_passportprofile",
                        "ordering": ["product"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="gradingscheme",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ocv_window_mv__gt", 0)),
                        name="gradingscheme_window_positive",
                    ),
                ),
                migrations.AddIndex(
                    model_name="cellgrade",
                    index=models.Index(
                        fields=["unit", "graded_at"], name="cellgrade_unit_time_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="cellgrade",
                    index=models.Index(fields=["batch"], name="cellgrade_batch_idx"),
                ),
            ],
        ),
    ]
