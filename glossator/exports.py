"""The archive as data: W3C Web Annotations and schema.org ClaimReview (pure functions)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .annotate import AnnotatedArticle
from .markdown import render_note
from .model import Annotation, SiteConfig
from .pages import article_path

# Web Annotation Vocabulary motivations (https://www.w3.org/TR/annotation-vocab/#motivation):
# a claim is assessed, a sourcing note comments on where information comes from,
# context notes link the passage to background.
MOTIVATIONS = {"claim": "assessing", "sourcing": "commenting", "context": "linking"}


def _datetime(day: dt.date) -> str:
    return day.isoformat() + "T00:00:00Z"


def _creators(annotation: Annotation) -> list[dict[str, str]]:
    return [{"type": "Person", "nickname": handle} for handle in annotation.by]


def web_annotation(annotation: Annotation, annotated: AnnotatedArticle, config: SiteConfig) -> dict[str, Any]:
    page_url = config.base_url + article_path(annotated.article.slug)
    language = annotated.article.language
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "value": annotation.note, "format": "text/markdown", "language": language,
         "purpose": MOTIVATIONS[annotation.kind] if annotation.kind != "context" else "describing"},
        {"type": "TextualBody", "value": render_note(annotation.note), "format": "text/html",
         "language": language},
    ]
    if annotation.verdict:
        verdict = config.verdict(annotation.verdict)
        body.append({"type": "TextualBody", "value": verdict.label if verdict else annotation.verdict,
                     "purpose": "tagging"})
    for link in annotation.links:
        body.append({"type": "SpecificResource", "source": link.url, "purpose": "linking"})
    for source in annotation.sources:
        body.append({"type": "SpecificResource", "source": source.url, "purpose": "linking"})
    target: dict[str, Any] | str
    anchor = annotated.anchors.get(annotation.id)
    if anchor is None:
        target = page_url
    else:
        target = {
            "source": page_url,
            "selector": [
                {"type": "TextQuoteSelector", "exact": anchor.exact, "prefix": anchor.prefix,
                 "suffix": anchor.suffix},
                {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end},
            ],
        }
    item: dict[str, Any] = {
        "id": page_url + "#" + annotation.id,
        "type": "Annotation",
        "motivation": MOTIVATIONS[annotation.kind],
        "creator": _creators(annotation),
        "created": _datetime(annotation.added),
        "body": body,
        "target": target,
    }
    if annotation.updated:
        item["modified"] = _datetime(annotation.updated)
    return item


def annotation_collection(annotated: AnnotatedArticle, config: SiteConfig) -> dict[str, Any]:
    path = article_path(annotated.article.slug)
    items = [web_annotation(a, annotated, config) for a in annotated.annotations]
    collection_id = config.base_url + path + "annotations.jsonld"
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Annotations of “{annotated.article.title}”",
        "total": len(items),
        "first": {
            "id": collection_id + "#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


def claim_reviews(annotated: AnnotatedArticle, config: SiteConfig) -> list[dict[str, Any]]:
    article = annotated.article
    page_url = config.base_url + article_path(article.slug)
    reviews = []
    for annotation in annotated.annotations:
        if annotation.kind != "claim" or not annotation.verdict:
            continue
        verdict = config.verdict(annotation.verdict)
        anchor = annotated.anchors.get(annotation.id)
        rating: dict[str, Any] = {"@type": "Rating",
                                  "alternateName": verdict.label if verdict else annotation.verdict}
        if verdict and verdict.rating is not None:
            rating.update(ratingValue=verdict.rating, bestRating=config.best_rating,
                          worstRating=config.worst_rating)
        claim: dict[str, Any] = {"@type": "Claim", "author": {"@type": "Organization", "name": article.source},
                                 "datePublished": article.published}
        if article.url or article.archived:
            claim["appearance"] = {"@type": "CreativeWork", "url": article.url or article.archived}
        reviews.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": page_url + "#" + annotation.id,
            "claimReviewed": " ".join(anchor.exact.split()) if anchor else article.title,
            "datePublished": annotation.added.isoformat(),
            "author": {"@type": "Organization", "name": config.title, "url": config.base_url},
            "reviewRating": rating,
            "itemReviewed": claim,
        })
    return reviews


def to_json(data: Any) -> str:
    """Deterministic JSON for files (not for embedding in HTML: use the |tojson filter there)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
