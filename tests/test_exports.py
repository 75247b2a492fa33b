"""The archive as data (issue 13): W3C Web Annotations, the flat export, ClaimReview,
feeds, sitemap, robots.txt and meta tags, read from real builds as a consumer would."""

from __future__ import annotations

import datetime as dt
import html
import html.parser
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from glossator.anchor.fold import fold
from glossator.build import pipeline
from glossator.build.options import BuildOptions
from glossator.exports import w3c
from glossator.exports.w3c import DATA_FORMAT, DATA_VERSION
from glossator.project import Project
from glossator.validate.site import DEFAULT_VERDICTS
from tests.helpers import REPO, SEED_SLUG, article_md, build_site, write_archive
from tests.html_text import page_text_of
from tests.w3c_conformance import (
    BASE_URL,
    HARD_SLUG,
    HARD_YAML,
    VERDICT_IDS,
    VERDICT_SLUG,
    VERDICT_YAML,
    longest_context_after,
    longest_context_before,
    run_checker,
    utf16_len,
    write_hard_archive,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
KIND_MOTIVATION = {"claim": "assessing", "sourcing": "commenting", "context": "linking"}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def items_of(site: Path, slug: str) -> list[dict[str, Any]]:
    return load(site / "articles" / slug / "annotations.jsonld")["first"]["items"]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"].rsplit("#", 1)[1]: item for item in items}


def records_of(site: Path) -> dict[str, dict[str, Any]]:
    return {(r["article"] + "#" + r["id"]): r for r in load(site / "data" / "annotations.json")["annotations"]}


# --- W3C conformance ----------------------------------------------------------------------


def test_every_exported_annotation_passes_the_w3c_suite(hard_site: Path, seed_site: Path) -> None:
    files = [*hard_site.glob("articles/*/annotations.jsonld"), hard_site / "annotations.jsonld",
             *hard_site.glob("annotations/page-*.jsonld"),
             *seed_site.glob("articles/*/annotations.jsonld"), seed_site / "annotations.jsonld"]
    result = run_checker(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    # 10 + 7 per article in the hard archive, embedded again in the archive collection and its page; 12 in the seed
    assert "w3c-annotation-model: 75 annotations, 54 assertions each, 0 failures" in result.stdout


def test_the_w3c_checker_catches_what_it_should(hard_site: Path, tmp_path: Path) -> None:
    """A control: the kit is not a no-op here. Break MUST rules and it fails."""
    item = by_id(items_of(hard_site, HARD_SLUG))["curly"]
    broken = json.loads(json.dumps(item))
    broken["@context"] = "http://www.w3.org/ns/anno.jsonld"
    broken["created"] = "2026-01-05"  # not an xsd:dateTime (model 3.3.1)
    del broken["target"]["selector"][0]["exact"]  # TextQuoteSelector MUST have exact (model 4.2.4)
    del broken["target"]["selector"][1]["refinedBy"]["start"]  # so MUST a refining TextPositionSelector (4.2.5)
    path = tmp_path / "broken.jsonld"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = run_checker(path)
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert any("created" in line for line in failures)
    assert "'exact' is a required property" in result.stdout
    assert any("refinedBy" in line for line in failures)


# --- the annotations ------------------------------------------------------------------------


def test_annotation_fields(hard_site: Path) -> None:
    page_url = BASE_URL + f"articles/{HARD_SLUG}/"
    items = by_id(items_of(hard_site, HARD_SLUG))
    assert set(items) == {"across-paragraphs", "across-bold-link", "across-list", "curly", "nested", "overlapping",
                          "after-emoji", "emoji-inside", "script-quote", "whole-article"}
    records = records_of(hard_site)
    for ann_id, item in items.items():
        kind = records[f"{HARD_SLUG}#{ann_id}"]["kind"]
        assert item["id"] == page_url + "#" + ann_id
        assert item["type"] == "Annotation"
        assert item["motivation"] == KIND_MOTIVATION[kind]
        assert RFC3339.match(item["created"])
        note = item["body"][0]
        assert note["type"] == "Choice"
        html_body, markdown_body = note["items"]
        assert (html_body["format"], markdown_body["format"]) == ("text/html", "text/markdown")
        assert markdown_body["value"] == records[f"{HARD_SLUG}#{ann_id}"]["note"]
        assert html_body["value"].startswith("<p>") and markdown_body["value"] in html_body["value"]
    bold = items["across-bold-link"]
    assert bold["creator"] == [{"type": "Person", "nickname": "tester"},
                               {"type": "Person", "nickname": "second-reader"}]
    assert (bold["created"], bold["modified"]) == ("2026-01-03T00:00:00Z", "2026-02-01T00:00:00Z")
    assert "modified" not in items["curly"]
    assert bold["body"][1] == {"type": "SpecificResource", "purpose": "linking",
                               "source": {"id": "https://example.org/background", "label": "Background reading"}}
    claim = items["across-paragraphs"]
    assert claim["body"][1] == {"type": "TextualBody", "purpose": "tagging", "value": "Misleading"}
    assert claim["body"][2] == {"type": "SpecificResource", "purpose": "classifying",
                                "source": BASE_URL + "claims/#verdict-misleading"}
    assert claim["body"][3] == {
        "type": "SpecificResource", "purpose": ["linking", "assessing"],  # a source: the claim's evidence
        "source": {"id": "https://example.org/statement", "label": "The original statement",
                   "dcterms:publisher": "Example Ministry", "dcterms:date": "2024-04"},
        "state": {"type": "TimeState", "sourceDate": "2026-01-02T00:00:00Z",
                  "cached": "https://web.archive.org/web/2024/https://example.org/statement"},
    }
    target = claim["target"]
    assert target["type"] == "SpecificResource"
    assert target["source"] == {
        "id": page_url, "type": "Text", "format": "text/html", "language": "en",
        "dcterms:source": ["https://outlet.example/original",
                           "https://web.archive.org/web/2024/https://outlet.example/original"],
    }
    quote, css = target["selector"]
    assert quote["type"] == "TextQuoteSelector"
    # the positions say which text they count: the page-text element's (a CSS selector, refined)
    assert css == {"type": "CssSelector", "value": "#page-text",
                   "refinedBy": {"type": "TextPositionSelector", "start": css["refinedBy"]["start"],
                                 "end": css["refinedBy"]["end"]}}
    assert items["whole-article"]["target"] == page_url  # a note on the whole article targets the page
    # the verdict article has no original URL: the target's source says only what is known
    assert "dcterms:source" not in by_id(items_of(hard_site, VERDICT_SLUG))["claim-mixed"]["target"]["source"]
    # the seed article's collection
    collection = load(hard_site / "articles" / HARD_SLUG / "annotations.jsonld")
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 10
    assert collection["id"] == page_url + "annotations.jsonld"
    assert collection["first"]["partOf"] == collection["id"] and collection["last"] == collection["first"]["id"]


@pytest.mark.parametrize("site_name", ["hard_site", pytest.param("seed_site", id="seed")])
def test_selectors_are_verbatim_page_text(site_name: str, request: pytest.FixtureRequest) -> None:
    """SPEC §6: exact is the page text sliced by code points; prefix/suffix are the ≤32 UTF-16
    units around it; prefix+exact+suffix is unique. Read from the built HTML, no browser."""
    site: Path = request.getfixturevalue(site_name)
    checked = at_start = 0
    for path in site.glob("articles/*/annotations.jsonld"):
        text = page_text_of((path.parent / "index.html").read_text(encoding="utf-8"))
        for item in load(path)["first"]["items"]:
            if isinstance(item["target"], str):
                continue
            quote, css = item["target"]["selector"]
            start, end = css["refinedBy"]["start"], css["refinedBy"]["end"]
            prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
            assert text[start:end] == quote["exact"], item["id"]
            assert prefix == longest_context_before(text, start), item["id"]
            assert suffix == longest_context_after(text, end), item["id"]
            # left out where they would be empty: at the very start (or end) of the page text
            assert ("prefix" in quote) == (start > 0) and ("suffix" in quote) == (end < len(text)), item["id"]
            assert utf16_len(prefix) <= 32 and utf16_len(suffix) <= 32
            assert text.count(prefix + quote["exact"] + suffix) == 1
            checked += 1
            at_start += start == 0
    assert checked == (16 if site_name == "hard_site" else 11)
    assert at_start == (2 if site_name == "hard_site" else 1)  # `curly`, `claim-accurate`, the seed's first words


MOTIVATION_KIND = {motivation: kind for kind, motivation in KIND_MOTIVATION.items()}


def read_back(item: dict[str, Any]) -> dict[str, Any]:
    """An annotation file's fields from one W3C annotation, by the mapping docs/data-format.md
    gives ("Reading an annotation back"), which the importer follows."""
    out: dict[str, Any] = {"id": item["id"].rsplit("#", 1)[1], "kind": MOTIVATION_KIND[item["motivation"]]}
    note, *bodies = item["body"]
    out["note"] = next(b["value"] for b in note["items"] if b["format"] == "text/markdown")
    sources, links = [], []
    for body in bodies:
        purpose = body["purpose"]
        if purpose == "classifying":
            out["verdict"] = body["source"].rsplit("#verdict-", 1)[1]
        elif purpose == "linking":
            links.append({"title": body["source"]["label"], "url": body["source"]["id"]})
        elif isinstance(purpose, list) and "linking" in purpose:
            resource = body["source"]
            source = {"title": resource["label"], "url": resource["id"], "publisher": resource.get("dcterms:publisher"),
                      "date": resource.get("dcterms:date"), "archived": body.get("state", {}).get("cached")}
            sources.append({k: v for k, v in source.items() if v is not None})
        else:
            assert purpose == "tagging", body
    if sources:
        out["sources"] = sources
    if links:
        out["links"] = links
    if not isinstance(item["target"], str):
        quote = next(s for s in item["target"]["selector"] if s["type"] == "TextQuoteSelector")
        out["quote"] = " ".join(quote["exact"].split())
    handles = [creator["nickname"] for creator in item["creator"]]
    out["by"] = handles[0] if len(handles) == 1 else handles
    out["added"] = item["created"].split("T")[0]
    if "modified" in item:
        out["updated"] = item["modified"].split("T")[0]
    return out


def test_every_field_of_the_annotation_files_reads_back_from_the_jsonld(hard_site: Path, seed_site: Path) -> None:
    """The export carries everything for a round trip (issue 20): id, kind, verdict, quote, note,
    sources, links, by, added and updated, in places the W3C model has."""
    seed_yaml = (REPO / "annotations" / f"{SEED_SLUG}.yaml").read_text(encoding="utf-8")
    for site, slug, text in ((hard_site, HARD_SLUG, HARD_YAML), (hard_site, VERDICT_SLUG, VERDICT_YAML),
                             (seed_site, SEED_SLUG, seed_yaml)):
        written = yaml.safe_load(text)["annotations"]
        read = [read_back(item) for item in items_of(site, slug)]
        by_ann = {r["id"]: r for r in read}
        assert set(by_ann) == {a["id"] for a in written}
        for annotation in written:
            back = by_ann[annotation["id"]]
            expected = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in annotation.items()
                        if k not in ("quote", "prefix", "suffix")}
            if "sources" in expected:
                expected["sources"] = [{k: str(v) for k, v in source.items()} for source in expected["sources"]]
            assert {k: v for k, v in back.items() if k != "quote"} == expected, annotation["id"]
            # the quote as the page prints it: the contributor's words, compared as anchoring compares them
            if "quote" in annotation:
                assert fold(back["quote"]) == fold(" ".join(annotation["quote"].split())), annotation["id"]
            else:
                assert "quote" not in back
    # a source with no more than a title and a URL is still a source, not a link
    minimal = {"type": "SpecificResource", "purpose": ["linking", "commenting"],
               "source": {"id": "https://example.org/a", "label": "A"}}
    item = {**by_id(items_of(hard_site, HARD_SLUG))["across-list"]}
    item["body"] = [item["body"][0], minimal]
    assert read_back(item)["sources"] == [{"title": "A", "url": "https://example.org/a"}]


def test_context_never_cuts_an_emoji_in_half(hard_site: Path) -> None:
    quote = by_id(items_of(hard_site, HARD_SLUG))["after-emoji"]["target"]["selector"][0]
    # 32 units would take half of the emoji on either side: it is left out, 31 units remain
    assert utf16_len(quote["prefix"]) == 31 and utf16_len(quote["suffix"]) == 31
    assert "\u0301" in quote["prefix"]  # the combining mark is kept as the page has it
    assert quote["exact"] == "“the bridge will reopen in May”\n– officials said"


def test_archive_collection_holds_every_annotation(hard_site: Path) -> None:
    collection = load(hard_site / "annotations.jsonld")
    expected = items_of(hard_site, VERDICT_SLUG) + items_of(hard_site, HARD_SLUG)  # by slug
    assert collection["id"] == BASE_URL + "annotations.jsonld"
    assert collection["total"] == 17 and collection["first"]["items"] == expected
    assert collection["last"] == BASE_URL + "annotations/page-1.jsonld"
    page = load(hard_site / "annotations" / "page-1.jsonld")
    assert page["id"] == collection["first"]["id"] and page["items"] == expected
    assert "next" not in page and page["partOf"] == collection["id"]


def test_archive_collection_pages(hard_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The archive's collection split into pages of 5, merged by a real build from the per-article files."""
    monkeypatch.setattr(w3c, "ARCHIVE_PAGE_SIZE", 5)
    root = write_hard_archive(tmp_path / "archive")
    result = pipeline.build(Project.at(root, tmp_path / "site"), BuildOptions(base_url=BASE_URL, search=False))
    assert result.ok, result.diagnostics
    site = tmp_path / "site"
    items = load(hard_site / "annotations.jsonld")["first"]["items"]  # the same archive in one page
    collection = load(site / "annotations.jsonld")
    pages = [load(site / "annotations" / f"page-{n}.jsonld") for n in range(1, 5)]
    assert not (site / "annotations" / "page-5.jsonld").exists()
    assert collection["total"] == 17 and collection["last"] == pages[-1]["id"]
    assert collection["first"] == {k: v for k, v in pages[0].items() if k != "@context"}
    # walk next links from the collection's first page: every annotation once, in order
    walked, page = [], collection["first"]
    by_page_id = {p["id"]: p for p in pages}
    while True:
        walked += page["items"]
        assert page["startIndex"] == len(walked) - len(page["items"])
        if "next" not in page:
            break
        assert by_page_id[page["next"]]["prev"] == page["id"]
        page = by_page_id[page["next"]]
    assert walked == items
    for n, document in enumerate([collection, *pages]):
        (tmp_path / f"{n}.jsonld").write_text(json.dumps(document), encoding="utf-8")
    result = run_checker(*sorted(tmp_path.glob("*.jsonld")))
    assert result.returncode == 0, result.stdout
    assert "0 failures" in result.stdout


# --- the flat export ------------------------------------------------------------------------


def test_flat_export(hard_site: Path) -> None:
    dump = load(hard_site / "data" / "annotations.json")
    assert (dump["format"], dump["version"]) == (DATA_FORMAT, DATA_VERSION) == ("glossator-annotations", 1)
    assert dump["site"]["url"] == BASE_URL and dump["updated"] == "2026-03-07"
    assert [v["id"] for v in dump["verdicts"]] == list(VERDICT_IDS)
    assert [k["motivation"] for k in dump["kinds"]] == ["assessing", "commenting", "linking"]
    assert [a["slug"] for a in dump["articles"]] == [VERDICT_SLUG, HARD_SLUG]
    hard = dump["articles"][1]
    assert hard["original_url"] == "https://outlet.example/original" and hard["annotation_count"] == 10
    assert dump["articles"][0]["original_url"] is None and dump["articles"][0]["author"] == "A. Writer"
    assert len(dump["annotations"]) == 17
    records = records_of(hard_site)
    jsonld = by_id(items_of(hard_site, HARD_SLUG))
    for ann_id, item in jsonld.items():
        record = records[f"{HARD_SLUG}#{ann_id}"]
        assert record["url"] == item["id"]
        if isinstance(item["target"], str):
            assert record["exact"] is record["start"] is record["quote"] is None
            continue
        quote, css = item["target"]["selector"]
        # the flat export says null where the W3C selector leaves prefix or suffix out
        assert (record["exact"], record["prefix"], record["suffix"]) == (quote["exact"], quote.get("prefix"),
                                                                        quote.get("suffix"))
        assert (record["start"], record["end"]) == (css["refinedBy"]["start"], css["refinedBy"]["end"])
    curly = records[f"{HARD_SLUG}#curly"]
    assert curly["start"] == 0 and curly["prefix"] is None and curly["suffix"]  # the very start of the text
    assert curly["quote"] == "The minister's \"final offer\" - rejected twice"  # as the contributor typed it
    assert curly["exact"] == "The minister’s “final offer” — rejected twice"  # as the page shows it
    assert (curly["verdict"], curly["verdict_label"], curly["rating"]) == ("accurate", "Accurate", 5)
    assert records[f"{HARD_SLUG}#script-quote"]["rating"] is None
    source = records[f"{HARD_SLUG}#across-paragraphs"]["sources"][0]
    assert source["publisher"] == "Example Ministry" and source["date"] == "2024-04"
    assert records[f"{HARD_SLUG}#across-bold-link"]["updated"] == "2026-02-01"
    assert records[f"{HARD_SLUG}#curly"]["updated"] is None
    # one article's file has the same format
    one = load(hard_site / "data" / "articles" / f"{VERDICT_SLUG}.json")
    assert one["format"] == DATA_FORMAT and [a["slug"] for a in one["articles"]] == [VERDICT_SLUG]
    assert one["annotations"] == [r for r in dump["annotations"] if r["article"] == VERDICT_SLUG]


def test_data_format_is_documented() -> None:
    doc = (REPO / "docs" / "data-format.md").read_text(encoding="utf-8")
    dump_fields = {"id", "url", "article", "article_title", "outlet", "kind", "motivation", "verdict",
                   "verdict_label", "rating", "quote", "exact", "prefix", "suffix", "start", "end", "note",
                   "note_html", "sources", "links", "by", "added", "updated"}
    for field in dump_fields:
        assert f"`{field}`" in doc, field
    for motivation in ("assessing", "commenting", "linking"):
        assert f"`{motivation}`" in doc


# --- ClaimReview ----------------------------------------------------------------------------


class _Scripts(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.current: list[str] | None = None
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and ("type", "application/ld+json") in attrs:
            self.current = []

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.current is not None:
            self.scripts.append("".join(self.current))
            self.current = None


def json_ld(page: Path) -> list[Any]:
    parser = _Scripts()
    parser.feed(page.read_text(encoding="utf-8"))
    return [json.loads(script) for script in parser.scripts]


def test_claim_review_for_each_verdict(hard_site: Path) -> None:
    [reviews] = json_ld(hard_site / "articles" / VERDICT_SLUG / "index.html")
    assert [r["url"].rsplit("#", 1)[1] for r in reviews] == [f"claim-{v}" for v in VERDICT_IDS]
    for n, (review, verdict) in enumerate(zip(reviews, DEFAULT_VERDICTS, strict=True), 1):
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert review["url"] == BASE_URL + f"articles/{VERDICT_SLUG}/#claim-{verdict.id}"
        assert review["claimReviewed"] == f"Claim number {n} is about {verdict.id} things."
        assert review["datePublished"] == f"2026-03-0{n}"
        assert review["author"] == {"@type": "Organization", "name": "Glossator archive", "url": BASE_URL}
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"] == verdict.label
        if verdict.rating is None:
            assert not {"ratingValue", "bestRating", "worstRating"} & set(rating)
        else:
            assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (verdict.rating, 5, 1)
        claim = review["itemReviewed"]
        assert claim["@type"] == "Claim" and claim["datePublished"] == "2023-11"
        assert claim["author"] == {"@type": "Organization", "name": "Other Outlet"}
        # no original URL known: the claim appeared in our copy
        assert [a["url"] for a in claim["appearance"]] == [BASE_URL + f"articles/{VERDICT_SLUG}/"]


def test_claim_review_cannot_close_its_script(hard_site: Path) -> None:
    page = hard_site / "articles" / HARD_SLUG / "index.html"
    raw = page.read_text(encoding="utf-8")
    script = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "'" not in script and "&" not in script
    [reviews] = json_ld(page)
    by_anchor = {r["url"].rsplit("#", 1)[1]: r for r in reviews}
    assert set(by_anchor) == {"across-paragraphs", "curly", "after-emoji", "script-quote"}
    assert by_anchor["script-quote"]["claimReviewed"] == "said \"</script><b>bold</b>\" & 'more'"
    assert by_anchor["curly"]["claimReviewed"] == "The minister’s “final offer” — rejected twice"
    assert by_anchor["after-emoji"]["claimReviewed"] == "“the bridge will reopen in May” – officials said"
    assert [a["url"] for a in by_anchor["curly"]["itemReviewed"]["appearance"]] == [
        "https://outlet.example/original", "https://web.archive.org/web/2024/https://outlet.example/original"]


def test_article_without_annotations(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "a", {"plain": article_md("Plain", "Nothing is claimed here at all.")})
    site = build_site(root, tmp_path / "site")
    assert json_ld(site / "articles" / "plain" / "index.html") == []
    # and an empty collection has no pages (model §5.1: `first` only when there are annotations)
    for path in (site / "articles" / "plain" / "annotations.jsonld", site / "annotations.jsonld"):
        collection = load(path)
        assert collection["total"] == 0 and "first" not in collection and "last" not in collection
    assert not (site / "annotations").exists()
    assert run_checker(site / "annotations.jsonld", site / "articles" / "plain" / "annotations.jsonld").returncode == 0


# --- feeds, sitemap, robots, meta ---------------------------------------------------------


def _atom(path: Path) -> ET.Element:
    feed = ET.parse(path).getroot()
    assert feed.tag == ATOM + "feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(ATOM + required) or "").strip(), required
    assert RFC3339.match(feed.findtext(ATOM + "updated"))
    feed_author = feed.find(ATOM + "author")
    entries = feed.findall(ATOM + "entry")
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.findtext(ATOM + required) or "").strip(), required
        assert RFC3339.match(entry.findtext(ATOM + "updated"))
        # RFC 4287 §4.1.1: a feed without an author needs one in every entry
        assert feed_author is not None or entry.find(ATOM + "author") is not None
        assert entry.find(ATOM + "link[@rel='alternate']") is not None
    ids = [e.findtext(ATOM + "id") for e in entries]
    assert len(ids) == len(set(ids))
    return feed


def test_articles_feed(hard_site: Path) -> None:
    feed = _atom(hard_site / "feed.xml")
    assert feed.findtext(ATOM + "id") == BASE_URL + "feed.xml"
    entries = feed.findall(ATOM + "entry")
    ids = [e.findtext(ATOM + "id") for e in entries]
    # by the day each article last changed in the archive (its newest note), not by publication
    assert ids == [BASE_URL + f"articles/{slug}/" for slug in (VERDICT_SLUG, HARD_SLUG)]
    updated = [e.findtext(ATOM + "updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and feed.findtext(ATOM + "updated") == updated[0]
    assert entries[1].findtext(ATOM + "published") == "2024-05-01T00:00:00Z"


def test_annotations_feed(hard_site: Path) -> None:
    feed = _atom(hard_site / "annotations.xml")
    assert feed.findtext(ATOM + "id") == BASE_URL + "annotations.xml"
    entries = feed.findall(ATOM + "entry")
    assert len(entries) == 17
    added = [e.findtext(ATOM + "published") for e in entries]
    assert added == sorted(added, reverse=True) and added[0] == "2026-03-07T00:00:00Z"
    by_entry_id = {e.findtext(ATOM + "id"): e for e in entries}
    script = by_entry_id[BASE_URL + f"articles/{HARD_SLUG}/#script-quote"]
    assert script.findtext(ATOM + "title") == "Claim (Unsupported) on “Selectors built to be hard”"
    content = script.find(ATOM + "content")
    assert content.get("type") == "html"
    # the XML parser gives back the HTML, in which the quote is text, escaped once
    assert content.text.startswith("<blockquote><p>said ") and "<b>" not in content.text
    assert html.unescape(content.text.split("<p>")[1].split("</p>")[0]) == "said \"</script><b>bold</b>\" & 'more'"
    assert "<p>A quote that would close a script element" in content.text
    two = by_entry_id[BASE_URL + f"articles/{HARD_SLUG}/#across-bold-link"]
    assert [a.findtext(ATOM + "name") for a in two.findall(ATOM + "author")] == ["tester", "second-reader"]
    assert two.findtext(ATOM + "updated") == "2026-02-01T00:00:00Z"
    assert {c.get("term") for c in script.findall(ATOM + "category")} == {"Claim", "Unsupported"}


def _html_pages(site: Path) -> set[str]:
    pages = set()
    for path in site.rglob("*.html"):
        relative = path.relative_to(site).as_posix()
        if relative == "404.html":
            continue
        pages.add(BASE_URL + (relative.removesuffix("index.html")))
    return pages


def test_sitemap_lists_every_page(hard_site: Path) -> None:
    root = ET.parse(hard_site / "sitemap.xml").getroot()
    urls = {u.findtext(SITEMAP + "loc"): u.findtext(SITEMAP + "lastmod") for u in root.iter(SITEMAP + "url")}
    assert set(urls) == _html_pages(hard_site)
    assert urls[BASE_URL + f"articles/{HARD_SLUG}/"] == "2026-02-01"  # the `updated` date beats every `added`
    assert urls[BASE_URL + f"articles/{VERDICT_SLUG}/"] == "2026-03-07"
    assert urls[BASE_URL + "tags/testing/"] == "2026-02-01"
    assert urls[BASE_URL + "sources/other-outlet/"] == "2026-03-07"
    assert urls[BASE_URL] == "2026-03-07"


def test_robots_txt(hard_site: Path) -> None:
    lines = (hard_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {BASE_URL}sitemap.xml" in lines


class _Head(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        elif tag == "link":
            self.links.append(values)


def head_of(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_has_canonical_open_graph_and_twitter_meta(hard_site: Path) -> None:
    pages = _html_pages(hard_site)
    assert len(pages) > 8
    for url in pages:
        head = head_of(hard_site / url.removeprefix(BASE_URL) / "index.html")
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == [url]
        assert head.meta["og:url"] == url
        for key in ("og:title", "og:description", "og:type", "og:site_name", "twitter:card", "twitter:title"):
            assert head.meta.get(key), (url, key)
        alternates = {link["href"] for link in head.links if link.get("rel") == "alternate"}
        assert {"/sub/feed.xml", "/sub/annotations.xml", "/sub/annotations.jsonld"} <= alternates
    article = head_of(hard_site / "articles" / HARD_SLUG / "index.html")
    assert article.meta["og:type"] == "article" and article.meta["og:title"].startswith("Selectors built to be hard")
    not_found = head_of(hard_site / "404.html")
    assert not_found.meta["robots"] == "noindex"
    assert not [link for link in not_found.links if link.get("rel") == "canonical"]


# --- the build's plumbing -------------------------------------------------------------------


def test_exports_merge_across_worker_processes(tmp_path: Path) -> None:
    """Articles are rendered by worker processes on large archives; the archive-wide files and
    the sitemap must still hold every article."""
    count = 70
    articles = {f"a{n:03d}": article_md(f"Article {n}", f"Body number {n} says something.") for n in range(count)}
    annotations = {slug: f"""\
        article: {slug}
        annotations:
          - id: note-{slug}
            kind: context
            quote: "says something"
            note: A note on article {slug}.
            by: tester
            added: 2026-04-{int(slug[1:]) % 28 + 1:02d}
        """ for slug in articles}
    root = write_archive(tmp_path / "a", articles, annotations)
    site = build_site(root, tmp_path / "site", "--jobs", "2")
    dump = load(site / "data" / "annotations.json")
    assert [r["article"] for r in dump["annotations"]] == sorted(articles)
    assert load(site / "annotations.jsonld")["total"] == count
    locs = {u.text for u in ET.parse(site / "sitemap.xml").getroot().iter(SITEMAP + "loc")}
    assert {f"http://127.0.0.1:8000/articles/{slug}/" for slug in articles} <= locs
    assert len(ET.parse(site / "annotations.xml").getroot().findall(ATOM + "entry")) == 50


def test_exports_are_byte_identical_across_builds(hard_site: Path, tmp_path: Path) -> None:
    root = write_hard_archive(tmp_path / "archive")
    again = build_site(root, tmp_path / "site", "--base-url", BASE_URL)
    for relative in ("annotations.jsonld", "annotations/page-1.jsonld", "data/annotations.json", "feed.xml",
                     "annotations.xml", "sitemap.xml", f"articles/{HARD_SLUG}/annotations.jsonld"):
        assert (again / relative).read_bytes() == (hard_site / relative).read_bytes(), relative


def test_seed_exports(seed_site: Path) -> None:
    items = by_id(items_of(seed_site, SEED_SLUG))
    assert len(items) == 12
    assert load(seed_site / "data" / "annotations.json")["articles"][0]["slug"] == SEED_SLUG
    [reviews] = json_ld(seed_site / "articles" / SEED_SLUG / "index.html")
    claims = [i for i in items.values() if i["motivation"] == "assessing"]
    assert len(reviews) == len(claims) > 0


def test_a_character_reference_to_a_control_character_leaves_the_feeds_valid_xml(tmp_path: Path) -> None:
    """`&#12;` in a note (or the text) was decoded to U+000C: check passed, and the feed holding the note
    was invalid XML, which feed readers reject whole."""
    notes = ("article: story\nannotations:\n  - id: n1\n    kind: context\n    quote: \"The minister said\"\n"
             "    note: \"Form&#12;feed, and a [link](https://example.org/x 'title').\"\n    by: ed\n"
             "    added: 2024-05-02\n")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so.&#1;")},
                         {"story": notes})
    out = build_site(root, tmp_path / "site")
    for feed in ("annotations.xml", "feed.xml"):
        ET.parse(out / feed)  # raised: not well-formed (invalid token)
    assert "Form\ufffdfeed" in (out / "articles" / "story" / "index.html").read_text(encoding="utf-8")
    assert "\x0c" not in (out / "data" / "annotations.json").read_text(encoding="utf-8")


def test_a_notes_images_from_the_site_are_absolute_in_the_exports_and_the_feed(tmp_path: Path) -> None:
    """Links in a note were made absolute for the data, the W3C export and the feed, but its images (from
    the site's own host: others become links) kept `src="chart.png"`, resolved by a feed reader against
    the feed's address."""
    notes = ("article: story\nannotations:\n  - id: n1\n    kind: context\n    quote: \"The minister said\"\n"
             "    note: \"![chart](chart.png) and [the notes](notes/).\"\n    by: ed\n    added: 2024-05-02\n")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so.")},
                         {"story": notes}, site_yaml="base_url: https://example.org/sub/\n")
    out = build_site(root, tmp_path / "site")
    for export in ("annotations.xml", "data/annotations.json", "articles/story/annotations.jsonld"):
        text = (out / export).read_text(encoding="utf-8")
        assert "https://example.org/sub/articles/story/chart.png" in text, export
        assert "https://example.org/sub/articles/story/notes/" in text, export


def test_a_verdict_without_a_description_is_null_in_the_data(tmp_path: Path) -> None:
    """docs/data-format.md: a missing value is always null, never "" (a verdict of site.yaml's scale may
    have no description)."""
    site = "verdicts:\n  - id: true\n    label: True\n    rating: 1\n  - id: false\n    label: False\n    rating: 0\n"
    site = site.replace("id: true", "id: 'true'").replace("id: false", "id: 'false'")
    site = site.replace("label: True", "label: 'True'").replace("label: False", "label: 'False'")
    root = write_archive(tmp_path / "archive", {"story": article_md("Story", "The minister said so.")}, site_yaml=site)
    out = build_site(root, tmp_path / "site")
    for data in ("data/annotations.json", "data/articles/story.json"):
        verdicts = json.loads((out / data).read_text(encoding="utf-8"))["verdicts"]
        assert [v["description"] for v in verdicts] == [None, None], data


def test_a_large_sitemap_is_split_under_an_index_and_a_recapture_is_a_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sitemaps.org allows 50,000 URLs a file (20,000 articles captured twice are 60,000 pages): past
    that the sitemap was one file search engines reject. And an article's lastmod was its newest
    note's date, though the outlet's new text (captured later) changed its page and made its changes page."""
    from glossator.render import pages
    from tests.versions_fixtures import CURRENT, SLUG, write_versions_archive

    root = write_versions_archive(tmp_path / "archive")
    notes = root / "annotations" / f"{SLUG}.yaml"
    notes.write_text(notes.read_text(encoding="utf-8").replace("added: 2026-12-06", "added: 2026-12-02"),
                     encoding="utf-8")
    monkeypatch.setattr(pages, "SITEMAP_URLS", 3)
    site = tmp_path / "site"
    assert pipeline.build(Project.at(root, site), BuildOptions(search=False), jobs=1).ok
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == SITEMAP + "sitemapindex"
    parts = [s.findtext(SITEMAP + "loc") for s in index.iter(SITEMAP + "sitemap")]
    base = "http://127.0.0.1:8000/"
    assert parts == [f"{base}sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) > 1
    urls: dict[str, str | None] = {}
    for n in range(1, len(parts) + 1):
        listed = list(ET.parse(site / f"sitemap-{n}.xml").getroot().iter(SITEMAP + "url"))
        assert 0 < len(listed) <= 3
        urls.update((u.findtext(SITEMAP + "loc") or "", u.findtext(SITEMAP + "lastmod")) for u in listed)
    current = f"articles/{SLUG}/versions/{CURRENT}/"  # (the current text again, under its permalink: not listed)
    assert set(urls) == {base + p.relative_to(site).as_posix().removesuffix("index.html")
                         for p in site.rglob("*.html") if p.name != "404.html"} - {base + current}
    # the current text was captured on 6 December, after every note: its pages changed then
    for page in (f"articles/{SLUG}/", f"articles/{SLUG}/changes/"):
        assert urls[base + page] == "2026-12-06", page


def test_archive_entries_reach_the_merge_as_they_were_sent() -> None:
    # (sent as columns of text to the process that merges the exports: build/site.py)
    import pickle

    from glossator.exports.merge import ArchiveEntries, ArchiveEntry

    entries = ArchiveEntries([ArchiveEntry("a", "articles/a/", "2024-05-01 n-1\n2024-06-02 n-2", "2024-06-02"),
                              ArchiveEntry("b", "articles/b/", "", "")])
    back = pickle.loads(pickle.dumps(entries))
    assert type(back) is ArchiveEntries and back == entries and all(type(e) is ArchiveEntry for e in back)
    assert back[0].feed() == [("2024-05-01", "n-1"), ("2024-06-02", "n-2")] and back[1].feed() == []
    assert pickle.loads(pickle.dumps(ArchiveEntries())) == ()
