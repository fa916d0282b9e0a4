"""Each pass of the plain-text importer on its own, and the registry that orders them."""

from __future__ import annotations

import re

import pytest

from reader.library.importing import text as text_import
from reader.library.importing.text import (
    Block,
    Draft,
    Kind,
    PassRegistry,
    build_passes,
    classify,
    cut_strong_tail,
    cut_tail,
    drop_chrome,
    drop_contents,
    drop_empty_sections,
    find_title,
    normalise,
    on_blocks,
    on_lines,
    parse_text,
    promote_closing_sections,
    unwrap,
)

PARA = (
    "This paragraph is long enough to read as prose, and it ends with a full stop as sentences do."
)
PARAS = [PARA.replace("This paragraph", f"Paragraph {k}") for k in range(6)]


def heading(text: str, level: int = 2) -> Block:
    return Block(Kind.HEADING, text, level=level)


def para(text: str) -> Block:
    return Block(Kind.PARAGRAPH, text)


def bullet(text: str) -> Block:
    return Block(Kind.BULLET, text)


# --- the registry ------------------------------------------------------------

ORDER = [
    "normalise",
    "unwrap",
    "cut_strong_tail",
    "drop_chrome",
    "cut_tail",
    "drop_contents",
    "keep_main_text",
    "find_title",
    "classify",
    "drop_empty_sections",
    "promote_closing_sections",
]


def test_passes_are_registered_in_order() -> None:
    assert list(build_passes()) == ORDER


def test_module_docstring_lists_the_registered_passes_in_order() -> None:
    doc = text_import.__doc__ or ""
    listed = re.findall(r"^(\d+)\. (\w+): \S", doc, re.MULTILINE)
    assert [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))
    assert [name for _, name in listed] == list(build_passes())


def test_a_pass_is_looked_up_by_name() -> None:
    drop = build_passes()["drop_chrome"]
    assert drop(Draft(lines=["Skip to content", PARA])).lines == [PARA]
    assert "find_title" in build_passes()
    with pytest.raises(KeyError):
        build_passes()["no_such_pass"]


def test_a_deregistered_pass_is_not_run() -> None:
    text = "\n".join(["Rivers of the North", PARA])
    passes = build_passes()
    passes.deregister("find_title")
    assert "find_title" not in passes
    doc = parse_text(text, passes)
    assert doc.title is None
    assert doc.blocks == [heading("Rivers of the North"), para(PARA)]
    # every call builds its own registry: the default still finds the title
    assert parse_text(text).title == "Rivers of the North"
    with pytest.raises(KeyError):
        passes.deregister("find_title")


def test_a_pass_registered_between_two_runs_between_them() -> None:
    passes = build_passes()
    seen: list[list[str]] = []

    def record(lines: list[str]) -> list[str]:
        seen.append(list(lines))
        return lines

    passes.register("record", on_lines(record), 45)
    assert list(passes).index("record") == ORDER.index("drop_chrome") + 1
    parse_text("Skip to content\n\nA Short Heading\n" + PARA, passes)
    assert seen == [["A Short Heading", PARA]]  # after drop_chrome, before cut_tail


def test_registering_a_name_again_replaces_the_pass_and_its_place() -> None:
    passes = PassRegistry()
    passes.register("first", on_lines(lambda lines: [*lines, "first"]), 10)
    passes.register("second", on_lines(lambda lines: [*lines, "second"]), 20)
    passes.register("first", on_lines(lambda lines: [*lines, "again"]), 30)
    assert list(passes) == ["second", "first"]
    assert len(passes) == 2
    draft = Draft(lines=[])
    for run in passes.values():
        draft = run(draft)
    assert draft.lines == ["second", "again"]


def test_a_subset_of_passes_runs_only_those() -> None:
    passes = PassRegistry()
    passes.register("classify", classify, 1)
    doc = parse_text("Skip to content\n" + PARA, passes)
    assert doc.title is None
    assert doc.blocks == [heading("Skip to content"), para(PARA)]  # no drop_chrome


