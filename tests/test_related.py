"""More like this: the articles most like an article, a bookmarked passage or a selection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from reader import cli
from reader.core import ReaderCore
from reader.errors import ArticleNotFound, BookmarkError, BookmarkNotFound
from reader.paths import bundled_articles_dir
from reader.search import ARTICLE, Hit, Related, Snippet
from reader.ui.main_window import MainWindow
from reader.ui.related_panel import RelatedPanel, Source
from reader.ui.themes import THEMES
from tests.conftest import OpenWindow, settle, show

BUNDLED = (
    "empowering-national-progress",
    "why-back-end-developers-remain",
    "the-hidden-importance-of-backend",
    "the-role-of-the-backend",
    "backend-developer",
)

GARDENING = {
    "tomatoes": """# Growing Tomatoes in a Small Garden

Tomatoes want sun, warm soil and steady water. Plant the seedlings deep, up to their first
leaves, in a bed dug with compost. Stake or cage each plant early, and pinch out the side
shoots so the fruit ripens. Water the soil, not the leaves, in the morning; mulch with straw
to keep the roots cool and the soil moist. Feed with a potash fertiliser once the first
trusses flower. Blight spreads in wet summers: remove spotted leaves, and rotate the bed so
tomatoes never grow in the same soil two years running.
""",
    "compost": """# Making Compost for the Vegetable Garden

Good compost turns kitchen scraps and garden waste into crumbly soil that feeds every bed.
Mix green material (grass clippings, vegetable peelings, fresh weeds) with brown material
(dry leaves, straw, shredded cardboard). Keep the heap as moist as a wrung sponge and turn
it every few weeks so air reaches the middle. Worms and microbes do the rest. In a year the
compost is dark and sweet-smelling: dig it into the soil before planting, or spread it as a
mulch around seedlings and roses.
""",
    "roses": """# Pruning and Feeding Roses

Roses flower on new growth, so prune them hard in late winter, cutting each stem above an
outward-facing bud. Take out dead and crossing wood to let air through the plant. After
pruning, feed the soil around the roots with compost or well-rotted manure and a rose
fertiliser, then mulch. Water deeply in dry spells, at the base of the plant rather than
over the leaves, to keep black spot away. Deadhead faded flowers through the summer and the
bush keeps blooming until the first frost in the garden.
""",
}
DATABASES = {
    "indexes": """# How Database Indexes Speed Up Queries

A database index is a sorted structure, usually a B-tree, that lets the query planner find
rows without scanning the whole table. An index on the column in a WHERE clause turns a full
table scan into a few page reads. Composite indexes serve queries that filter on their
leading columns. Every index costs disk space and slows each insert and update, since the
database must keep it in step with the table. Read the query plan with EXPLAIN to see
whether the planner uses an index, and drop the ones no query needs.
""",
    "transactions": """# Transactions and Isolation in SQL Databases

A transaction groups SQL statements so they commit together or not at all. The database
guarantees atomicity, consistency, isolation and durability. Isolation levels decide what
concurrent transactions see: read committed hides uncommitted rows, repeatable read keeps a
snapshot, serializable makes concurrent transactions behave as if they ran one after
another. Locks and multi-version concurrency control keep the table consistent; a deadlock
aborts one transaction, which the application must retry. Keep transactions short so locks
are held briefly and the query throughput stays high.
""",
    "schemas": """# Normalising a Relational Database Schema

Normalisation splits a table so each fact is stored once. First normal form removes
repeating groups from a row; second and third normal forms move columns that depend on only
part of the key, or on another column, into their own table linked by a foreign key. A
normalised schema avoids update anomalies, at the price of joins in every query. Denormalise
deliberately, with an index or a materialised view, when a query reads the joined tables far
more often than they are written. The database enforces the keys with constraints.
""",
}
# A gardening article with a paragraph about databases in it.
JOURNAL = """# A Gardener's Year

In spring I dig compost into every bed and sow the seedlings under glass. The soil warms, the
roses are pruned, and the tomatoes go out once the frost has passed. Through summer I water the
roots in the morning, mulch with straw, and feed the roses and tomatoes every fortnight.

I keep the sowing records in a small SQL database: one table of plants, one of beds, joined by
a foreign key, with an index on the sowing date so the query for this week's jobs reads a few
rows instead of scanning the whole table.

In autumn the beds are cleared, the leaves go on the compost heap, and the garden rests.
"""


def _import_topics(
    core: ReaderCore, folder: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Import the gardening and database articles (and ``extra``); their ids by short name."""
    folder.mkdir()
    names = {**GARDENING, **DATABASES, **(extra or {})}
    for name, text in names.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    ids = {}
    for outcome in core.import_paths(sorted(folder.glob("*.md"))):
        assert outcome.status == "imported" and outcome.article_id, outcome
        ids[outcome.path.stem] = outcome.article_id
    return ids


