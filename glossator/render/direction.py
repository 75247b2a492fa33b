"""Which way a language's text runs, for the `dir` beside each `lang` of the pages.

The browser lays out text left to right unless told otherwise: an Arabic article's words need
`dir="rtl"`, or its runs, numbers and punctuation come out in the wrong order. `lang` says nothing
of direction, so each element that names the article's language names its direction too, when it
differs from the page's (the site's language, on <html>): an Arabic article in an English archive,
or an English one in a Hebrew archive.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

# The languages written right to left by default (BCP 47 primary subtags), and the scripts that
# are (ISO 15924 subtags: `ku-Arab`, `pa-Arab`, `az-Arab` are; `ku`, `pa`, `az` alone are not).
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "khw", "ks", "mzn", "nqo", "pnb", "ps",
                           "sd", "syr", "ug", "ur", "yi"})
RTL_SCRIPTS = frozenset({"adlm", "arab", "hebr", "mand", "mend", "nkoo", "rohg", "samr", "syrc", "thaa", "yezi"})
LTR_SCRIPTS_OF_RTL = frozenset({"latn", "cyrl"})  # `ug-Latn`, `ku-Latn`, `sd-Deva`… run left to right


@lru_cache(maxsize=64)  # (a few languages, asked on every page)
def direction(language: str) -> str:
    """'rtl' or 'ltr' for a BCP 47 tag ('ar', 'ar-EG', 'ku-Arab', 'uz-Arab-AF'…)."""
    subtags = language.lower().replace("_", "-").split("-")
    script = next((tag for tag in subtags[1:] if len(tag) == 4 and tag.isalpha()), "")
    if script:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=64)
def dir_attribute(language: str, page_language: str) -> Markup:
    """` dir="rtl"` (or ltr) for an element in `language` on a page in `page_language`, when they
    run different ways; nothing when the element runs as the page does (it inherits)."""
    way = direction(language)
    return Markup(f' dir="{way}"') if way != direction(page_language) else Markup()
