"""The cell label printed at the EOL gate: serial, grade, the figures the grade rests on and the
passport QR code, as one SVG a label printer driver (or a browser) prints at 62 x 29 mm."""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from finishing.passport import qr_svg


@dataclass(frozen=True)
class LabelContent:
    serial: str
    product: str
    grade: str
    k_mv_day: float | None
    ocv_v: float | None
    acir_mohm: float | None
    capacity_ah: float | None
    batch: str
    digital_link: str | None


def _figure(value: float | None, spec: str, unit: str) -> str:
    return "n/m" if value is None else f"{value:{spec}} {unit}"


def label_text(content: LabelContent) -> list[str]:
    """The label's lines, as printed (also what a text-only printer gets)."""
    return [
        content.serial,
        f"{content.product}  GRADE {content.grade.upper()}",
        f"OCV {_figure(content.ocv_v, '.4f', 'V')}  K {_figure(content.k_mv_day, '.3f', 'mV/d')}",
        f"ACIR {_figure(content.acir_mohm, '.3f', 'mOhm')}  "
        f"C {_figure(content.capacity_ah, '.2f', 'Ah')}",
        f"batch {content.batch}",
    ]


def label_svg(content: LabelContent) -> str:
    """62 x 29 mm: text on the left, the QR code (when the passport has a link) on the right."""
    rows = label_text(content)
    sizes = [3.2, 2.6, 2.2, 2.2, 1.8]
    bold = ' font-weight="bold"'
    texts = "".join(
        f'<text x="2" y="{4 + 5.2 * i:.1f}" font-size="{size}" font-family="monospace"'
        f"{bold if i < 2 else ''}>{escape(row)}</text>"
        for i, (row, size) in enumerate(zip(rows, sizes, strict=True))
    )
    qr = ""
    if content.digital_link:
        size, inner = _qr_drawing(content.digital_link)
        qr = f'<svg x="35" y="2" width="25" height="25" viewBox="0 0 {size} {size}">{inner}</svg>'
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="29mm" '
        f'viewBox="0 0 62 29"><rect width="62" height="29" fill="#fff"/>{texts}{qr}</svg>'
    )


def _qr_drawing(link: str) -> tuple[str, str]:
    """The QR code's size in modules and its drawing without the outer <svg> element."""
    document = qr_svg(link, scale=1)
    size = document.split('width="', 1)[1].split('"', 1)[0]
    return size, document[document.index(">") + 1 : document.rindex("</svg>")]
