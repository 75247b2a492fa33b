"""schema.org ClaimReview for the article page's JSON-LD: one per claim with a verdict, as
fact-checkers publish them for search engines (docs/data-format.md)."""

from __future__ import annotations

from typing import Any

from ..model import AnnotatedArticle, Annotation, Article, SiteConfig
from .w3c import original_urls, page_url


def _rating(annotation: Annotation, config: SiteConfig) -> dict[str, Any]:
    verdict = config.verdict(annotation.verdict or "")
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.label if verdict else annotation.verdict}
    if verdict and verdict.rating is not None:
        rating.update(ratingValue=verdict.rating, bestRating=config.best_rating, worstRating=config.worst_rating)
    return rating


def _appearances(article: Article, page_url: str) -> list[dict[str, Any]]:
    """Where the claim appeared: the outlet's article and its archived copy; our copy if neither is known."""
    urls = original_urls(article) or [page_url]
    return [{"@type": "CreativeWork", "url": url, "headline": article.title, "datePublished": article.published,
             "publisher": {"@type": "Organization", "name": article.source}} for url in urls]


def claim_reviews(annotated: AnnotatedArticle, config: SiteConfig) -> list[dict[str, Any]]:
    """ClaimReview for every claim with a verdict, for the page's JSON-LD.

    Embed with Jinja's |tojson, which escapes < > & ' so no string can close the script."""
    article = annotated.article
    url = page_url(article, config)
    reviews = []
    # claims on the article's earlier texts too: the article page lists them, under the permalinks they keep
    texts = (annotated, *annotated.history.earlier) if annotated.history else (annotated,)
    for text, annotation in ((t, a) for t in texts for a in t.annotations):
        if annotation.kind != "claim" or not annotation.verdict:
            continue
        anchor = text.anchors.get(annotation.id)
        claim: dict[str, Any] = {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": article.source},
            "datePublished": article.published,
            "appearance": _appearances(article, url),
        }
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": url + "#" + annotation.id,
            "claimReviewed": " ".join(anchor.exact.split()) if anchor else article.title,
            "datePublished": annotation.added.isoformat(),
            "author": {"@type": "Organization", "name": config.title, "url": config.base_url},
            "reviewRating": _rating(annotation, config),
            "itemReviewed": claim,
            "inLanguage": config.language,  # the review's: the archive's language (the claim's is the article's)
        }
        if annotation.updated:
            review["dateModified"] = annotation.updated.isoformat()
        reviews.append(review)
    return reviews
