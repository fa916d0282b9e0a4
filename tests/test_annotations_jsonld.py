"""The JSON-LD export is W3C Web Annotation data: expanded with the W3C context (kept in
tests/data/anno.jsonld, from http://www.w3.org/ns/anno.jsonld), nothing is lost and
every term lands on the model's property."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyld import jsonld

from reader.bookmarks.annotations import CONTEXT
from reader.core import ReaderCore

ANNO = Path(__file__).parent / "data" / "anno.jsonld"
OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def offline_loader(url: str, _options: object = None) -> dict[str, Any]:
    """Serves the W3C context from the test data; any other address is a failure."""
    assert url.rstrip("/") == CONTEXT, url
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(ANNO.read_text())}


def expanded(document: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": offline_loader})
    return result


def values(node: dict[str, Any], prop: str) -> list[Any]:
    return [v.get("@value", v.get("@id", v)) for v in node.get(prop, [])]


def test_the_export_expands_onto_the_web_annotation_vocabulary(core: ReaderCore) -> None:
    noted = core.add_bookmark_quote(
        "backend-developer", "Imagine a magnificent skyscraper.", note="analogy",
        color="green", tags=("teaching",),
    )  # fmt: skip
    core.add_bookmark_quote("empowering-national-progress", "Estonia’s digital ID system")
    document = json.loads(core.export_bookmarks("json"))

    (collection,) = expanded(document)
    assert collection["@type"] == [AS + "OrderedCollection"]
    assert values(collection, AS + "totalItems") == [2]
    (page,) = collection[AS + "first"]
    assert page["@type"] == [AS + "OrderedCollectionPage"]
    annotations = page[AS + "items"][0]["@list"]
    assert len(annotations) == 2
    first = next(a for a in annotations if a["@id"] == "urn:uuid:" + noted.id)
    assert first["@type"] == [OA + "Annotation"]
    assert values(first, OA + "motivatedBy") == [OA + "commenting"]
    assert first[DCTERMS + "created"][0]["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    assert DCTERMS + "modified" in first

    bodies = {values(b, OA + "hasPurpose")[0]: b for b in first[OA + "hasBody"]}
    assert values(bodies[OA + "commenting"], RDF + "value") == ["analogy"]
    assert bodies[OA + "tagging"]["@type"] == [OA + "TextualBody"]

    (target,) = first[OA + "hasTarget"]
    assert target["@type"] == [OA + "SpecificResource"]
    assert values(target, OA + "hasSource") == ["urn:x-reader:article:backend-developer"]
    assert values(target, OA + "styleClass") == ["color-green"]  # on the SpecificResource
    assert values(target, RDFS + "label") == [
        "Backend Developer: The Unseen Architect of the Digital World"
    ]
    selectors = {s["@type"][0]: s for s in target[OA + "hasSelector"]}
    quote = selectors[OA + "TextQuoteSelector"]
    assert values(quote, OA + "exact") == ["Imagine a magnificent skyscraper."]
    assert OA + "prefix" in quote and OA + "suffix" in quote
    position = selectors[OA + "TextPositionSelector"]
    assert values(position, OA + "start") == [noted.start]
    assert values(position, OA + "end") == [noted.end]


def test_no_term_of_the_export_is_dropped_by_expansion(core: ReaderCore) -> None:
    """Compacting the expanded form with the same context gives the export back: every
    key the export writes is a term of the W3C context."""
    core.add_bookmark_quote("backend-developer", "Imagine a magnificent skyscraper.",
                            note="a note", tags=("one", "two"))  # fmt: skip
    document = json.loads(core.export_bookmarks("json"))
    options = {"documentLoader": offline_loader}
    again = jsonld.compact(jsonld.expand(document, options), CONTEXT, options)

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert keys(again) == keys(document)
