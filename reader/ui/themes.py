"""Reading themes: colours and the style sheet of the reading view."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFontDatabase

SERIF_FAMILIES = (
    "Charter",
    "Bitstream Charter",
    "Iowan Old Style",
    "Source Serif 4",
    "Source Serif Pro",
    "Literata",
    "Palatino Linotype",
    "Palatino",
    "Georgia",
    "Noto Serif",
    "DejaVu Serif",
)
SANS_FAMILIES = ("Inter", "Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans")
MONO_FAMILIES = ("JetBrains Mono", "Menlo", "Consolas", "Noto Sans Mono", "DejaVu Sans Mono")


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str
    heading: str
    link: str
    rule: str
    code_background: str
    quote: str
    hit: str
    hit_current: str
    selection: str


THEMES = {
    "light": Theme(
        "light", "#fbfaf7", "#24292f", "#6a737d", "#111418", "#1f5fa8", "#e3e0d8",
        "#f3f1ec", "#57606a", "#ffe58a", "#ffb347", "#cfe0f7",
    ),
    "sepia": Theme(
        "sepia", "#f4ecd8", "#3b2f23", "#7a6a58", "#2a2119", "#8a4b14", "#dccfb3",
        "#ebe1c8", "#6b5a47", "#f6d365", "#f0a04b", "#e3cfa3",
    ),
    "dark": Theme(
        "dark", "#1d1f21", "#d7d4cf", "#9a9690", "#eeeae4", "#8cb4e8", "#3a3d40",
        "#26292c", "#b3aea6", "#6b5a12", "#9a5b12", "#36506e",
    ),
}  # fmt: skip


def first_family(candidates: tuple[str, ...]) -> str:
    available = set(QFontDatabase.families())
    for family in candidates:
        if family in available:
            return family
    return candidates[-1]


def document_css(theme: Theme) -> str:
    """Qt's rich-text CSS subset: sizes in px/em, margins, colours, line-height."""
    mono = first_family(MONO_FAMILIES)
    sans = first_family(SANS_FAMILIES)
    return f"""
body {{ color: {theme.text}; }}
p, li, dd {{ line-height: 160%; }}
p {{ margin-top: 0px; margin-bottom: 18px; }}
h1 {{ font-size: 28px; font-weight: 700; color: {theme.heading};
      margin-top: 12px; margin-bottom: 28px; line-height: 120%; }}
h2 {{ font-size: 21px; font-weight: 700; color: {theme.heading};
      margin-top: 30px; margin-bottom: 12px; line-height: 125%; }}
h3 {{ font-size: 18px; font-weight: 700; color: {theme.heading};
      margin-top: 24px; margin-bottom: 10px; }}
h4, h5, h6 {{ font-family: '{sans}'; font-size: 15px; font-weight: 700;
      color: {theme.muted}; margin-top: 20px; margin-bottom: 8px; }}
ul, ol {{ margin-top: 0px; margin-bottom: 18px; }}
li {{ margin-bottom: 6px; }}
a {{ color: {theme.link}; text-decoration: none; }}
blockquote {{ color: {theme.quote}; margin-left: 24px; margin-right: 12px; }}
code {{ font-family: '{mono}'; font-size: 15px; background-color: {theme.code_background}; }}
pre {{ font-family: '{mono}'; font-size: 14px; background-color: {theme.code_background};
       line-height: 135%; margin-bottom: 18px; }}
th {{ font-weight: 700; }}
td, th {{ padding: 4px 10px 4px 0px; }}
hr {{ color: {theme.rule}; }}
p.removed {{ color: {theme.muted}; }}
"""
