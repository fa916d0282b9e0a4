"""Themes: every colour of the window and the page, in one place.

A theme colours the whole window through Qt's palette (menus, lists, tabs,
the status bar) and the page through the reading view's style sheet; the
panels' rich text (snippets, notes, bookmark quotes) takes its colours from
the same theme. No other module names a colour. "System" follows the
desktop's light or dark setting, live.

Code is coloured by a Pygments style chosen per theme; a token colour too
faint on the theme's code background is darkened (or lightened) until it
reads, so no style can make code invisible.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QPalette,
)

from reader.paths import resources_dir

SYSTEM = "system"
AA = 4.5  # WCAG AA contrast for body text

BUNDLED_SERIF = "Charis SIL"
SERIF_FAMILIES = (
    BUNDLED_SERIF,
    "Charter",
    "Bitstream Charter",
    "Iowan Old Style",
    "Source Serif 4",
    "Literata",
    "Palatino Linotype",
    "Georgia",
    "Noto Serif",
    "DejaVu Serif",
)
SANS_FAMILIES = ("Inter", "Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans")
MONO_FAMILIES = ("JetBrains Mono", "Menlo", "Consolas", "Noto Sans Mono", "DejaVu Sans Mono")


@dataclass(frozen=True)
class Theme:
    name: str
    # the page
    background: str
    text: str
    muted: str
    heading: str
    link: str
    rule: str
    code_background: str
    quote: str
    hit: str  # a search hit in the page
    hit_current: str
    selection: str
    # the window around it
    window: str  # menus, tabs, status bar, panels
    base: str  # lists and fields
    alternate: str
    ui_text: str
    ui_muted: str  # secondary lines: dates, counts, placeholders
    highlight: str  # the selected row
    highlight_text: str
    mark: str  # a matched word in a snippet
    danger: str  # "detached"
    pygments: str
    marks: dict[str, str] = field(default_factory=dict)  # bookmark colour -> background


THEMES = {
    "light": Theme(
        "light",
        background="#fbfaf7", text="#24292f", muted="#5d6670", heading="#111418",
        link="#1f5fa8", rule="#d6d2c8", code_background="#f1efe9", quote="#4f5964",
        hit="#ffe58a", hit_current="#ffb347", selection="#cfe0f7",
        window="#efede8", base="#fbfaf7", alternate="#f4f2ed", ui_text="#1f2328",
        ui_muted="#5d6670", highlight="#cfe0f7", highlight_text="#111418",
        mark="#ffe58a", danger="#a1231a", pygments="friendly",
        marks={"yellow": "#fff0a8", "green": "#c9f0c1", "blue": "#cde3ff",
               "pink": "#ffd3e2", "purple": "#e6d7ff"},
    ),
    "sepia": Theme(
        "sepia",
        background="#f4ecd8", text="#3b2f23", muted="#6b5a47", heading="#2a2119",
        link="#7d4310", rule="#d5c6a6", code_background="#ebe1c8", quote="#5e4e3c",
        hit="#f6d365", hit_current="#f0a04b", selection="#e3cfa3",
        window="#e9dfc6", base="#f4ecd8", alternate="#efe5cd", ui_text="#33281d",
        ui_muted="#6b5a47", highlight="#dcc595", highlight_text="#2a2119",
        mark="#f6d365", danger="#9b2a17", pygments="solarized-light",
        marks={"yellow": "#f5dd85", "green": "#cfe0b0", "blue": "#cad9e6",
               "pink": "#f0c9c4", "purple": "#dccde8"},
    ),
    "dark": Theme(
        "dark",
        background="#1d1f21", text="#d7d4cf", muted="#a29e97", heading="#eeeae4",
        link="#8cb4e8", rule="#44484c", code_background="#26292c", quote="#b8b3ab",
        hit="#5f5012", hit_current="#804c10", selection="#36506e",
        window="#25282b", base="#1d1f21", alternate="#222528", ui_text="#dedad4",
        ui_muted="#a29e97", highlight="#36506e", highlight_text="#f2efe9",
        mark="#6b5a12", danger="#f08a80", pygments="one-dark",
        marks={"yellow": "#5a4d12", "green": "#2d4a2c", "blue": "#274565",
               "pink": "#5f2a3f", "purple": "#45355f"},
    ),
}  # fmt: skip
CHOICES = (SYSTEM, *THEMES)


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(choice: str) -> Theme:
    """The theme a choice stands for: "system" is light or dark as the desktop is."""
    if choice in THEMES:
        return THEMES[choice]
    return THEMES["dark" if system_is_dark() else "light"]


def palette(theme: Theme) -> QPalette:
    """The window's palette for a theme: every widget drawn in the theme's colours."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.ui_text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.alternate,
        QPalette.ColorRole.Text: theme.ui_text,
        QPalette.ColorRole.Button: theme.window,
        QPalette.ColorRole.ButtonText: theme.ui_text,
        QPalette.ColorRole.BrightText: theme.danger,
        QPalette.ColorRole.Highlight: theme.highlight,
        QPalette.ColorRole.HighlightedText: theme.highlight_text,
        QPalette.ColorRole.Link: theme.link,
        QPalette.ColorRole.LinkVisited: theme.link,
        QPalette.ColorRole.ToolTipBase: theme.base,
        QPalette.ColorRole.ToolTipText: theme.ui_text,
        QPalette.ColorRole.PlaceholderText: theme.ui_muted,
        QPalette.ColorRole.Light: theme.rule,
        QPalette.ColorRole.Midlight: theme.rule,
        QPalette.ColorRole.Mid: theme.rule,
        QPalette.ColorRole.Dark: theme.ui_muted,
        QPalette.ColorRole.Shadow: theme.ui_muted,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):  # fmt: skip
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.ui_muted))
    return p


