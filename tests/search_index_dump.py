"""What a Pagefind bundle holds, by page URL rather than page number: two bundles that search
alike dump alike, whatever their page order, chunk boundaries or file names."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"


def _read(path: Path) -> object:
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(SIGNATURE), path
    return data[len(SIGNATURE):]


def _pages(postings: list, urls: list[str], fields: list[str]) -> dict[str, tuple]:
    found, page = {}, 0
    for delta, locs, meta_locs in postings:
        page += delta
        named = [fields[-n - 1] if n < 0 else n for n in meta_locs]  # field numbers → names
        assert urls[page] not in found
        found[urls[page]] = (tuple(locs), tuple(named))
    return found


def dump(bundle: Path) -> dict[str, object]:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    [(language, info)] = entry["languages"].items()
    meta = cbor2.loads(_read(bundle / f"pagefind.{info['hash']}.pf_meta"))
    version, pages, chunks, filters, sorts, fields = meta
    urls, lengths = [], {}
    for name, word_count in pages:
        fragment = json.loads(_read(bundle / "fragment" / f"{name}.pf_fragment"))
        urls.append(fragment["url"])
        lengths[fragment["url"]] = (word_count, json.dumps(fragment, sort_keys=True))
    words: dict[str, object] = {}
    previous = ""
    for start, end, name in chunks:
        for word, postings, variants in cbor2.loads(_read(bundle / "index" / f"{name}.pf_index"))[0]:
            assert previous < word and start <= word[:len(start)] and word[:len(end)] <= end, (word, start, end)
            previous = word
            words[word] = (_pages(postings, urls, fields),
                           {variant: _pages(p, urls, fields) for variant, p in variants})
    values = {}
    for filter_name, name in filters:
        content = cbor2.loads(_read(bundle / "filter" / f"{name}.pf_filter"))
        assert content[0] == filter_name
        values[filter_name] = {value: sorted(urls[n] for n in numbers) for value, numbers in content[1]}
    return {"version": version, "language": language, "page_count": info["page_count"], "pages": lengths,
            "words": words, "filters": values, "sorts": sorts, "fields": fields,
            "chunks": [(start, end) for start, end, _ in chunks]}  # (a term's extensions are found in its chunk)
