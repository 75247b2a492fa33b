"""The engine's parts the importer uses, imported here and nowhere else in the package: the
engine's modules are moving into stage folders, and this is the one place that follows them."""

from __future__ import annotations

from ..anchor import (
    Ambiguous,
    FoldedText,
    NoMatchWithContext,
    NotFound,
    anchor_quote,
    describe_differences,
    fold,
    fold_text,
)
from ..annotate import CLOSE_ENOUGH, annotate_article
from ..config import load_config
from ..diagnostics import Diagnostic, error, warning, yaml_quoted
from ..exports import page_url
from ..load import RawAnnotations, list_sources, load_article, read_text
from ..markdown import parse
from ..model import KIND_LABELS, KINDS, Anchor, Article, Link, SiteConfig, Source
from ..project import Project, is_slug, safe_join
from ..schema import validator
from ..stub import Insertion, Layout, annotation_file, fresh_id, insert_items
from ..textmap import page_text
from ..validate import RESERVED_ID_PREFIXES, RESERVED_IDS, validate_annotations, validate_article
from ..yamlio import YamlProblem, YNode, decode_utf8, parse_yaml, to_plain

__all__ = [
    "CLOSE_ENOUGH", "KINDS", "KIND_LABELS", "RESERVED_IDS", "RESERVED_ID_PREFIXES", "Ambiguous", "Anchor",
    "Article", "Diagnostic", "FoldedText", "Insertion", "Layout", "Link", "NoMatchWithContext", "NotFound",
    "Project", "RawAnnotations", "SiteConfig", "Source", "YNode", "YamlProblem", "anchor_quote", "annotate_article",
    "annotation_file", "decode_utf8", "describe_differences", "error", "fold", "fold_text", "fresh_id",
    "insert_items", "is_slug", "list_sources", "load_article", "load_config", "page_text", "page_url", "parse",
    "parse_yaml", "read_text", "safe_join", "to_plain", "validate_annotations", "validate_article", "validator",
    "warning", "yaml_quoted",
]
