"""How a parameter code reads on a screen: a display name in the reader's language and its unit.

Parameter codes (`areal_loading_mg_cm2`) are what PLC tags, specs and samples store; an operator
reads "Areal loading (mg/cm²)". The unit comes from the spec or recipe when one gives it, else from
the code's unit suffix (every code names its unit, DESIGN.md habit 12), so a parameter without a
spec (the dryer zones) still shows one. A code nobody named here is shown as itself.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

NAMES: dict[str, Promise] = {
    "areal_loading_mg_cm2": gettext_lazy("Areal loading"),
    "dry_thickness_um": gettext_lazy("Dry coating thickness"),
    "coating_width_mm": gettext_lazy("Coating width"),
    "web_speed_m_min": gettext_lazy("Web speed"),
    "web_position_m": gettext_lazy("Web position"),
    "thickness_um": gettext_lazy("Thickness after press"),
    "density_g_cm3": gettext_lazy("Electrode density"),
    "line_load_kn_cm": gettext_lazy("Line load"),
    "alignment_mm": gettext_lazy("Cathode-to-anode alignment"),
    "anode_overhang_mm": gettext_lazy("Anode overhang"),
    "overhang_mm": gettext_lazy("Anode overhang"),
    "sheet_count": gettext_lazy("Sheet count"),
    "stacking_pressure_mpa": gettext_lazy("Stacking pressure"),
    "stack_pressure_mpa": gettext_lazy("Stack pressure"),
    "isostatic_pressure_mpa": gettext_lazy("Isostatic pressure"),
    "temperature_c": gettext_lazy("Temperature"),
    "hold_time_s": gettext_lazy("Hold time at pressure"),
    "time_at_pressure_s": gettext_lazy("Time at pressure"),
    "seal_temperature_c": gettext_lazy("Seal bar temperature"),
    "seal_time_s": gettext_lazy("Seal time"),
    "capacity_ah": gettext_lazy("Discharge capacity"),
    "first_cycle_efficiency_pct": gettext_lazy("First-cycle efficiency"),
    "ocv_v": gettext_lazy("Open-circuit voltage (OCV)"),
    "acir_mohm": gettext_lazy("AC internal resistance (ACIR)"),
    "self_discharge_mv_day": gettext_lazy("Self-discharge"),
    "dew_point_c": gettext_lazy("Dew point"),
    "h2s_ppm": gettext_lazy("H₂S concentration"),
}
NUMBERED = ((re.compile(r"^dryer_zone_(\d+)_c$"), gettext_lazy("Dryer zone %(n)s temperature")),)

# Unit suffixes of parameter codes, longest first, and how each unit is written.
SUFFIX_UNITS = (
    ("_mg_cm2", "mg/cm²"),
    ("_g_cm3", "g/cm³"),
    ("_kn_cm", "kN/cm"),
    ("_m_min", "m/min"),
    ("_mv_day", "mV/d"),
    ("_mohm", "mΩ"),
    ("_mpa", "MPa"),
    ("_ppm", "ppm"),
    ("_pct", "%"),
    ("_ah", "Ah"),
    ("_um", "µm"),
    ("_mm", "mm"),
    ("_c", "°C"),
    ("_s", "s"),
    ("_v", "V"),
    ("_m", "m"),
)
# Units as specs spell them in ASCII, as they are printed. A count has no unit ("-", "1").
UNIT_SPELLING = {
    "mg/cm2": "mg/cm²",
    "g/cm3": "g/cm³",
    "um": "µm",
    "degc": "°C",
    "deg c": "°C",
    "mohm": "mΩ",
    "-": "",
    "1": "",
}


@dataclass(frozen=True)
class ParameterLabel:
    code: str
    name: str  # in the active language
    uom: str  # as printed; "" for a count

    @property
    def text(self) -> str:
        """ "Areal loading (mg/cm²)", or the name alone for a count."""
        return f"{self.name} ({self.uom})" if self.uom else self.name


def unit_text(uom: str) -> str:
    """A unit as it is printed ("um" -> "µm", "-" -> "")."""
    return UNIT_SPELLING.get(uom.strip().lower(), uom.strip())


def parameter_label(code: str, uom: str | None = None) -> ParameterLabel:
    """The display name of `code` in the active language, with `uom` (from a spec or recipe)
    or, without one, the unit its code names."""
    name = NAMES.get(code)
    text = str(name) if name is not None else ""
    for pattern, template in NUMBERED:
        match = pattern.match(code)
        if match and not text:
            text = str(template) % {"n": match.group(1)}
    if uom is None:
        uom = next((unit for suffix, unit in SUFFIX_UNITS if code.endswith(suffix)), "")
    return ParameterLabel(code, text or code, unit_text(uom))
