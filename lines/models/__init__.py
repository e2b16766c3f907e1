"""Models of the lines app, one module per concern."""

from lines.models.declaration import LotDeclaration
from lines.models.genealogy import GenealogyEdge
from lines.models.interlock import Interlock, InterlockCode, InterlockSide, InterlockState
from lines.models.operation import Operation
from lines.models.plant import Equipment, Line, Station
from lines.models.product import Material, Product, Recipe, Route, RouteStep, WorkOrder
from lines.models.recipe_download import RecipeDownload
from lines.models.telemetry import (
    ConnectionGap,
    DeadbandKind,
    IngestBatch,
    Sample,
    SampleSource,
    Tag,
    TagRole,
)
from lines.models.telemetry_segment import SampleSegment, SegmentUnit
from lines.models.unit import Unit, UnitHistory

__all__ = [
    "ConnectionGap",
    "DeadbandKind",
    "Equipment",
    "GenealogyEdge",
    "IngestBatch",
    "Interlock",
    "InterlockCode",
    "InterlockSide",
    "InterlockState",
    "Line",
    "LotDeclaration",
    "Material",
    "Operation",
    "Product",
    "Recipe",
    "RecipeDownload",
    "Route",
    "RouteStep",
    "Sample",
    "SampleSegment",
    "SegmentUnit",
    "SampleSource",
    "Tag",
    "TagRole",
    "Station",
    "Unit",
    "UnitHistory",
    "WorkOrder",
]