@pytest.fixture
def topics(core: ReaderCore, tmp_path: Path) -> dict[str, str]:
    ids = _import_topics(core, tmp_path / "topics")
    core.sync_index()
    return ids


def _ids(found: Related) -> list[str]:
    return [h.article_id for h in found.hits]


# --- the core ------------------------------------------------------------------


def test_each_bundled_article_finds_the_others_ranked_never_itself(core: ReaderCore) -> None:
    core.sync_index()
    for article_id in BUNDLED:
        found = core.related(article_id)
        ids = _ids(found)
        assert article_id not in ids
        assert sorted(ids) == sorted(set(BUNDLED) - {article_id})  # all about the same subject
        scores = [h.score for h in found.hits]
        assert scores == sorted(scores, reverse=True) and scores[-1] > 0
        assert all(h.kind == "article" and h.id == h.article_id for h in found.hits)
        assert {"backend", "back"} & {t.lower() for t in found.terms}
    assert len(core.related("backend-developer", limit=2).hits) == 2


def test_distinct_topics_come_back_with_their_own_kind_first(
    core: ReaderCore, topics: dict[str, str]
) -> None:
    for group in (GARDENING, DATABASES):
        for name in group:
            ids = _ids(core.related(topics[name]))
            assert topics[name] not in ids
            kin = {topics[other] for other in group if other != name}
            assert set(ids[:2]) == kin, (name, ids)
    gardening = {topics[n] for n in GARDENING}
    # The backend articles touch on databases, never on gardens.
    assert not gardening & set(_ids(core.related("backend-developer")))


def test_a_bookmark_finds_articles_like_its_passage_and_its_note(
    core: ReaderCore, topics: dict[str, str]
) -> None:
    compost = topics["compost"]
    b = core.add_bookmark_quote(compost, "Worms and microbes do the rest.")
    assert topics["roses"] not in _ids(core.related(compost, b.id))  # nothing of gardens
    noted = core.add_bookmark_quote(
        compost, "Worms and microbes do the rest.", note="like pruning roses: feed the soil"
    )
    core.sync_index()
    ids = _ids(core.related(compost, noted.id))
    assert compost not in ids  # a passage never finds its own article
    assert ids[0] == topics["roses"]
    passage = core.add_bookmark_quote(
        "backend-developer", "optimize database queries for speed", note="indexes, EXPLAIN"
    )
    ids = _ids(core.related("backend-developer", passage.id))
    assert ids[0] == topics["indexes"] and "backend-developer" not in ids


def test_a_passage_finds_articles_like_it_and_never_its_own(
    core: ReaderCore, topics: dict[str, str]
) -> None:
    text = "Composite indexes serve queries that filter on their leading columns."
    ids = _ids(core.related(topics["indexes"], text=text))
    assert topics["indexes"] not in ids
    assert ids[0] in (topics["schemas"], topics["transactions"])
    assert not {topics[n] for n in GARDENING} & set(ids)
    found = core.related("backend-developer", text="compost, mulch and the roots of roses")
    assert {topics[n] for n in GARDENING} == set(_ids(found)[:3])


def test_snippets_mark_the_words_shared_with_the_source(
    core: ReaderCore, topics: dict[str, str]
) -> None:
    found = core.related(topics["tomatoes"])
    shared = {t.lower() for t in found.terms}
    assert {"soil", "compost"} <= shared
    for hit in found.hits[:2]:
        marked = {s.text[a:b].lower() for s in hit.snippets for a, b in s.highlights}
        assert marked and marked & shared, (hit.title, marked)
        assert hit.offsets  # every shared word, placed in the text `show` prints


def test_nothing_to_go_by_finds_nothing(core: ReaderCore) -> None:
    core.sync_index()
    assert core.related("backend-developer", text="the and of it is") == Related((), ())
    assert core.related("backend-developer", text="   ") == Related((), ())


def test_unknown_articles_and_bookmarks_are_errors(core: ReaderCore) -> None:
    b = core.add_bookmark_quote("backend-developer", "Imagine a magnificent skyscraper.")
    with pytest.raises(ArticleNotFound):
        core.related("no-such-article")
    with pytest.raises(ArticleNotFound):
        core.related("no-such-article", text="databases")
    with pytest.raises(BookmarkNotFound):
        core.related("backend-developer", "no-such-bookmark")
    with pytest.raises(BookmarkError, match="belongs to article backend-developer"):
        core.related("the-role-of-the-backend", b.id)