def test_on_lines_and_on_blocks_touch_only_their_part() -> None:
    draft = Draft(lines=["a"], title="T", blocks=[para("b")])
    lined = on_lines(lambda lines: [*lines, "c"])(draft)
    assert lined == Draft(lines=["a", "c"], title="T", blocks=[para("b")])
    blocked = on_blocks(lambda blocks: [*blocks, para("d")])(draft)
    assert blocked == Draft(lines=["a"], title="T", blocks=[para("b"), para("d")])


def test_draft_from_text_splits_at_every_kind_of_line_end() -> None:
    draft = Draft.from_text("one\r\ntwo\rthree\n\nfour\n")
    assert draft.lines == ["one", "two", "three", "", "four", ""]
    assert draft.title is None and draft.blocks == []


# --- line passes -------------------------------------------------------------


def test_normalise_collapses_spacing_and_keeps_the_text_and_blank_lines() -> None:
    lines = ["\ufeffA\u00a0 heading\t here ", "zero\u200bwidth", "   ", "", "  two   words  "]
    assert normalise(lines) == ["A heading here", "zerowidth", "", "", "two words"]


HARD_WRAPPED = [
    "Keeping bees in a small garden is easier than most people think, as",
    "long as the hive faces away from paths and gets sun in the morning.",
    "The bees will forage for miles, so the garden itself matters less",
    "than the neighbourhood.",
    "",
    "Equipment",
    "",
    "You need a hive, a smoker, a veil and gloves, and a hive tool to",
    "separate frames that the bees have glued together with propolis.",
    "",
    "- a hive with frames",
    "- a smoker and fuel",
]


def test_unwrap_joins_hard_wrapped_paragraphs_and_keeps_list_items_apart() -> None:
    assert unwrap(HARD_WRAPPED) == [
        "Keeping bees in a small garden is easier than most people think, as long as the hive "
        "faces away from paths and gets sun in the morning. The bees will forage for miles, so "
        "the garden itself matters less than the neighbourhood.",
        "",
        "Equipment",
        "",
        "You need a hive, a smoker, a veil and gloves, and a hive tool to separate frames that "
        "the bees have glued together with propolis.",
        "",
        "- a hive with frames",
        "- a smoker and fuel",
    ]


def test_unwrap_leaves_one_paragraph_a_line_text_alone() -> None:
    # Paragraphs of any length, one a line: no common wrapping width.
    long_para = PARAS[1] + " " + PARAS[2]
    scraped = ["A Heading", PARAS[0], "", long_para, "Short line", PARAS[3], PARAS[4], PARAS[5]]
    assert unwrap(scraped) == scraped


def test_unwrap_leaves_short_texts_alone() -> None:
    assert unwrap(HARD_WRAPPED[:4]) == HARD_WRAPPED[:4]


def test_cut_strong_tail_cuts_a_comment_form_in_the_second_half_prose_and_all() -> None:
    lines = [PARAS[0], PARAS[1], PARAS[2], "Leave a Reply", "Your email address is safe."]
    assert cut_strong_tail(lines) == PARAS[:3]


def test_cut_strong_tail_keeps_such_a_line_in_the_first_half() -> None:
    lines = ["More from Daily Planet", PARAS[0], PARAS[1]]
    assert cut_strong_tail(lines) == lines


def test_cut_strong_tail_keeps_a_sentence_that_mentions_related_posts() -> None:
    lines = [PARAS[0], PARAS[1], "Related posts from last year are listed on the archive page."]
    assert cut_strong_tail(lines) == lines


def test_drop_chrome_drops_navigation_placeholders_counters_and_furniture() -> None:
    chrome = [
        "",
        "Skip to content",
        "Menu",
        "Image3",
        "Career Forge 0 21",
        "Share on Facebook",
        "Photo credit: Unsplash",
        "5 min read",
        "12 Comments",
        "Broadcast| Connect| Grow",
        "·",
        "1.2k",
        "Copyright © 2024 Garden Weekly. All rights reserved.",
        "We use cookies to improve your experience. By continuing you accept them.",
        "Jane Doe",
    ]
    assert drop_chrome([*chrome, PARA]) == [PARA]


