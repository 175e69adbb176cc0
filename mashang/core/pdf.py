"""What every PDF mashang makes shares: a Chinese font, and user text that is never markup.

reportlab draws the documents (the minutes of a review meeting, the printed form of a
demand); this module registers the font once and escapes what people typed, so a
document never reads a user's text as reportlab's paragraph markup.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

# TrueType collections tried in order (a collection's first face); reportlab's built-in CID
# font when none is on the machine. pypdf extracts Chinese text from all three.
PDF_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
)
PDF_FALLBACK_FONT = "STSong-Light"

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_clean(text: str) -> str:
    """The text without the control characters an XML document (docx, reportlab) cannot hold."""
    return _NOT_XML.sub("", text)


def pdf_font_register(candidates: Iterable[tuple[str, int]]) -> str:
    """Register the first font file that exists (or the CID fallback); return its font name."""
    for path, index in candidates:
        if not os.path.isfile(path):
            continue
        name = "MashangCJK-" + re.sub(r"[^A-Za-z0-9]+", "", os.path.basename(path)) + f"-{index}"
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            except Exception:  # a damaged or unsupported file: try the next one
                continue
        return name
    if PDF_FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FALLBACK_FONT))
    return PDF_FALLBACK_FONT


@functools.cache
def pdf_font() -> str:
    """The Chinese font of mashang's PDFs, registered with reportlab on first use."""
    return pdf_font_register(PDF_FONT_CANDIDATES)


def pdf_markup(text: str) -> str:
    """User text for a reportlab Paragraph: escaped, so it is never read as markup."""
    return escape(xml_clean(text)).replace("\r\n", "\n").replace("\n", "<br/>")
