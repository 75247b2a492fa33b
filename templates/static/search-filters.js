// Glossator search: the data behind the filter panel, an ES module that search.js imports only
// once the reader opens the filters or arrives with one chosen (a first search never loads it,
// nor the filter files it reads: at 10,000 articles those are most of a first search's bytes).
//
// The counts beside the checkboxes are made here, not by Pagefind. Pagefind counts every filter
// it has loaded on every search, comparing each value's page list with the whole result list
// (quadratic: seconds a query at 10,000 articles), in the worker that runs the searches, so
// counts it made would hold up the results. Here they take one pass over the results on show
// (which search.js has already freed of pages the live preview's delta supersedes, so a changed
// article is counted once), from the files Pagefind itself reads, as written by Pagefind 1.5.2
// (glossator/search/merge.py reads them too; tests/browser/test_search_shards.py checks these
// counts against Pagefind's own):
//   pagefind-entry.json       {"languages": {"<language>": {"hash": …}}}
//   pagefind.<hash>.pf_meta   "pagefind_dcd" + CBOR [version, [[page id, words]…], chunks, [[filter, file]…], …]
//   filter/<file>.pf_filter   "pagefind_dcd" + CBOR [filter, [[value, [page index…]]…]]
// each gzipped. A page id is what a search result's `id` is.

const SIGNATURE = new TextEncoder().encode("pagefind_dcd");

const signed = (bytes) => SIGNATURE.every((byte, i) => bytes[i] === byte);

/** A Pagefind file's content, after its signature. A server may have inflated it already. */
async function readPagefindFile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  if (!signed(bytes)) {
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(inflated).arrayBuffer());
  }
  if (!signed(bytes)) throw new Error(`${url} is not a Pagefind file`);
  return bytes.subarray(SIGNATURE.length);
}

/** CBOR (RFC 8949) as Pagefind writes it: definite lengths, integers, strings, arrays, maps. */
export function decodeCbor(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder("utf-8", { fatal: true });
  let at = 0;
  const argument = (info) => {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new Error(`CBOR: unsupported length ${info} at byte ${at}`);
    const value = size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at)
      : size === 4 ? view.getUint32(at) : Number(view.getBigUint64(at));
    at += size;
    return value;
  };
  const slice = (length) => {
    if (at + length > bytes.length) throw new Error("CBOR: the data ends inside a string");
    at += length;
    return bytes.subarray(at - length, at);
  };
  const item = () => {
    const head = view.getUint8(at++);
    const major = head >> 5;
    const info = head & 31;
    if (major === 7) {
      const simple = { 20: false, 21: true, 22: null }[info];
      if (simple === undefined) throw new Error(`CBOR: unsupported simple value ${info}`);
      return simple;
    }
    const n = argument(info);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: return slice(n);
      case 3: return text.decode(slice(n));
      case 4: return Array.from({ length: n }, item);
      case 5: {
        const map = new Map();
        for (let i = 0; i < n; i++) map.set(item(), item());
        return map;
      }
      default: throw new Error(`CBOR: unsupported item (major type ${major})`);
    }
  };
  const value = item();
  if (at !== bytes.length) throw new Error("CBOR: bytes after the data");
  return value;
}

/** The bundle's index for the page's language, chosen as Pagefind chooses it. */
function languageIndex(languages, language) {
  const found = languages[language] ?? languages[language.split("-")[0]];
  return found ?? Object.values(languages).sort((a, b) => b.page_count - a.page_count)[0];
}

async function readBundle(base, language) {
  const response = await fetch(base + "pagefind-entry.json");
  if (!response.ok) throw new Error(`${base}pagefind-entry.json: HTTP ${response.status}`);
  const index = languageIndex((await response.json()).languages ?? {}, language);
  if (!index) throw new Error(`${base}pagefind-entry.json lists no language`);
  const [, pages, , filters] = decodeCbor(await readPagefindFile(`${base}pagefind.${index.hash}.pf_meta`));
  const files = await Promise.all(
    filters.map(([, file]) => readPagefindFile(`${base}filter/${file}.pf_filter`).then(decodeCbor)));
  return { ids: pages.map(([id]) => id), files };
}

/** Every filter value of the bundles, and the pages that have it. */
export class FilterData {
  constructor(bundles) {
    this.tallies = new Map(); // facet → value → { n }: one counter per value
    this.pages = new Map(); // page id → the counters it adds to
    for (const { ids, files } of bundles) {
      for (const [facet, values] of files) {
        if (!this.tallies.has(facet)) this.tallies.set(facet, new Map());
        const facetTallies = this.tallies.get(facet);
        for (const [value, indexes] of values) {
          if (!facetTallies.has(value)) facetTallies.set(value, { n: 0 });
          const tally = facetTallies.get(value);
          for (const index of indexes) {
            const id = ids[index];
            if (!this.pages.has(id)) this.pages.set(id, []);
            this.pages.get(id).push(tally);
          }
        }
      }
    }
  }

  /** The values of a filter, in no particular order. */
  values(facet) {
    return [...(this.tallies.get(facet)?.keys() ?? [])];
  }

  /** facet → value → how many of these pages have it (each page once). */
  count(ids) {
    for (const facetTallies of this.tallies.values()) for (const tally of facetTallies.values()) tally.n = 0;
    for (const id of new Set(ids)) for (const tally of this.pages.get(id) ?? []) tally.n++;
    const counts = {};
    for (const [facet, facetTallies] of this.tallies) {
      counts[facet] = {};
      for (const [value, tally] of facetTallies) counts[facet][value] = tally.n;
    }
    return counts;
  }

  /** The counts over every page but those left out (pages the live preview's delta supersedes). */
  totals(leftOut = new Set()) {
    return this.count([...this.pages.keys()].filter((id) => !leftOut.has(id)));
  }
}

/** The filter data of these bundles (folders with a trailing slash), for the page's language. */
export async function loadFilterData(bundles, language) {
  return new FilterData(await Promise.all(bundles.map((base) => readBundle(base, language))));
}