def test_drop_chrome_keeps_prose_bylines_dates_and_headings() -> None:
    kept = [
        "Share your thoughts with the team before the meeting ends today, please.",
        "Menu planning for the week takes about an hour if you keep a list.",
        "Image quality matters more than resolution for most readers of this page.",
        "Cookies made from the first apples are a family tradition, and nobody accepts less.",
        "By Maria Lopez",
        "March 3, 2024",
        "Where the Water Comes From",
        "By the Numbers",
    ]
    assert drop_chrome(kept) == kept


def test_drop_chrome_drops_a_filler_testimonial_with_its_heading_names_and_roles() -> None:
    lines = [
        PARAS[0],
        "Testimonials",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
        "John Doe",
        "Designer",
        PARAS[1],
    ]
    assert drop_chrome(lines) == [PARAS[0], PARAS[1]]


def test_drop_chrome_drops_a_teaser_card_but_keeps_a_trailing_ellipsis() -> None:
    lines = [
        "Designers in...",
        "",
        "Designers in Demand Across the Region",
        "And then the lights went out...",
        PARA,
    ]
    assert drop_chrome(lines) == ["And then the lights went out...", PARA]


def test_cut_tail_cuts_a_final_list_of_links() -> None:
    lines = [PARAS[0], "Read also:", "Some other story", "Another story"]
    assert cut_tail(lines) == [PARAS[0]]


def test_cut_tail_keeps_a_related_label_followed_by_prose() -> None:
    lines = [PARAS[0], "Related", "Short line", PARAS[1]]
    assert cut_tail(lines) == lines


def test_cut_tail_keeps_short_closing_lines_without_a_tail_label() -> None:
    lines = [PARAS[0], "Thanks for reading", "See you next week"]
    assert cut_tail(lines) == lines


def test_drop_contents_drops_a_table_of_contents_and_its_label() -> None:
    sections = ["Choosing the Trees", "Pruning in Winter", "Harvest Time"]
    body = [sections[0], PARAS[0], sections[1], PARAS[1], sections[2], PARAS[2]]
    assert drop_contents([PARAS[3], "Table of Contents", *sections, *body]) == [PARAS[3], *body]


def test_drop_contents_keeps_two_repeated_lines() -> None:
    lines = ["Choosing the Trees", "Harvest Time", PARA, "Choosing the Trees", "Harvest Time"]
    assert drop_contents(lines) == lines


# --- from lines to blocks ----------------------------------------------------


def test_find_title_takes_the_headline_leaves_banners_and_keeps_the_lead() -> None:
    lines = [
        "Daily Planet: The World's Number 1 News Site ✨",
        "World News",
        "Farmers Turn to Drought-Resistant Seeds as Rains Fail",
        "By Jane Roe",
        "March 3, 2024",
        PARAS[0],
        "What the Experts Say",
        PARAS[1],
    ]
    draft = find_title(Draft(lines=lines))
    assert draft.title == "Farmers Turn to Drought-Resistant Seeds as Rains Fail"
    assert draft.blocks == [para("By Jane Roe"), para("March 3, 2024")]
    assert draft.lines == [PARAS[0], "What the Experts Say", PARAS[1]]


def test_find_title_prefers_a_headline_printed_twice_and_drops_the_copy() -> None:
    lines = [
        "A Headline Printed Twice Here",
        "Another Title Case Line Here",
        PARAS[0],
        "A Headline Printed Twice Here",
        PARAS[1],
    ]
    draft = find_title(Draft(lines=lines))
    assert draft.title == "A Headline Printed Twice Here"
    assert draft.blocks == [para("Another Title Case Line Here")]
    assert draft.lines == [PARAS[0], PARAS[1]]


def test_find_title_leaves_a_text_that_opens_with_prose_unchanged() -> None:
    draft = Draft(lines=[PARAS[0], "A Section Heading", PARAS[1]])
    assert find_title(draft) == draft


