"""The engine's parts the importer uses, imported here and nowhere else in the package: the
importer reads articles and writes annotation files as the engine does, and this is the one
place that names the stages it borrows from."""

from __future__ import annotations

from ..anchor.annotate import annotate_article
from ..anchor.carry import same_words
from ..anchor.fold import FoldedText, fold, fold_text
from ..anchor.locate import (
    Ambiguous,
    NoMatchWithContext,
    NotFound,
    anchor_quote,
    describe_differences,
)
from ..anchor.markdown import parse
from ..anchor.textmap import page_text
from ..build.article import anchor_notes
from ..build.options import BuildOptions
from ..build.plan import Plan, make_plan, read_config
from ..build.versions import load_texts
from ..diagnostics import Diagnostic, error, warning, yaml_quoted
from ..exports.w3c import page_url
from ..load.files import list_sources, load_article, read_text
from ..load.yamlio import FORBIDDEN_CHAR, YamlProblem, decode_utf8, parse_yaml
from ..model import (
    CLOSE_ENOUGH,
    KIND_LABELS,
    KINDS,
    RESERVED_ID_PREFIXES,
    RESERVED_IDS,
    Anchor,
    AnnotatedArticle,
    Annotation,
    Article,
    ArticleInput,
    Link,
    RawAnnotations,
    SiteConfig,
    Source,
    Version,
    YNode,
)
from ..new import Insertion, Layout, annotation_file, fresh_id, insert_items
from ..project import Project, is_slug, safe_join
from ..validate.plain import to_plain
from ..validate.rules import validate_annotations, validate_article
from ..validate.schema import validator

__all__ = [
    "CLOSE_ENOUGH",
    "FORBIDDEN_CHAR",
    "KINDS",
    "KIND_LABELS",
    "RESERVED_IDS",
    "RESERVED_ID_PREFIXES",
    "Ambiguous",
    "Anchor",
    "AnnotatedArticle",
    "Annotation",
    "Article",
    "ArticleInput",
    "BuildOptions",
    "Diagnostic",
    "FoldedText",
    "Insertion",
    "Layout",
    "Link",
    "NoMatchWithContext",
    "NotFound",
    "Plan",
    "Project",
    "RawAnnotations",
    "SiteConfig",
    "Source",
    "Version",
    "YNode",
    "YamlProblem",
    "anchor_notes",
    "anchor_quote",
    "annotate_article",
    "annotation_file",
    "decode_utf8",
    "describe_differences",
    "error",
    "fold",
    "fold_text",
    "fresh_id",
    "insert_items",
    "is_slug",
    "list_sources",
    "load_article",
    "load_texts",
    "make_plan",
    "page_text",
    "page_url",
    "parse",
    "parse_yaml",
    "read_config",
    "read_text",
    "safe_join",
    "same_words",
    "to_plain",
    "validate_annotations",
    "validate_article",
    "validator",
    "warning",
    "yaml_quoted",
]
