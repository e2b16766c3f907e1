"""Words for the passport page's codes, translatable (the API keeps the codes and English)."""

from django.utils.translation import gettext_lazy as _

MATERIAL_CATEGORY = {
    "cathode_active": _("Cathode active material"),
    "solid_electrolyte": _("Solid electrolyte"),
    "conductive_additive": _("Conductive additive"),
    "binder": _("Binder"),
    "solvent": _("Solvent"),
    "current_collector": _("Current collector foil"),
    "anode": _("Anode material"),
    "packaging": _("Pouch film and tabs"),
}
# Regulation (EU) 2024/1252's critical raw materials, by element symbol.
ELEMENT = {
    "Al": _("aluminium"),
    "Co": _("cobalt"),
    "Cu": _("copper"),
    "Li": _("lithium"),
    "Mn": _("manganese"),
    "Ni": _("nickel"),
    "P": _("phosphorus"),
    "Si": _("silicon"),
    "Pb": _("lead"),
}
STEP = {
    "stacking": _("Stacking"),
    "densification": _("Densification"),
    "sealing": _("Sealing"),
    "formation": _("Formation"),
    "eol": _("EOL test"),
}
