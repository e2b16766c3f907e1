"""The simulated line's side of the demo: its tag map (fixtures/demo_tags.toml) and the cathode
feed rolls its stacker draws from, loaded idempotently by seed_demo."""

import tomllib
from pathlib import Path

from django.conf import settings

from lines import services
from lines.choices import UnitKind
from lines.models import Station, Tag, Unit

DEMO_TAGS = Path(settings.BASE_DIR) / "fixtures" / "demo_tags.toml"
TAG_FIELDS = (
    "parameter",
    "role",
    "sampling_interval_ms",
    "queue_size",
    "deadband_kind",
    "deadband_value",
    "description",
)


def load_demo_tags(*, path: Path = DEMO_TAGS) -> tuple[int, list[str]]:
    """Create the tags that are missing (an existing node id is left as the user set it) and the
    feed rolls. Returns (tags created, feed rolls created)."""
    data = tomllib.loads(path.read_text())
    stations = {s.code: s for s in Station.objects.all()}
    created = 0
    for item in data["tags"]:
        fields = {name: item.get(name, "") for name in TAG_FIELDS if name in item}
        _, made = Tag.objects.get_or_create(
            node_id=item["node_id"], defaults={"station": stations[item["station"]], **fields}
        )
        created += made
    return created, feed_rolls_create(data["feed_rolls"], data["feed_roll_length_m"])


def feed_rolls_create(lanes: list[str], length_m: float) -> list[str]:
    """The stacker's feed rolls, as lanes slit from one demo mother roll (MR-DEMO-01-A -> MR-DEMO-01)."""
    made = []
    mothers = sorted({lane.rsplit("-", 1)[0] for lane in lanes})
    for mother_id in mothers:
        if Unit.objects.filter(identifier=mother_id).exists():
            continue
        mother = services.unit_create(identifier=mother_id, kind=UnitKind.ROLL, quantity=length_m)
        daughters = [lane for lane in lanes if lane.startswith(f"{mother_id}-")]
        services.roll_split(parent=mother, daughter_identifiers=daughters)
        made.extend([mother_id, *daughters])
    return made
