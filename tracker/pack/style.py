"""The house style of the tracker's PDFs (the board pack, the project highlight report): DejaVu fonts
embedded, A4, "Page 3 of 20" and a running header, bookmarks, GOV.UK colours, and fast tables.

Tables are the cost of a big pack (15,000 action rows). A cell that is only text is a plain string,
wrapped here to its column with the font's metrics, not a Paragraph: ReportLab measures and draws a
string in a fraction of a Paragraph's time, and a plain string is drawn literally, so '<', '&' and
quotes need no escaping. The pack's tables (projects, actions, exceptions, KPIs, risks) are
TextTables, laid out once and drawn as PDF operators without ReportLab's Table; ``table`` (a
ReportLab Table) is left for the small ones. Status cells are coloured by one fill per run of equal
colours.
"""

from __future__ import annotations

import functools
import gc
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from reportlab import rl_config  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing, PolyLine, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_LEFT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    CellStyle,
    Flowable,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    TableStyle,
)

from tracker.pack.content import status_label
from tracker.programme.status import Status

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT, BOLD = "PackSans", "PackSans-Bold"
KPI_COLOURS = {"green": ("#00703c", "#ffffff"), "amber": ("#ffdd00", "#0b0c0c"), "red": ("#d4351c", "#ffffff")}
RAG_COLOURS = {"low": KPI_COLOURS["green"], "medium": KPI_COLOURS["amber"], "high": KPI_COLOURS["red"]}
INK = colors.HexColor("#0b0c0c")
RULE = colors.HexColor("#b1b4b6")
MARGIN = 18 * mm
CELL_SIZE, CELL_LEADING, CELL_PAD, CELL_VPAD = 7.5, 9.2, 3, 3


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed (Debian: fonts-dejavu-core)."""


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
            return
    raise FontMissing("The board pack needs DejaVu Sans: install the Debian package fonts-dejavu-core.")


def paragraph_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT)
    return {
        "body": ParagraphStyle("body", parent=base, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=CELL_SIZE, leading=CELL_LEADING),
        "cellhead": ParagraphStyle("cellhead", parent=base, fontName=BOLD, fontSize=CELL_SIZE, leading=CELL_LEADING),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=18, leading=23, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=14, leading=18, spaceBefore=6, spaceAfter=6),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4, keepWithNext=1
        ),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=26, leading=32, spaceAfter=14),
        "cover": ParagraphStyle("cover", parent=base, fontSize=13, leading=18, spaceAfter=6),
    }


def markup(value: Any) -> str:
    """Escape item text for a Paragraph so '<', '&' and quotes come out literally; keep its line breaks."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


class Heading(Paragraph):
    """A heading that becomes a bookmark in the document outline."""

    def __init__(self, text: str, style: ParagraphStyle, key: str, level: int) -> None:
        super().__init__(markup(text), style)
        self.outline = (text, key, level)


class OutlinedDoc(BaseDocTemplate):
    """A4 with the house margins; every Heading becomes a bookmark."""

    def afterFlowable(self, flowable: Any) -> None:
        outline = getattr(flowable, "outline", None)
        if outline:
            text, key, level = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=False)


def numbered_canvas(header: str, pages: list[int] | None = None) -> type[Canvas]:
    """Return a canvas class that writes "Page n of N" and the running header once all pages are known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = FONT  # no page falls back on an unembedded Helvetica
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            if pages is not None:
                pages.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(INK)
            if self._pageNumber > 1:  # the first page carries the title itself
                self.drawString(MARGIN, height - 12 * mm, header)
                self.setStrokeColor(RULE)
                self.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
            self.drawRightString(width - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def render(
    story: list,
    *,
    title: str,
    author: str,
    subject: str,
    header: str,
    top: float = 20 * mm,
    pages: list[int] | None = None,
) -> bytes:
    """Build a story into PDF bytes: the same story gives the same bytes (invariant mode). ``pages``,
    if given, receives the number of pages."""
    # Page streams compressed but not ASCII85-encoded: a binary stream is valid PDF, a fifth smaller,
    # and ReportLab's pure-Python ASCII85 encoder is a tenth of a big pack's time.
    rl_config.useA85 = 0
    buffer = io.BytesIO()
    doc = OutlinedDoc(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=top,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Improvement programme tracker",
        lang="en-GB",
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    # The cyclic garbage collector would walk the hundreds of thousands of objects a big pack holds,
    # again and again, while the build creates few cycles: it waits until the document is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        doc.build(story, canvasmaker=numbered_canvas(header, pages))
    finally:
        if collecting:
            gc.enable()
    return buffer.getvalue()


# --- tables --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coloured:
    """A cell's word in bold on a fill, the text colour contrasting with it (status: colour plus word)."""

    word: str
    colours: tuple[str, str] | None


