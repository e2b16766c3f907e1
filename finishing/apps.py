from django.apps import AppConfig


class FinishingConfig(AppConfig):
    """Cell finishing: EOL grading, battery passports and labels. It changes when grading rules or
    passport regulations change, not when specs, flags or holds do (those stay in quality)."""

    name = "finishing"
    verbose_name = "Cell finishing"

    def ready(self) -> None:
        # After quality's gates (INSTALLED_APPS order): the EOL grade is checked last at completion.
        from finishing import demo
        from finishing.services import grading
        from finishing.web.unit_panel import grade_panel
        from lines import hooks
        from quality.web.unit_panels import unit_panel_register

        hooks.register(hooks.COMPLETE_CHECKS, grading.check_grade_at_eol)
        hooks.register(hooks.AFTER_DEMO_SEED, demo.load_demo_grading)
        unit_panel_register(grade_panel)  # the EOL grade on the unit history page