def test_a_library_without_the_index_built_finds_nothing_until_synced(core: ReaderCore) -> None:
    assert core.related("backend-developer").hits == ()
    core.sync_index()
    assert core.related("backend-developer").hits


# --- the command line -----------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_related_articles_like_search_does(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = _run(capsys, "--data-dir", str(data_dir), "related", "backend-developer")
    assert code == 0 and not err
    lines = out.splitlines()
    assert lines[0].startswith("4 related articles; words in common: ")
    listed = [line.split()[1] for line in lines if line[:1] == " " and line.strip()[:1].isdigit()]
    assert sorted(listed) == sorted(set(BUNDLED) - {"backend-developer"})
    assert "**" in out  # the shared words marked in the snippets

    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "related", "backend-developer",
                        "--limit", "2", "--json")  # fmt: skip
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2
    for hit in hits:
        assert set(hit) == {"id", "kind", "title", "score", "snippet", "offsets"}
        assert hit["kind"] == "article" and hit["id"] != "backend-developer"
        assert "**" in hit["snippet"] and all(len(span) == 2 for span in hit["offsets"])
    assert hits[0]["score"] >= hits[1]["score"]


def test_cli_finds_articles_like_a_bookmark(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    _run(capsys, "--data-dir", str(data_dir), "bookmarks", "add", "backend-developer",
         "--quote", "optimize database queries for speed", "--note", "caching")  # fmt: skip
    _, out, _ = _run(capsys, "--data-dir", str(data_dir), "bookmarks", "list", "--json")
    mark = json.loads(out)[0]["id"]
    target = f"backend-developer#{mark}"
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "related", target, "--json")
    ids = [h["id"] for h in json.loads(out)]
    assert code == 0 and ids and "backend-developer" not in ids


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no-such-article", "no article with id 'no-such-article'"),
        ("backend-developer#no-such-bookmark", "no bookmark with id 'no-such-bookmark'"),
    ],
)
def test_cli_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, target: str, message: str
) -> None:
    code, out, err = _run(capsys, "--data-dir", str(data_dir), "related", target)
    assert code == 1 and not out
    assert err.strip().splitlines() == [f"reader: error: {message}"]


# --- the window -----------------------------------------------------------------


@pytest.fixture
def topic_library(data_dir: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    core = ReaderCore(data_dir, bundled_articles_dir())
    core.refresh()
    ids = _import_topics(core, tmp_path / "topics", {"journal": JOURNAL})
    core.close()
    yield ids


def _listed(window: MainWindow) -> list[str]:
    return [h.article_id for h in window.related_panel.hits()]


def _show_related(qtbot: QtBot, window: MainWindow) -> None:
    window.sidebar.setCurrentWidget(window.related_panel)
    qtbot.waitUntil(lambda: not window.related_panel.needs_results(), timeout=10_000)
    settle(qtbot, window)


def test_the_related_tab_lists_the_articles_like_the_one_shown(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, topic_library: dict[str, str]
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, topic_library["tomatoes"])
    _show_related(qtbot, window)
    panel = window.related_panel
    gardening = {topic_library[n] for n in ("compost", "roses", "journal")}
    assert set(_listed(window)[:3]) == gardening
    assert topic_library["tomatoes"] not in _listed(window)
    assert "Growing Tomatoes in a Small Garden" in panel.heading.text()
    assert "soil" in panel.status.text()
    # another article opened elsewhere: the list follows it
    show(qtbot, window, topic_library["indexes"])
    qtbot.waitUntil(lambda: not panel.needs_results(), timeout=10_000)
    listed = _listed(window)
    # the other database articles, and the garden journal's paragraph on its database
    assert set(listed[:3]) == {topic_library[n] for n in ("schemas", "transactions", "journal")}
    assert topic_library["indexes"] not in listed


def test_activating_a_related_article_opens_it_and_keeps_the_list(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, topic_library: dict[str, str]
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, topic_library["roses"])
    _show_related(qtbot, window)
    panel = window.related_panel
    before = _listed(window)
    row = panel.results.row_index(1)
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        panel.on_item_activated(row)
    settle(qtbot, window)
    assert window.view.page is not None and window.view.page.id == before[1]
    assert _listed(window) == before  # still the articles like the roses, to go on from
    # the heading's link goes back to the article they are like
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        panel.heading.linkActivated.emit(f"article:{topic_library['roses']}")
    assert window.view.page.id == topic_library["roses"]


def test_more_like_this_on_a_selection_lists_the_articles_like_the_passage(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, topic_library: dict[str, str]
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, topic_library["journal"])
    _show_related(qtbot, window)
    panel = window.related_panel
    gardening = {topic_library[n] for n in GARDENING}
    assert set(_listed(window)[:3]) == gardening  # the whole article: about a garden
    page = window.view.page
    assert page is not None
    start = page.text.index("I keep the sowing records")
    end = page.text.index("the whole table.") + len("the whole table.")
    window.view.setTextCursor(window.view.cursor_for(start, end))  # the paragraph on databases
    window.commands.more_like.trigger()
    qtbot.waitUntil(lambda: not panel.needs_results(), timeout=10_000)
    settle(qtbot, window)
    listed = _listed(window)
    assert set(listed[:2]) <= {topic_library[n] for n in DATABASES}  # the passage: databases
    assert topic_library["journal"] not in listed
    assert "More like the passage" in panel.heading.text()
    assert "sowing records" in panel.heading.text()
    source = panel.source()
    assert source is not None and source.article_id == topic_library["journal"]


def test_more_like_this_takes_the_bookmark_chosen_in_the_bookmarks_tab(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, topic_library: dict[str, str]
) -> None:
    core = ReaderCore(data_dir, bundled_articles_dir())
    core.refresh()
    b = core.add_bookmark_quote(topic_library["compost"], "Worms and microbes do the rest.",
                                note="like pruning roses: feed the soil")  # fmt: skip
    core.close()
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, "backend-developer")
    window.sidebar.setCurrentWidget(window.bookmarks_panel)
    window.bookmarks_panel.select(b.id)
    window.commands.more_like.trigger()
    panel = window.related_panel
    assert window.sidebar.currentWidget() is panel
    qtbot.waitUntil(lambda: not panel.needs_results(), timeout=10_000)
    source = panel.source()
    assert source is not None and source.bookmark_id == b.id
    assert "More like your bookmark" in panel.heading.text()
    assert topic_library["roses"] in _listed(window)[:2]  # the note speaks of roses
    # with nothing selected and no bookmark chosen: the article shown
    window.commands.more_like.trigger()
    qtbot.waitUntil(lambda: not panel.needs_results(), timeout=10_000)
    source = panel.source()
    assert source is not None and source.is_article and source.article_id == "backend-developer"