def test_find_title_leaves_a_long_masthead_unchanged() -> None:
    draft = Draft(lines=[f"Menu Entry Number {k}" for k in range(17)] + [PARA])
    assert find_title(draft) == draft


def test_classify_finds_headings_lists_and_paragraphs_after_the_lead() -> None:
    lines = [
        "Where the Water Comes From",
        PARAS[0],
        "What to Pack",
        "a warm coat for the evening",
        "waterproof boots and socks",
        "What the Locals Say",
        PARAS[1],
        "• first point made as a bullet",
        "3) third step of the plan",
        "Contact:",
        "see you soon",
    ]
    draft = classify(Draft(lines=lines, title="T", blocks=[para("By Jane Roe")]))
    assert draft.title == "T"
    assert draft.lines == []
    assert draft.blocks == [
        para("By Jane Roe"),
        heading("Where the Water Comes From"),
        para(PARAS[0]),
        heading("What to Pack"),
        bullet("a warm coat for the evening"),
        bullet("waterproof boots and socks"),
        heading("What the Locals Say"),
        para(PARAS[1]),
        bullet("first point made as a bullet"),
        Block(Kind.NUMBERED, "third step of the plan", number=3),
        para("Contact:"),
        para("see you soon"),
    ]


def test_classify_makes_numbered_title_case_lines_sections_over_plain_headings() -> None:
    item = "Long numbered item that reads like a sentence of the list, ending here."
    lines = [
        "1. Building Robust Infrastructure",
        PARAS[0],
        "Why It Matters",
        PARAS[1],
        "2. Advancing Data Sovereignty",
        PARAS[2],
        f"1. {item}",
    ]
    assert classify(Draft(lines=lines)).blocks == [
        heading("1. Building Robust Infrastructure"),
        para(PARAS[0]),
        heading("Why It Matters", level=3),
        para(PARAS[1]),
        heading("2. Advancing Data Sovereignty"),
        para(PARAS[2]),
        Block(Kind.NUMBERED, item, number=1),
    ]


def test_classify_keeps_a_single_numbered_heading_a_list_item() -> None:
    lines = ["1. Building Robust Infrastructure", PARA]
    assert classify(Draft(lines=lines)).blocks == [
        Block(Kind.NUMBERED, "Building Robust Infrastructure", number=1),
        para(PARA),
    ]


# --- block passes ------------------------------------------------------------


def test_drop_empty_sections_drops_headings_with_nothing_under_them() -> None:
    blocks = [
        heading("Empty"),
        heading("Has a Subsection"),
        heading("Subsection", level=3),
        para(PARAS[0]),
        heading("Also Empty", level=3),
        heading("Full"),
        bullet("an item"),
        heading("At the End"),
    ]
    assert drop_empty_sections(blocks) == [
        heading("Has a Subsection"),
        heading("Subsection", level=3),
        para(PARAS[0]),
        heading("Full"),
        bullet("an item"),
    ]


def test_drop_empty_sections_keeps_every_non_heading() -> None:
    blocks = [para(PARAS[0]), bullet("an item"), Block(Kind.NUMBERED, "a step", number=1)]
    assert drop_empty_sections(blocks) == blocks


def test_promote_closing_sections_raises_headings_after_the_last_numbered_one() -> None:
    blocks = [
        heading("1. First Section"),
        heading("Inside the First", level=3),
        para(PARAS[0]),
        heading("2. Second Section"),
        para(PARAS[1]),
        heading("Conclusion", level=3),
        para(PARAS[2]),
    ]
    assert promote_closing_sections(blocks) == [
        *blocks[:5],
        heading("Conclusion", level=2),
        para(PARAS[2]),
    ]


def test_promote_closing_sections_leaves_unnumbered_texts_alone() -> None:
    blocks = [heading("Intro"), heading("Detail", level=3), para(PARA)]
    assert promote_closing_sections(blocks) == blocks