# --- contrast ------------------------------------------------------------------


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2)."""
    c = QColor(colour)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def readable(fg: str, bg: str, toward: str, ratio: float = AA) -> str:
    """``fg``, moved toward ``toward`` (the theme's text colour) until it reads on ``bg``."""
    start, end = QColor(fg), QColor(toward)
    for step in range(21):
        t = step / 20
        mixed = QColor.fromRgbF(
            start.redF() + (end.redF() - start.redF()) * t,
            start.greenF() + (end.greenF() - start.greenF()) * t,
            start.blueF() + (end.blueF() - start.blueF()) * t,
        )
        if contrast(mixed.name(), bg) >= ratio:
            return mixed.name()
    return toward


# --- the page ------------------------------------------------------------------


def code_css(theme: Theme) -> str:
    """Class rules for Pygments' tokens in the theme's style, each readable on its code."""
    return _code_css(theme.pygments, theme.code_background, theme.text)


@functools.cache
def _code_css(style_name: str, background: str, text: str) -> str:
    style = get_style_by_name(style_name)
    rules = []
    for token, css_class in STANDARD_TYPES.items():
        if not css_class:
            continue
        spec = style.style_for_token(token)
        parts = []
        if spec["color"]:
            colour = readable("#" + spec["color"], background, text)
            parts.append(f"color: {colour};")
        if spec["bold"]:
            parts.append("font-weight: 700;")
        if spec["italic"]:
            parts.append("font-style: italic;")
        if parts:
            rules.append(f".codehilite .{css_class} {{ {' '.join(parts)} }}")
    return "\n".join(rules)


def em_per_line(font: QFont) -> float:
    """``font``'s size over its own line spacing (about 0.6 to 0.9)."""
    px = font.pixelSize() if font.pixelSize() > 0 else QFontInfo(font).pixelSize()
    spacing = QFontMetricsF(font).lineSpacing()
    return max(0.4, min(1.2, px / spacing)) if spacing > 0 else 1.0


def first_family(candidates: tuple[str, ...]) -> str:
    load_bundled_fonts()
    available = set(QFontDatabase.families())
    for family in candidates:
        if family in available:
            return family
    return candidates[-1]


@functools.cache
def load_bundled_fonts() -> tuple[str, ...]:
    """Add the fonts in resources/fonts to the application; the families they bring."""
    families: list[str] = []
    folder = resources_dir() / "fonts"
    for path in sorted(folder.glob("*.ttf")) if folder.is_dir() else ():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return tuple(dict.fromkeys(families))


LEADING = 1.6  # the distance between lines of body text, in ems


def document_css(theme: Theme, em_per_line: float = 1.0, leading: float = LEADING) -> str:
    """Qt's rich-text CSS subset: sizes in px, margins, colours, line-height.

    Qt reads a line-height percentage against the font's own line spacing,
    which differs from font to font; ``em_per_line`` (the font's size over its
    line spacing, see :func:`em_per_line`) turns leadings in ems into those.
    ``leading`` is the distance between lines of body text, in ems.
    """
    mono = first_family(MONO_FAMILIES)
    sans = first_family(SANS_FAMILIES)

    def lead(ems: float) -> int:
        return round(100 * ems * em_per_line)

    return f"""
body {{ color: {theme.text}; }}
p, li, dd {{ line-height: {lead(leading)}%; }}
p {{ margin-top: 0px; margin-bottom: 18px; }}
h1 {{ font-size: 26px; font-weight: 700; color: {theme.heading};
      margin-top: 8px; margin-bottom: 22px; line-height: {lead(1.22)}%; }}
h2 {{ font-size: 21px; font-weight: 700; color: {theme.heading};
      margin-top: 30px; margin-bottom: 12px; line-height: {lead(1.28)}%; }}
h3 {{ font-size: 18px; font-weight: 700; color: {theme.heading};
      margin-top: 24px; margin-bottom: 10px; line-height: {lead(1.3)}%; }}
h4, h5, h6 {{ font-family: '{sans}'; font-size: 15px; font-weight: 700;
      color: {theme.muted}; margin-top: 20px; margin-bottom: 8px; }}
ul, ol {{ margin-top: 0px; margin-bottom: 18px; }}
li {{ margin-bottom: 6px; }}
a {{ color: {theme.link}; text-decoration: none; }}
blockquote {{ color: {theme.quote}; margin-left: 24px; margin-right: 12px; }}
code {{ font-family: '{mono}'; font-size: 15px; background-color: {theme.code_background}; }}
pre {{ font-family: '{mono}'; font-size: 14px; background-color: {theme.code_background};
       line-height: 135%; margin-bottom: 18px; white-space: pre-wrap; }}
th {{ font-weight: 700; }}
table.md-table {{ border-color: {theme.rule}; }}
table.md-table th {{ background-color: {theme.code_background}; }}
td.code-block {{ background-color: {theme.code_background}; }}
td.quote {{ border-left-color: {theme.muted}; color: {theme.quote}; }}
hr {{ color: {theme.rule}; }}
p.removed {{ color: {theme.muted}; }}
{code_css(theme)}
"""
