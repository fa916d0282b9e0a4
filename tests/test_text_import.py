"""The plain-text importer on the bundled seeds and on generated scraped pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.library.importing import convert_file
from reader.library.importing.text import parse_text, text_to_markdown
from reader.rendering import render
from tests.conftest import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))

CHROME = [
    "Skip to content",
    "Scroll to Top",
    "Image3",
    "Image1",
    "Career Forge 0 21",
    "Related Recommendations",
    "Read also",
    "Latest",
    "Lorem ipsum",
    "John Doe",
    "Designer",
    "Avon Solutions",
    "Broadcast| Connect| Grow",
    "Video Section",
    "Testimonials",
    "FAQs",
    "Designers in...",
]

EXPECTED_TITLES = {
    "000": "Empowering National Progress: The Role of Backend Development Engineers in "
    "Shaping a Digital Future",
    "002": "The Hidden Importance of Backend Specialists in 2025: The Imperative Behind "
    "Employing Backend Programmers",
    "004": "Backend Developer: The Unseen Architect of the Digital World",
}


def sentences(text: str) -> list[str]:
    """The prose lines of a source: what must survive the import."""
    out = []
    for line in text.splitlines():
        line = " ".join(line.replace("\u00a0", " ").split())  # spacing is normalised
        prose = re.search(r"[.!?][\"”’)]?$", line) and not line.endswith("...")
        if prose and len(line.split()) >= 8 and not re.search(r"lorem ipsum", line, re.I):
            out.append(re.sub(r"^\d+\.\s+", "", line))
    return out


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_keeps_every_sentence_and_drops_chrome(path: Path) -> None:
    converted = convert_file(path)
    shown = render(converted.markdown).text
    for sentence in sentences(path.read_text(encoding="utf-8")):
        assert sentence in shown, sentence
    for chrome in CHROME:
        assert chrome not in shown, chrome
        assert chrome not in converted.title


@pytest.mark.parametrize("prefix", sorted(EXPECTED_TITLES))
def test_seed_headline_becomes_the_title(prefix: str) -> None:
    path = next(p for p in SEED_FILES if p.name.startswith(prefix))
    converted = convert_file(path)
    assert converted.title == EXPECTED_TITLES[prefix]
    shown = render(converted.markdown).text
    assert shown.count(converted.title) == 1  # not repeated by the page's second copy


def test_seed_without_headline_takes_title_from_metadata() -> None:
    path = next(p for p in SEED_FILES if p.name.startswith("001"))
    assert convert_file(path).title == "Why Back-End Developers Remain Irreplaceable"


def test_seed_structure_recovered() -> None:
    path = next(p for p in SEED_FILES if p.name.startswith("003"))
    outline = render(convert_file(path).markdown).outline
    titles = [e.title for e in outline if e.level == 2]
    assert "Key Technical Domains" in titles
    assert "Daily Workflow Highlights" in titles
    md = convert_file(path).markdown
    assert "- Server architecture and hosting environments" in md
    assert "- Monitoring application health in production environments" in md


def test_numbered_sections_become_headings_and_long_numbered_lines_a_list() -> None:
    numbered = next(p for p in SEED_FILES if p.name.startswith("000"))
    outline = render(convert_file(numbered).markdown).outline
    assert [e.title for e in outline if e.level == 2][:2] == [
        "1. Building Robust Digital Infrastructure",
        "2. Advancing Cybersecurity and Data Sovereignty",
    ]
    listed = next(p for p in SEED_FILES if p.name.startswith("002"))
    assert "<ol>" in render(convert_file(listed).markdown).html


def page(name: str) -> tuple[str | None, str, str]:
    """A stored page converted: its title, Markdown and shown text."""
    text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    title, md = text_to_markdown(text)
    return title, md, render(md).text


PARA = (
    "This paragraph is long enough to read as prose, and it ends with a full stop as sentences do."
)


def generated_page(seed: int) -> tuple[str, list[str]]:
    """A scraped page made of known parts; returns the text and its sentences."""
    paras = [PARA.replace("This paragraph", f"Paragraph {seed}-{k}") for k in range(6)]
    text = "\n\n".join(
        [
            "Skip to content",
            "Daily Planet: The World's Number 1 News Site ✨",
            "News | Sport | Weather",
            f"Rivers of the North Number {seed}",
            "Anna Writer 3 14",
            paras[0],
            "Image7",
            "Where the Water Comes From",
            paras[1],
            "Things to pack",
            "a warm coat for the evening",
            "waterproof boots and socks",
            "a paper map of the valley",
            "What the Locals Say",
            paras[2],
            "  • first point made as a bullet",
            "  • second point made as a bullet",
            paras[3],
            "Testimonials",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            "Jane Doe",
            "Photographer",
            paras[4],
            paras[5],
            "Read also:",
            "Some other story",
            "Another story",
        ]
    )
    return text, paras


@pytest.mark.parametrize("seed", range(5))
def test_generated_page(seed: int) -> None:
    text, paras = generated_page(seed)
    title, md = text_to_markdown(text)
    assert title == f"Rivers of the North Number {seed}"
    shown = render(md).text
    for p in paras:
        assert p in shown
    for chrome in ("Skip to content", "Daily Planet", "News | Sport", "Anna Writer", "Image7",
                   "Testimonials", "Lorem", "Jane Doe", "Photographer", "Read also",
                   "Some other story"):  # fmt: skip
        assert chrome not in shown
    assert "## Where the Water Comes From" in md
    assert "## What the Locals Say" in md
    assert "- a warm coat for the evening\n- waterproof boots and socks" in md
    assert "- first point made as a bullet" in md


def test_single_newline_text_and_windows_line_ends() -> None:
    text = "\r\n".join(["A Plain Heading", PARA, "Second Heading Here", PARA])
    _title, md = text_to_markdown(text)
    assert md.count("## ") == 1  # the first short line is the headline
    assert "## Second Heading Here" in md


def test_markdown_specials_are_shown_as_written() -> None:
    tricky = "Use *stars*, _underscores_, `ticks`, <b>tags</b>, [links](x) and &amp; as text."
    _title, md = text_to_markdown(f"Odd Characters\n\n{tricky}\n\n# not a heading\n\n1999. A year.")
    shown = render(md).text
    assert tricky in shown
    assert "# not a heading" in shown
    assert "1999. A year." in shown


def test_prose_is_never_taken_for_chrome() -> None:
    lines = [
        "Share your thoughts with the team before the meeting ends today, please.",
        "Menu planning for the week takes about an hour if you keep a list.",
        "Image quality matters more than resolution for most readers of this page.",
    ]
    doc = parse_text("\n".join(lines))
    kept = render(doc.to_markdown()).text
    for line in lines:
        assert line in kept


def test_more_site_furniture_is_dropped_and_prose_kept() -> None:
    paras = [PARA.replace("This paragraph", f"Passage {k}") for k in range(6)]
    text = "\n".join(
        [
            "We use cookies to improve your experience. By continuing you accept them.",
            "« Previous",
            "Next »",
            "Tending a Small Orchard",
            "By Maria Lopez",
            "March 3, 2024",
            "5 min read",
            "Table of Contents",
            "Choosing the Trees",
            "Pruning in Winter",
            "Harvest Time",
            paras[0],
            "Photo credit: Unsplash",
            "Choosing the Trees",
            paras[1],
            "Share on Facebook",
            "Follow us on Instagram",
            "Pruning in Winter",
            paras[2],
            "Cookies made from the first apples are a family tradition, and nobody accepts less.",
            "Harvest Time",
            paras[3],
            paras[4],
            "Tags: orchards, apples, pruning",
            "Copyright © 2024 Garden Weekly. All rights reserved.",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked as such.",
            "Subscribe to our newsletter",
        ]
    )
    title, md = text_to_markdown(text)
    assert title == "Tending a Small Orchard"
    shown = render(md).text
    for p in paras[:5]:
        assert p in shown
    assert "Cookies made from the first apples are a family tradition" in shown
    assert "By Maria Lopez" in shown and "March 3, 2024" in shown
    assert "## By Maria Lopez" not in md and "## March 3, 2024" not in md
    for chrome in ("We use cookies", "Previous", "Next »", "5 min read", "Table of Contents",
                   "Photo credit", "Share on Facebook", "Follow us", "Tags:", "Copyright",
                   "Leave a Reply", "Your email address", "Subscribe"):  # fmt: skip
        assert chrome not in shown, chrome
    assert md.count("## Choosing the Trees") == 1
    assert shown.count("Choosing the Trees") == 1
    assert "## Harvest Time" in md


def test_a_heading_that_starts_with_by_is_still_a_heading() -> None:
    _title, md = text_to_markdown("\n".join(["A Title Here", PARA, "By the Numbers", PARA]))
    assert "## By the Numbers" in md


def test_a_blog_page_with_menu_byline_lists_and_share_tail() -> None:
    title, md, shown = page("sleep_page.txt")
    assert title == "Why Sleep Matters More Than You Think"
    shown = render(md).text
    for chrome in ("Menu", "Blog\n", "Health & Wellness", "12 Comments", "Image: Getty",
                   "Share this", "Facebook", "Twitter", "LinkedIn", "You might also like",
                   "10 Foods", "The Truth About Naps"):  # fmt: skip
        assert chrome not in shown, chrome
    assert "\nDr. Amy Chen\nJune 12, 2023\n" in shown
    assert "## Dr. Amy Chen" not in md
    assert "- Adults need seven to nine hours of sleep per night." in md
    assert "1. Light sleep prepares the body" in md and "3. REM sleep supports" in md
    assert "## What Happens When We Sleep?" in md
    assert "## THE COST OF SHORT NIGHTS" in md
    assert '"You can\'t cheat sleep," says one researcher' in shown


def test_a_news_page_with_section_label_ads_and_related_links() -> None:
    title, md, shown = page("news_page.txt")
    assert title == "Farmers Turn to Drought-Resistant Seeds as Rains Fail"
    shown = render(md).text
    for chrome in ("World News", "Advertisement", "continues below", "RELATED",
                   "Click to enlarge", "Watch: Inside"):  # fmt: skip
        assert chrome not in shown, chrome
    assert "A farmer inspects his crops in Machakos County last month. (Photo: Reuters)" in shown
    assert "## What the Experts Say" in md


def test_a_member_story_page_with_app_chrome_and_author_box() -> None:
    title, md, shown = page("member_story_page.txt")
    assert title == "The Quiet Power of Writing Things Down"
    shown = render(md).text
    assert shown.startswith(
        "The Quiet Power of Writing Things Down\nRavi Patel\nFeb 14, 2024\nMost of us carry"
    )
    chrome_lines = (
        "Open in app", "Member-only", "6 min read", "Listen", "Share", "Unsplash", "--",
        "Post Views", "Followers", "Written by", "More from", "Careers",
    )  # fmt: skip
    for chrome in chrome_lines:
        assert chrome not in shown, chrome
    assert "## Start With a Single Page" in md and "## Review It Weekly" in md
    assert shown.endswith("cross out what no longer matters to you.")


def test_a_blog_engine_page_with_menu_meta_and_comment_form() -> None:
    title, md, shown = page("blog_engine_page.txt")
    assert title == "Five Habits of Reliable Backend Teams"
    shown = render(md).text
    chrome_lines = (
        "TechCorner", "WordPress", "Reviews", "Contact", "Search for", "Leave a", "Post Views",
        "Categories", "Previous Post", "Your email address", "Save my name", "Recent Posts",
        "Copyright",
    )  # fmt: skip
    for chrome in chrome_lines:
        assert chrome not in shown, chrome
    assert "Posted on August 9, 2023 by admin" in shown
    assert "## 1\\. They Write Things Down" in md
    assert "## Conclusion" in md
    assert shown.endswith("the hard part is keeping all of them at once.")


def test_hard_wrapped_text_is_joined_into_paragraphs() -> None:
    title, md, shown = page("hard_wrapped_notes.txt")
    assert title == "Notes on Keeping Bees"
    shown = render(md).text
    assert (
        "Keeping bees in a small garden is easier than most people think, as long as the hive "
        "faces away from paths and gets sun in the morning. The bees will forage for miles"
    ) in shown
    assert "## Equipment" in md
    assert "- a hive with frames\n- a smoker and fuel\n- a veil and gloves" in md
    assert md.count("## ") == 1  # no wrapped line taken for a heading