def status_colours(value: str | None, palette: dict[str, tuple[str, str]] | None = None) -> tuple[str, str] | None:
    if not value:
        return None
    if palette is not None:
        return palette.get(value)
    status = Status(value)
    return status.chart_fill, status.chart_text


@functools.lru_cache(maxsize=64)
def status_cell(value: str, overdue: bool) -> Coloured:
    """The status as a word (and "overdue") on its colour (a handful of distinct cells, remembered)."""
    return Coloured(status_label(value) + (" (overdue)" if overdue else ""), status_colours(value))


@functools.cache
def _advances(font_name: str) -> tuple[list[float], float]:
    """Every Basic Multilingual Plane character's advance width in a font (per 1,000 units of size)."""
    face = pdfmetrics.getFont(font_name).face
    default = face.defaultWidth
    return [face.charWidths.get(code, default) for code in range(0x10000)], default


def text_width(text: str, font: str = FONT, size: float = CELL_SIZE) -> float:
    """The width of a line of text: ReportLab's stringWidth, by table lookup (it is most of a big
    pack's wrapping time in pure Python)."""
    advances, default = _advances(font)
    try:
        return sum(map(advances.__getitem__, map(ord, text))) * size / 1000
    except IndexError:  # a character beyond the BMP
        return sum(advances[c] if c < 0x10000 else default for c in map(ord, text)) * size / 1000


@functools.lru_cache(maxsize=65536)
def wrap(value: Any, width: float, font: str = FONT, size: float = CELL_SIZE) -> str:
    """Break text into lines that fit the width, at spaces; a word longer than the width is broken
    too. The same text recurs (leads, dates, statuses), so results are remembered."""
    text = "" if value is None else str(value)
    lines: list[str] = []
    space = text_width(" ", font, size)
    for paragraph in text.split("\n"):
        if text_width(paragraph, font, size) <= width:
            lines.append(paragraph)
            continue
        line, line_width = "", 0.0
        for word in paragraph.split():
            word_width = text_width(word, font, size)
            while word_width > width:  # a word longer than the column: break it where it fills the line
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut], font, size) > width:
                    cut -= 1
                if line:
                    lines.append(line)
                lines.append(word[:cut])
                line, line_width = "", 0.0
                word = word[cut:]
                word_width = text_width(word, font, size)
            if not line:
                line, line_width = word, word_width
            elif line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
            else:
                lines.append(line)
                line, line_width = word, word_width
        lines.append(line)
    return "\n".join(lines)


@functools.lru_cache(maxsize=64)
def _fill_operator(colour: Any) -> str:
    red, green, blue = colors.toColor(colour).rgb()
    return f"{red:.3f} {green:.3f} {blue:.3f} rg"


