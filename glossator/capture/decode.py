"""The page's bytes as text: which charset, decided as a browser would, and said when guessed.

Order: a byte-order mark; then valid UTF-8 wins over any declaration (a page that declares
Latin-1 but is UTF-8 is common, and UTF-8 is almost never valid by accident); then the
charset the HTTP header or a <meta> declares, with the WHATWG Encoding Standard's aliases
(a page labelled ISO-8859-1 is read as windows-1252, as every browser does); then a guess.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from . import CaptureError

# the WHATWG Encoding Standard reads these labels as these supersets (Python's names)
_WHATWG = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "tis-620": "cp874", "gb2312": "gbk",
           "utf-16-le": "utf-8", "utf-16-be": "utf-8", "utf-16": "utf-8"}  # a meta's UTF-16 is a lie: utf-8
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.IGNORECASE)
_PRESCAN = 4096  # the HTML standard looks for the <meta> in the first 1024 bytes; pages put it later
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# C0 controls but tab and line breaks, and DEL: invisible, refused in article text, and by lxml
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python's name for the charset used
    note: str  # why, when it was not what the page declared (empty otherwise)


# Python codecs that decode bytes to text but are no web page's charset: escapes, domain names
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7"})


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None for a label that names no charset (a page may
    declare anything: `hex` and `base64` are codecs too, of bytes to bytes)."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().lower())
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("_", "-") in _NOT_CHARSETS:
        return None
    return _WHATWG.get(info.name, info.name)


def declared_charset(data: bytes, header: str | None) -> tuple[str | None, str]:
    """(codec name, the label as written) from the HTTP header, else the first <meta>."""
    if header:
        return _codec(header), header
    match = _META_CHARSET.search(data[:_PRESCAN])
    if match:
        label = match.group(1).decode("ascii")
        return _codec(label), label
    return None, ""


def decode_page(data: bytes, header_charset: str | None) -> Decoded:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _clean(data[len(bom):].decode(name, errors="replace"), name, "")
    declared, label = declared_charset(data, header_charset)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        note = ""
        if declared not in (None, "utf-8") and not data.isascii():
            note = f"the page says its charset is `{label}`, but its bytes are UTF-8: read as UTF-8"
        return _clean(text, "utf-8", note)
    if declared is not None and declared != "utf-8":
        try:
            return _clean(data.decode(declared), declared, "")
        except UnicodeDecodeError:
            text = data.decode(declared, errors="replace")
            bad = text.count("\ufffd")
            return _clean(text, declared, f"{bad} byte(s) are not valid `{label}`: shown as �; check the text by eye")
    guess = from_bytes(data[: 2 * 1024 * 1024]).best()  # a sample is enough, and bounds the time
    name = _codec(guess.encoding) if guess is not None else None
    name = name if name and name != "utf-8" else "cp1252"
    if declared:
        said = f"says `{label}`, but its bytes are not"
    else:
        said = f"names `{label}` as its charset, which is none" if label else "does not say which charset it uses"
    text = data.decode(name, errors="replace")
    return _clean(text, name, f"the page {said}: read as {name} (a guess); check accents and quotes by eye")


def _clean(text: str, encoding: str, note: str) -> Decoded:
    if not text.strip():
        raise CaptureError("the page is empty")
    return Decoded(_CONTROLS.sub("", text), encoding, note)
