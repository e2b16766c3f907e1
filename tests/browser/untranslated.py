"""What counts as English left on a zh-Hans screen.

The browser hands over what a reader meets: visible text nodes (HTML and SVG, the page title),
and the words a screen reader or an empty field shows (aria-label, placeholder, alt, title).
Text inside translate="no" is recorded text shown as it was written (a reason a person typed,
a user's name, an audit action): it is skipped. Left over, a word of Latin letters is English
unless it is a code (identifiers, station codes, parameter names hold digits, '-', '_', '.', ':'
or '/') or one of the few abbreviations and units below that a Chinese plant writes as they are.
"""

import re

# Each entry is written the same way on a Chinese battery line's own documents.
KEPT = {
    # Names of things: the product, the sign-in secret, the machine, a file format, a time zone.
    "MES", "PIN", "PLC", "OPC", "UA", "API", "CSV", "JSON", "QR", "UTC", "SHA", "English",
    # Quality terms used untranslated in Chinese plants (IATF 16949 / SPC practice).
    "NCR", "SPC", "LSL", "USL", "LCL", "UCL", "CL", "Cp", "Cpk", "Pp", "Ppk", "OCV", "ACIR", "EOL",
    # Overall equipment effectiveness: Chinese plants say OEE (设备综合效率 where spelled out).
    "OEE",
    # Units of measure (SI and the ones in DESIGN.md).
    "m", "mm", "um", "kg", "g", "cm", "MPa", "kN", "Ah", "V", "mV", "mOhm", "ppm", "degC",
    "min", "s", "h", "d", "pcs", "sigma",
}  # fmt: skip

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.:/\-]*")
CODE_MARK = re.compile(r"[0-9_.:/\-]")


def english_words(text: str) -> list[str]:
    """The English words in `text`: Latin words that are neither codes nor kept terms."""
    words = {word.rstrip(".:-/") for word in WORD.findall(text)}
    return sorted(w for w in words if w and w not in KEPT and not CODE_MARK.search(w))


# Runs in the page: visible text nodes and reader-facing attributes, outside translate="no".
READER_TEXT_JS = """() => {
  const skipped = (el) => el.closest('[translate="no"], script, style, noscript, template');
  const shown = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: false});
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (node.data.trim() && el && !skipped(el) && shown(el)) texts.push(node.data.trim());
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [alt], [title]')) {
    if (skipped(el) || !shown(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'alt', 'title']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""


def english_left(page) -> list[str]:
    """Each text on the page that still holds English, with the words that made it fail."""
    return [
        f"{text!r}: {', '.join(words)}"
        for text in dict.fromkeys(page.evaluate(READER_TEXT_JS))
        if (words := english_words(text))
    ]