class FastTable(LongTable):
    """A Table whose plain-text cells (left-aligned, top) are written as PDF text operators directly.

    ReportLab's ``Table`` draws each line of a text cell with ``canvas.drawString``, which builds a
    text object and formats every number through ``fp_str``; without ReportLab's C accelerator that
    is most of a big pack's time. The same glyphs, font subsets and positions are written here with
    one ``BT … ET`` per line and numbers formatted by Python, a fraction of the cost. Everything else
    (flowable cells, other alignments) is drawn by ``Table`` itself.
    """

    draws_grid = True

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: tuple, size: tuple) -> None:
        if (
            isinstance(cellval, (tuple, list, Flowable))
            or cellstyle.alignment != "LEFT"
            or cellstyle.valign != "TOP"
            or cellstyle.href
            or cellstyle.destination
        ):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        canv = self.canv
        doc, escape_pdf, code = canv._doc, canv._escape, canv._code  # noqa: SLF001  # what drawString writes to
        # Subset codes are numbered per document, so the written text is remembered per document.
        written: dict[tuple[str, float, str], str] = doc.__dict__.setdefault("_tracker_written_text", {})
        font = pdfmetrics.getFont(cellstyle.fontname)
        x = pos[0] + cellstyle.leftPadding
        y = pos[1] + size[1] - cellstyle.topPadding - cellstyle.fontsize
        fill = getattr(cellstyle, "fill_operator", None) or _fill_operator(cellstyle.color)
        parts = [f"q {fill}"]  # the colour is this cell's only (Q restores)
        for line in str(cellval).split("\n"):
            if line:
                key = (cellstyle.fontname, cellstyle.fontsize, line)
                shown = written.get(key)
                if shown is None:
                    shown = written[key] = " ".join(
                        f"{font.getSubsetInternalName(subset, doc)} {cellstyle.fontsize:g} Tf ({escape_pdf(chunk)}) Tj"
                        for subset, chunk in font.splitString(line, doc)
                    )
                parts.append(f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {shown} ET")
            y -= cellstyle.leading
        parts.append("Q")
        code.append(" ".join(parts))

    def _drawLines(self) -> None:
        """The grid as one path (every row and column boundary), not a line operation per cell edge."""
        super()._drawLines()  # any line commands (a SpannedTable's GRID)
        if not self.draws_grid:
            return
        xs, ys = self._colpositions, self._rowpositions
        rules = [f"{xs[0]:.2f} {y:.2f} m {xs[-1]:.2f} {y:.2f} l" for y in ys]
        rules += [f"{x:.2f} {ys[0]:.2f} m {x:.2f} {ys[-1]:.2f} l" for x in xs]
        red, green, blue = RULE.rgb()
        self.canv._code.append(f"q {red:.3f} {green:.3f} {blue:.3f} RG 0.4 w {' '.join(rules)} S Q")  # noqa: SLF001


class SpannedTable(FastTable):
    """A FastTable with cells spanning columns: ReportLab draws its grid, around the spans."""

    draws_grid = False


def _runs(cells: list[tuple[int, int, tuple[str, str]]]) -> list[tuple[int, int, int, tuple[str, str]]]:
    """Group (column, row, colours) into runs down a column: one style command per run, not per cell."""
    runs: list[tuple[int, int, int, tuple[str, str]]] = []
    for col, row, colours in sorted(cells):
        if runs and runs[-1][0] == col and runs[-1][2] == row - 1 and runs[-1][3] == colours:
            runs[-1] = (col, runs[-1][1], row, colours)
        else:
            runs.append((col, row, row, colours))
    return runs


@functools.cache
def _cell_style(font: str, text_colour: str) -> CellStyle:
    """One cell style shared by every cell that looks alike. Table makes a style object per cell and
    then applies the style commands to each; sharing them saves most of a big table's set-up. Safe
    because no command here changes a cell's style (backgrounds, spans and the grid are kept apart)."""
    style = CellStyle(f"{font} {text_colour}")
    style.fontname, style.fontsize, style.leading = font, CELL_SIZE, CELL_LEADING
    style.leftPadding = style.rightPadding = CELL_PAD
    style.topPadding = style.bottomPadding = CELL_VPAD
    style.valign, style.color = "TOP", colors.HexColor(text_colour)
    style.fill_operator = _fill_operator(style.color)  # what FastTable writes
    return style


def table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], extra: Sequence = ()
) -> FastTable:
    """A table that splits across pages by row (never leaving a header alone), repeats its header, and
    colours its status cells. Cells: text (str, number), a Coloured word, or a Flowable (kept as is)."""
    inner = [w - 2 * CELL_PAD for w in widths]
    head, body = _cell_style(BOLD, "#0b0c0c"), _cell_style(FONT, "#0b0c0c")
    data: list[list[Any]] = [[wrap(h, inner[i], BOLD) for i, h in enumerate(header)]]
    cell_styles: list[list[CellStyle]] = [[head] * len(widths)]
    fills: list[tuple[int, int, tuple[str, str]]] = []
    # A row of text only has a known height (its tallest cell's lines and the padding), so Table
    # need not measure it again; a row with a flowable (None) is measured by Table.
    heights: list[float | None] = [_lines(data[0]) * CELL_LEADING + 2 * CELL_VPAD]
    for r, row in enumerate(rows, start=1):
        cells: list[Any] = []
        looks: list[CellStyle] = []
        for c, cell in enumerate(row):
            if isinstance(cell, Coloured):
                cells.append(wrap(cell.word, inner[c], BOLD))
                looks.append(_cell_style(BOLD, cell.colours[1] if cell.colours else "#0b0c0c"))
                if cell.colours:
                    fills.append((c, r, cell.colours))
            else:
                cells.append(cell if isinstance(cell, (Flowable, list)) else wrap(cell, inner[c]))
                looks.append(body)
        data.append(cells)
        cell_styles.append(looks)
        text_only = not any(isinstance(cell, (Flowable, list)) for cell in cells)
        heights.append(_lines(cells) * CELL_LEADING + 2 * CELL_VPAD if text_only else None)
    commands: list[tuple] = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1"))]
    for col, first, last, (fill, _text) in _runs(fills):
        commands.append(("BACKGROUND", (col, first), (col, last), colors.HexColor(fill)))
    commands += list(extra)
    spanned = any(command[0] == "SPAN" for command in extra)
    if spanned:
        commands.append(("GRID", (0, 0), (-1, -1), 0.4, RULE))
    return (SpannedTable if spanned else FastTable)(
        data,
        colWidths=list(widths),
        repeatRows=1,
        splitByRow=1,
        hAlign="LEFT",
        style=TableStyle(commands),
        normalizedData=1,
        cellStyles=cell_styles,
        rowHeights=heights,
    )