def test_the_article_context_menu_offers_more_like_this(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, "backend-developer")
    offered: list[str] = []

    class Menu(QMenu):
        def exec(self, *_args: object) -> None:  # type: ignore[override]
            offered.extend(a.text() for a in self.actions())

    monkeypatch.setattr(window.view, "createStandardContextMenu", lambda: Menu(window))
    window.on_view_context_menu(QPoint(10, 10))
    assert "&More Like This" in offered


def test_the_related_list_takes_the_themes_colours(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, "backend-developer")
    _show_related(qtbot, window)
    window.apply_theme_choice("dark")
    results = window.related_panel.results
    text = results.delegate.rich_text(results.row_index(0))
    assert THEMES["dark"].mark in text
    assert THEMES["light"].mark not in text
    assert THEMES["dark"].ui_muted in window.related_panel.status.text()


def test_a_source_that_is_gone_is_said_in_the_list(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, "backend-developer")
    window.sidebar.setCurrentWidget(window.bookmarks_panel)
    panel = window.related_panel
    panel.set_source(Source("backend-developer", "Backend Developer", "no-such-bookmark", "x"))
    window.sidebar.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: not panel.needs_results(), timeout=10_000)
    assert "no bookmark with id" in panel.status.text().lower()
    assert panel.results.count() == 0


def _found(count: int) -> Related:
    snippet = "…a long paragraph on soil, compost and the worms that feed it, " * 3
    hits = tuple(
        Hit(f"article:a{k}", ARTICLE, f"a{k}", f"Garden {k}", 1.0,
            (Snippet(snippet, ((10, 14),), 0), Snippet("a second snippet", (), 500)), ())
        for k in range(count)
    )  # fmt: skip
    return Related(hits, ("soil",))


def test_the_row_chosen_stays_chosen_and_in_view_when_the_list_is_found_again(
    qtbot: QtBot,
) -> None:
    panel = RelatedPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 360)
    panel.show()
    qtbot.waitExposed(panel)
    source = Source("garden", "Garden")
    panel.set_source(source)
    panel.show_related(source, _found(12))
    results = panel.results
    assert results.currentRow() == -1  # none at first
    assert "a second snippet" not in results.row_index(0).data()  # one snippet a row
    results.setCurrentRow(11)
    panel.invalidate()
    panel.show_related(source, _found(12))  # found again, once the index changed
    assert results.currentRow() == 11
    row = results.visualRect(results.row_index(11))
    assert results.viewport().rect().intersects(row)
    assert panel.hits() == list(_found(12).hits)
