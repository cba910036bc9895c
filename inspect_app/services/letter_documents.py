"""The files of a reminder letter: printable HTML, PDF (WeasyPrint) and DOCX (python-docx).

Every file is drawn from what was stored when the letter was issued (its frame and items),
never from the records as they are now, so a letter downloaded a month later still says what
was sent. The DOCX is there for the clerk who adjusts the wording before the letter is
signed on paper; it has the same frame, the same table and A4 margins of Decree 30.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from jinja2 import Environment, FileSystemLoader, select_autoescape

from inspect_app.domain.letters import body_paragraphs
from inspect_app.services.reminder_letters import Letter
from inspect_app.services.report_render import TEMPLATE_DIR, write_pdf

FONT = "Times New Roman"
ITEM_HEADERS = ("STT", "Cuộc thanh tra", "Kiến nghị", "Hạn thực hiện", "Còn phải thực hiện")
ITEM_WIDTHS_MM = (12, 40, 68, 22, 23)  # 165 mm: A4 less the 30 mm and 15 mm margins


def _body(letter: Letter) -> tuple[list[str], list[str]]:
    return body_paragraphs(
        letter.frame.issuer, letter.addressee, len(letter.items), letter.report_by, letter.note
    )


def file_name(letter: Letter, extension: str) -> str:
    """ "cong-van-05-2026.pdf": the number and the year, ASCII only."""
    return f"cong-van-{letter.number:02d}-{letter.year}.{extension}"


def render_html(letter: Letter) -> str:
    """The standalone printable letter (styles embedded); the PDF is drawn from it."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("reminders/document.html")
    return template.render(letter=letter, body=_body(letter))


async def render_pdf(letter: Letter) -> bytes:
    """The letter as PDF (WeasyPrint in a child process, as reports are)."""
    with tempfile.TemporaryDirectory(prefix="letter-") as folder:
        html_path = Path(folder) / "letter.html"
        pdf_path = Path(folder) / "letter.pdf"
        html_path.write_text(render_html(letter), encoding="utf-8")
        await write_pdf(html_path, pdf_path)
        return pdf_path.read_bytes()


# --------------------------------------------------------------------------- DOCX


def _paragraph(
    container: Any,
    text: str,
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    indent_mm: float = 0,
    space_after: float = 0,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if indent_mm:
        fmt.first_line_indent = Mm(indent_mm)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    return paragraph


def _first_paragraph(cell: _Cell, text: str, **options: Any) -> None:
    # A new cell holds one empty paragraph: write the first line into it.
    paragraph = cell.paragraphs[0]
    cell._element.remove(paragraph._element)
    _paragraph(cell, text, **options)


def _no_borders(table: Any) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def render_docx(letter: Letter) -> bytes:
    """The letter as an editable Word document (A4, Times New Roman, Decree 30 margins)."""
    frame = letter.frame
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)

    head = document.add_table(rows=1, cols=2)
    _no_borders(head)
    left, right = head.rows[0].cells
    left.width, right.width = Mm(66), Mm(99)
    lines: list[tuple[str, dict[str, Any]]] = (
        [(frame.parent_body, {"size": 13})] if frame.parent_body else []
    )
    lines += [
        (frame.agency_name, {"size": 13, "bold": True}),
        (frame.number_line, {"size": 13}),
        (frame.summary, {"size": 12}),
    ]
    _first_paragraph(left, lines[0][0], **lines[0][1])
    for text, options in lines[1:]:
        _paragraph(left, text, **options)
    _first_paragraph(right, frame.national_name, size=12, bold=True)
    _paragraph(right, frame.motto, size=13, bold=True)
    _paragraph(right, frame.date_line, size=14, italic=True)

    _paragraph(document, "", size=8)
    for index, line in enumerate(frame.recipients):
        _paragraph(document, f"Kính gửi: {line}" if index == 0 else line, space_after=6)
    before, after = _body(letter)
    for text in before:
        _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_mm=10, space_after=6)

    items = document.add_table(rows=1, cols=len(ITEM_HEADERS))
    items.style = "Table Grid"
    items.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title, width in zip(items.rows[0].cells, ITEM_HEADERS, ITEM_WIDTHS_MM, strict=True):
        cell.width = Mm(width)
        _first_paragraph(cell, title, size=12, bold=True)
    for item in letter.items:
        values = (
            str(item.position),
            f"{item.inspection_code}\n{item.inspection_title}",
            item.description,
            item.due_text,
            item.left_text,
        )
        aligns = ("center", "left", "left", "center", "right")
        cells = items.add_row().cells
        for cell, value, align, width in zip(cells, values, aligns, ITEM_WIDTHS_MM, strict=True):
            cell.width = Mm(width)
            _first_paragraph(cell, value, size=12, align=getattr(WD_ALIGN_PARAGRAPH, align.upper()))

    _paragraph(document, "", size=6)
    for text in after:
        _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_mm=10, space_after=6)

    foot = document.add_table(rows=1, cols=2)
    _no_borders(foot)
    copies, signer = foot.rows[0].cells
    copies.width, signer.width = Mm(75), Mm(90)
    _first_paragraph(
        copies, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT
    )
    for line in frame.distribution:
        _paragraph(copies, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    titles = list(frame.signer_lines)
    _first_paragraph(signer, titles[0], bold=True)
    for line in titles[1:]:
        _paragraph(signer, line, bold=True)
    for _ in range(4):
        _paragraph(signer, "")
    _paragraph(signer, frame.signer_name, bold=True)

    document.core_properties.title = f"Công văn {frame.number_line}"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