def _lines(cells: list[str]) -> int:
    return max(cell.count("\n") for cell in cells) + 1


def _shown_text(doc: Any, escape_pdf: Callable[[str], str], font_name: str, line: str) -> str:
    """The PDF text operators that show a line in a font at the cell size (font subsets as
    ``drawString`` writes them)."""
    font = pdfmetrics.getFont(font_name)
    return " ".join(
        f"{font.getSubsetInternalName(subset, doc)} {CELL_SIZE:g} Tf ({escape_pdf(chunk)}) Tj"
        for subset, chunk in font.splitString(line, doc)
    )


@dataclass(frozen=True)
class Labelled:
    """A row's one cell across the table's width: a bold label, then its text ("Progress: ...")."""

    label: str
    text: str


@dataclass(frozen=True, eq=False)
class Pictured:
    """A cell holding a small drawing (a KPI's trend) with text below it."""

    drawing: Drawing
    text: str


class _Cell(NamedTuple):
    """A text cell laid out: its wrapped lines, its font, its text colour operator and its fill; a
    Labelled cell's bold label starts its first line, the text ``indent`` points after it."""

    lines: tuple[str, ...]
    font: str
    ink: str
    fill: str | None
    label: str = ""
    indent: float = 0.0
    drawing: Drawing | None = None


@functools.lru_cache(maxsize=65536)
def _text_cell(value: Any, width: float, font: str) -> _Cell:
    return _Cell(tuple(wrap(value, width, font).split("\n")), font, _fill_operator(INK), None)


@functools.lru_cache(maxsize=1024)
def _coloured_cell(cell: Coloured, width: float) -> _Cell:
    lines = tuple(wrap(cell.word, width, BOLD).split("\n"))
    if not cell.colours:
        return _Cell(lines, BOLD, _fill_operator(INK), None)
    return _Cell(lines, BOLD, _fill_operator(cell.colours[1]), _fill_operator(cell.colours[0]))


def _labelled_cell(cell: Labelled, width: float) -> _Cell:
    """The label, then as many words as fit after it on the first line; the rest wrapped below."""
    indent = text_width(cell.label, BOLD) + text_width(" ")
    paragraphs = cell.text.split("\n")
    words, first = paragraphs[0].split(), ""
    while words and text_width(f"{first} {words[0]}".lstrip()) <= width - indent:
        first = f"{first} {words.pop(0)}".lstrip()
    rest = ([" ".join(words)] if words else []) + paragraphs[1:]
    lines = (first, *(wrap("\n".join(rest), width).split("\n") if rest else ()))
    return _Cell(lines, FONT, _fill_operator(INK), None, cell.label, indent)


def _laid_out(row: Sequence[Any], inner: Sequence[float], font: str = FONT) -> tuple[tuple[_Cell, ...], float]:
    """A row's cells wrapped to their columns, and the row's height (its tallest cell and the padding).
    The same cells recur (leads, dates, statuses), so each is laid out once."""
    if len(row) == 1 and isinstance(row[0], Labelled):  # across the whole table
        cells: tuple[_Cell, ...] = (_labelled_cell(row[0], sum(inner) + 2 * CELL_PAD * (len(inner) - 1)),)
    else:
        cells = tuple(
            _coloured_cell(cell, width)
            if isinstance(cell, Coloured)
            else _text_cell(cell.text, width, font)._replace(drawing=cell.drawing)
            if isinstance(cell, Pictured)
            else _text_cell(cell, width, font)
            for cell, width in zip(row, inner, strict=True)
        )
    return cells, max(len(cell.lines) * CELL_LEADING + _drop(cell) for cell in cells) + 2 * CELL_VPAD


def _drop(cell: _Cell) -> float:
    """How far a cell's text starts below its top padding: below its drawing, if it has one."""
    return cell.drawing.height if cell.drawing is not None else 0.0


HEAD_FILL = _fill_operator(colors.HexColor("#f3f2f1"))


class TextTable(Flowable):
    """A table of text cells (Coloured words, Labelled rows across it) drawn straight as PDF
    operators: it splits between rows with its header repeated, never leaving the header alone at
    the foot of a page.

    ReportLab's Table builds a cell style and a draw call per cell and measures every row again at
    each split: most of a big pack's time (15,000 action rows, 5,000 exceptions). Here each row is
    wrapped once, its height known, and a page of rows is drawn as one run of operators: the fills,
    then one text object, then the whole grid as one path. It looks as the Table did: the same
    padding, fonts, header shading, colours and rules.
    """

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        laid_out: tuple[tuple[_Cell, ...], float, list[tuple[tuple[_Cell, ...], float]]] | None = None,
    ) -> None:
        super().__init__()
        self.widths = list(widths)
        if laid_out is None:
            inner = [w - 2 * CELL_PAD for w in widths]
            head, head_height = _laid_out(header, inner, BOLD)
            laid_out = head, head_height, [_laid_out(row, inner) for row in rows]
        self.head, self.head_height, self.rows = laid_out
        self.width = sum(self.widths)
        self.height = self.head_height + sum(height for _cells, height in self.rows)
        self.hAlign = "LEFT"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room, fitted = available_height - self.head_height, 0
        while fitted < len(self.rows) and self.rows[fitted][1] <= room:
            room -= self.rows[fitted][1]
            fitted += 1
        if fitted == 0:  # not even one row with its header: the whole table moves to the next page
            return []
        if fitted == len(self.rows):
            return [self]
        return [
            TextTable((), (), self.widths, (self.head, self.head_height, self.rows[:fitted])),
            TextTable((), (), self.widths, (self.head, self.head_height, self.rows[fitted:])),
        ]

    def draw(self) -> None:
        xs = [0.0]
        for width in self.widths:
            xs.append(xs[-1] + width)
        ys = [self.height, self.height - self.head_height]
        for _cells, height in self.rows:
            ys.append(ys[-1] - height)
        every = [self.head, *(cells for cells, _height in self.rows)]
        ops = [f"q {HEAD_FILL} 0 {ys[1]:.2f} {xs[-1]:.2f} {self.head_height:.2f} re f", *self._fills(every, xs, ys)]
        ops.append("BT")
        ops += self._text(every, xs, ys)
        ops.append("ET")
        code = self.canv._code  # noqa: SLF001
        code.append(" ".join(ops))
        for index, cells in enumerate(every):
            for column, cell in enumerate(cells):
                if cell.drawing is not None:
                    cell.drawing.drawOn(self.canv, xs[column] + CELL_PAD, ys[index] - CELL_VPAD - cell.drawing.height)
        red, green, blue = RULE.rgb()
        code.append(f"{red:.3f} {green:.3f} {blue:.3f} RG 0.4 w {' '.join(self._rules(every, xs, ys))} S Q")

    @staticmethod
    def _fills(every: list[tuple[_Cell, ...]], xs: list[float], ys: list[float]) -> list[str]:
        """A fill per run of equal colours down a column."""
        ops = []
        for column in range(len(xs) - 1):
            run_start, run_fill = 0, None
            for index in range(len(every) + 1):
                cells = every[index] if index < len(every) else ()
                fill = cells[column].fill if column < len(cells) else None
                if fill != run_fill:
                    if run_fill is not None:
                        top, bottom, width = ys[run_start], ys[index], xs[column + 1] - xs[column]
                        ops.append(f"{run_fill} {xs[column]:.2f} {bottom:.2f} {width:.2f} {top - bottom:.2f} re f")
                    run_start, run_fill = index, fill
        return ops

    def _text(self, every: list[tuple[_Cell, ...]], xs: list[float], ys: list[float]) -> list[str]:
        """Each cell placed by its own text matrix, its lines below by relative moves. What a cell
        shows is remembered per document (subset codes are numbered per document), as the same
        leads, dates and statuses recur thousands of times."""
        doc = self.canv._doc  # noqa: SLF001  # what drawString writes to
        escape_pdf = self.canv._escape  # noqa: SLF001
        written: dict[_Cell, str] = doc.__dict__.setdefault("_tracker_written_cells", {})
        ops, ink = [], None
        for index, cells in enumerate(every):
            top = ys[index] - CELL_VPAD - CELL_SIZE
            for column, cell in enumerate(cells):
                if cell.ink != ink:
                    ops.append(cell.ink)
                    ink = cell.ink
                shown = written.get(cell)
                if shown is None:
                    parts = []
                    if cell.label:
                        parts.append(_shown_text(doc, escape_pdf, BOLD, cell.label))
                        parts.append(f"{cell.indent:.2f} 0 Td")
                    for number, line in enumerate(cell.lines):
                        if number:
                            parts.append(f"{-cell.indent if number == 1 else 0:.2f} {-CELL_LEADING:g} Td")
                        if line:
                            parts.append(_shown_text(doc, escape_pdf, cell.font, line))
                    shown = written[cell] = " ".join(parts)
                ops.append(f"1 0 0 1 {xs[column] + CELL_PAD:.2f} {top - _drop(cell):.2f} Tm {shown}")
        return ops

    @staticmethod
    def _rules(every: list[tuple[_Cell, ...]], xs: list[float], ys: list[float]) -> list[str]:
        """The grid as one path: every row boundary; the outer edges; the column boundaries down each
        run of rows that are not one cell across."""
        rules = [f"{xs[0]:.2f} {y:.2f} m {xs[-1]:.2f} {y:.2f} l" for y in ys]
        rules += [f"{x:.2f} {ys[0]:.2f} m {x:.2f} {ys[-1]:.2f} l" for x in (xs[0], xs[-1])]
        index = 0
        while index < len(every):
            if len(every[index]) == 1 and len(xs) > 2:
                index += 1
                continue
            start = index
            while index < len(every) and not (len(every[index]) == 1 and len(xs) > 2):
                index += 1
            rules += [f"{x:.2f} {ys[start]:.2f} m {x:.2f} {ys[index]:.2f} l" for x in xs[1:-1]]
        return rules


def text_table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Flowable:
    """A table of text and Coloured cells only (no spans, no flowables): a TextTable."""
    return TextTable(header, rows, widths)


def trend(values: list[tuple[str, float]], status: str, width: float = 28 * mm, height: float = 10 * mm) -> Drawing:
    """A small line of a KPI's recent values (the values are written out beside it)."""
    drawing = Drawing(width, height, initialFontName=FONT)
    if len(values) < 2:
        drawing.add(String(0, height / 2 - 3, "Too few values", fontName=FONT, fontSize=6))
        return drawing
    numbers = [v for _label, v in values]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    points: list[float] = []
    for index, value in enumerate(numbers):
        points += [2 + index * (width - 4) / (len(numbers) - 1), 2 + (value - low) / span * (height - 4)]
    colour = colors.HexColor(KPI_COLOURS.get(status, ("#1d70b8", ""))[0] if status != "amber" else "#b58800")
    drawing.add(PolyLine(points, strokeColor=colour, strokeWidth=1.2))
    return drawing


def kpi_status(status: str) -> Coloured:
    return Coloured(status.capitalize() or "Not assessed", KPI_COLOURS.get(status))


def risk_rating(rating: int, rag: str) -> Coloured:
    return Coloured(f"{rating} ({rag.capitalize()})", RAG_COLOURS[rag])


Story = list[Flowable]
StoryPart = Callable[..., Story]
