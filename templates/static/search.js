// Glossator search: the /search/ page (the only page that loads this script; the "/" shortcut
// of every page is in shortcut.js). It runs Pagefind's JavaScript API over the bundles that
// glossator/search/ writes; the filter panel's data comes from search-filters.js, when asked for.
//
// One Pagefind page per article; each note is a sub-result whose anchor is the note's
// heading id. The article's "notes" meta lists every note as id:kind[:verdict], so
// the list can keep, under each article, only the notes the kind/verdict filters ask for.
// Everything Pagefind returns is untrusted text: it reaches the page through textContent,
// and excerpts are split on the <mark> tags Pagefind adds, never parsed as HTML.
"use strict";
(() => {
  const FACETS = ["kind", "verdict", "tag", "outlet", "year"];
  const LONG_FACETS = ["tag", "outlet", "year"]; // listed from the index, not from the template
  const PAGE_SIZE = 10; // results whose fragments (about 8 KB each) are fetched at a time
  const NOTES_SHOWN = 5; // matching notes listed under one article
  const EXCERPT_WORDS = 24;
  // One letter of an alphabet is too short to search (as a prefix it matches a twentieth of the
  // words); one ideograph is a word.
  const SHORT = /^(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{N}]$/u;
  // The words searched for: a query too short to search is no query, for the results and the counts alike
  // (with a filter chosen, the filter's articles are listed).
  const searchedWords = () => {
    const q = state.q.trim();
    return SHORT.test(q) ? "" : q;
  };

  const form = document.getElementById("gl_search");
  if (!form) return;
  const box = document.getElementById("search-q");
  const filtersBox = document.getElementById("search-filters");
  const toggle = document.getElementById("search-filters-toggle");
  const chosenCount = toggle.querySelector(".search-filters-chosen");
  const facetsBox = document.getElementById("search-facets");
  const facetsNote = document.getElementById("search-facets-note");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const moreButton = document.getElementById("search-more");

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // --- state, and the URL that mirrors it (?q=…&kind=claim&verdict=misleading) -------------

  const state = { q: "", chosen: {} };

  function readUrl() {
    const params = new URLSearchParams(location.search);
    state.q = params.get("q") || "";
    for (const facet of FACETS) state.chosen[facet] = new Set(params.getAll(facet).filter(Boolean));
  }

  function saveUrl(push) {
    const params = new URLSearchParams();
    if (state.q.trim()) params.set("q", state.q);
    for (const facet of FACETS) for (const value of [...state.chosen[facet]].sort()) params.append(facet, value);
    const query = params.toString();
    const url = location.pathname + (query ? "?" + query : "");
    if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
  }

  function showChecks() {
    for (const input of filtersBox.querySelectorAll("input[type=checkbox]")) {
      input.checked = state.chosen[input.name]?.has(input.value) ?? false;
    }
    const chosen = FACETS.reduce((sum, facet) => sum + state.chosen[facet].size, 0);
    chosenCount.textContent = chosen ? `${chosen} chosen` : "";
  }

  function showState() {
    box.value = state.q;
    showChecks();
  }

  const activeFilters = (except = null) => {
    const filters = {};
    for (const facet of FACETS) {
      if (facet !== except && state.chosen[facet].size) filters[facet] = { any: [...state.chosen[facet]] };
    }
    return filters;
  };

  // Which notes to list under an article: filters are per article in the index, so a note is
  // checked here against the kinds and verdicts chosen. A verdict only applies to claims.
  function noteTest() {
    const kinds = new Set(state.chosen.kind);
    const verdicts = state.chosen.verdict;
    if (verdicts.size) kinds.add("claim");
    return (note) =>
      (!kinds.size || kinds.has(note.kind)) && (note.kind !== "claim" || !verdicts.size || verdicts.has(note.verdict));
  }

  // --- Pagefind ---------------------------------------------------------------------------

  // One Pagefind, in its own Web Worker, over the archive's one bundle (a large archive's shards
  // are merged into it when the site is built: glossator/search/merge.py).
  // The filter counts are not Pagefind's (see search-filters.js): it only ever loads the filters
  // a search uses.
  const primary = form.dataset.bundle;
  // baseUrl: the site's base path, for a sub-path deployment (the index stores /articles/…);
  // excerptLength for the preview's delta bundle too, or its excerpts would be longer.
  const bundleOptions = { baseUrl: form.dataset.base, excerptLength: EXCERPT_WORDS };
  async function startPagefind() {
    const pagefind = await import(primary + "pagefind.js");
    await pagefind.options({ basePath: primary, ...bundleOptions });
    await pagefind.init();
    return { pagefind, changes: await mergeDelta(pagefind) };
  }

  // The live preview (`build.py serve`, never a built site) indexes the articles changed since its
  // full index into a small second bundle, and names it in a <meta>. Its delta.json lists the pages
  // it supersedes, by URL and by the full index's page ids: those results of the full index are
  // left out, for the delta's (or none, for a deleted page).
  const deltaPath = document.querySelector('meta[name="glossator-search-delta"]')?.content;
  const deltaBundle = deltaPath && deltaPath + "pagefind/";
  const delta = deltaPath
    ? fetch(deltaPath + "delta.json")
        .then((response) => (response.ok ? response.json() : null))
        .then((m) => m && { bundle: m.bundle, drop: new Set(m.drop), superseded: new Set(m.superseded) })
        .catch(() => null)
    : Promise.resolve(null);
  async function mergeDelta(pagefind) {
    const changes = await delta;
    if (!changes) return null;
    try {
      if (changes.bundle) await pagefind.mergeIndex(deltaBundle, bundleOptions);
      return changes;
    } catch (problem) {
      console.error(problem); // searched without it, a changed page keeps its old result
      return null;
    }
  }
  const upToDate = (changes, results) => (changes ? results.filter((r) => !changes.drop.has(r.id)) : results);
  // by URL too, in case the ids are those of a full index other than the one this page loaded
  const isCurrent = (changes, page) => !changes || page.meta?.glossator_delta || !changes.superseded.has(page.raw_url);
  let engine = null; // { pagefind, changes: the delta merged into it, or null }
  const loadEngine = () => (engine ??= startPagefind());

  // `work` run one at a time: the calls that arrive during a run collapse into one more run, for
  // the latest state; a run may ask `stale()` whether one is waiting, and stop early.
  function oneAtATime(work, onError) {
    let busy = false;
    let again = false;
    const stale = () => again;
    return async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          await work(stale);
        } while (again);
      } catch (problem) {
        onError(problem);
      } finally {
        busy = false;
      }
    };
  }

  let current = null; // { results, shown, test, changes }: the search being shown
  let painted = null; // the search whose results are on the page (null: none), for the filter counts

  const update = oneAtATime(search, (problem) => {
    status.textContent = "Search is unavailable: its index could not be loaded.";
    console.error(problem);
  });

  async function search(stale) {
    const q = searchedWords();
    const filters = activeFilters();
    const filtering = Object.keys(filters).length > 0;
    if (!q && !filtering) {
      current = null;
      list.replaceChildren();
      moreButton.parentElement.hidden = true;
      status.textContent = "";
      painted = null;
      updateCounts();
      return;
    }
    const { pagefind, changes } = await loadEngine();
    const response = await pagefind.search(q || null, { filters });
    if (stale() || !response) return; // a newer query is waiting: skip fetching these fragments
    current = { results: upToDate(changes, response.results), shown: 0, test: noteTest(), changes };
    const items = await nextPage(current);
    if (stale()) return;
    list.replaceChildren(...items);
    moreButton.parentElement.hidden = current.shown >= current.results.length;
    status.textContent = describe(current.results.length, q, filtering);
    painted = current;
    requestAnimationFrame(() => setTimeout(updateCounts)); // once the results are painted
  }

  async function nextPage(run) {
    const slice = run.results.slice(run.shown, run.shown + PAGE_SIZE);
    run.shown += slice.length; // before the wait, so that a second click takes the next slice
    const data = await Promise.all(slice.map((result) => result.data()));
    return data.filter((page) => isCurrent(run.changes, page)).map((page) => resultItem(page, run.test));
  }

  moreButton.addEventListener("click", async () => {
    const run = current;
    if (!run || moreButton.disabled) return;
    moreButton.disabled = true;
    try {
      const items = await nextPage(run);
      if (run !== current) return;
      list.append(...items);
      moreButton.parentElement.hidden = run.shown >= run.results.length;
      items[0]?.querySelector("a")?.focus();
    } finally {
      moreButton.disabled = false;
    }
  });

  function describe(count, q, filtering) {
    const articles = `${count} article${count === 1 ? "" : "s"}`;
    const scope = filtering ? " with the chosen filters" : "";
    if (!count) return q ? `No results for “${q}”${scope}.` : "No articles have the chosen filters.";
    return q ? `${articles} match${count === 1 ? "es" : ""} “${q}”${scope}.` : `${articles}${scope}.`;
  }

  // --- one result: the article, its matching text, and its matching notes -----------------

  // id:kind[:verdict][:version], coded, as Pagefind indexes the words of its meta: the kind and the
  // verdict as the filter inputs' data-code (k0, v3), and a note that stayed on an earlier text of its
  // article names that text by its moment's digits (t202612010900: 2026-12-01-0900, UTC).
  const decoded = new Map([...filtersBox.querySelectorAll("input[data-code]")]
    .map((input) => [input.dataset.code, input.value]));
  function parseNotes(meta) {
    const notes = new Map();
    for (const entry of (meta || "").split(/\s+/)) {
      const [id, kind, verdict = "", time = ""] = entry.split(":");
      const version = time.replace(/^t(\d{4})(\d{2})(\d{2})(\d*)$/, (_, y, m, d, hm) => `${y}-${m}-${d}${hm ? "-" + hm : ""}`);
      if (id && kind) notes.set(id, { kind: decoded.get(kind) || kind, verdict: decoded.get(verdict) || "", version });
    }
    return notes;
  }

  function versionLabel(version) {
    const [year, month, day, time = ""] = version.split("-");
    const clock = time ? ` ${time.slice(0, 2)}:${time.slice(2, 4)} UTC` : "";
    return `${year}-${month}-${day}${clock}`;
  }

  function excerpt(html) {
    // Pagefind escapes < and > in the page's words and adds <mark>…</mark> round the matches.
    const span = el("span", "result-excerpt");
    let marked = false;
    for (const part of (html || "").split(/(<mark>|<\/mark>)/)) {
      if (part === "<mark>" || part === "</mark>") {
        marked = part === "<mark>";
      } else if (part) {
        const text = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
        span.append(marked ? el("mark", "", text) : document.createTextNode(text));
      }
    }
    return span;
  }

  const labelOf = (facet, value) =>
    filtersBox.querySelector(`input[name="${facet}"][value="${CSS.escape(value)}"]`)?.dataset.label || value;

  function badges(note) {
    const out = [el("span", `note-kind kind-${note.kind}`, labelOf("kind", note.kind))];
    if (note.verdict) out.push(" ", el("span", `verdict v-${note.verdict}`, labelOf("verdict", note.verdict)));
    return out;
  }

  function resultItem(page, test) {
    const meta = page.meta || {};
    const notes = parseNotes(meta.notes);
    const text = [];
    const matching = [];
    for (const sub of page.sub_results || []) {
      const note = sub.anchor ? notes.get(sub.anchor.id) : undefined;
      if (!note) text.push(sub);
      else if (test(note)) matching.push({ sub, note });
    }
    const item = el("li", "search-result");
    const heading = el("h2", "result-title");
    const link = el("a", "", meta.title || page.url);
    link.href = page.url;
    // an article in another language than the site's says so (meta "language"): its title and text
    // are marked with it, the notes and labels are the site's
    if (meta.language && meta.title) link.lang = meta.language;
    heading.append(link);
    const byline = el("p", "result-meta");
    if (meta.outlet) byline.append(el("span", "result-outlet", meta.outlet));
    if (meta.date) {
      const time = el("time", "", meta.date);
      time.dateTime = meta.date;
      byline.append(meta.outlet ? " · " : "", time);
    }
    item.append(heading, byline);
    // The article's own words: the passage of its text with the most matches. Only a sub-result of
    // the text is known to be the article's: the page's excerpt may be a note's words (of a note the
    // filters left out, or a note on the whole article, before the text), so it is never shown.
    const best = text.sort((a, b) => b.locations.length - a.locations.length)[0];
    if (best) {
      const paragraph = el("p", "result-text");
      if (meta.language) paragraph.lang = meta.language;
      paragraph.append(excerpt(best.excerpt));
      item.append(paragraph);
    }
    if (matching.length) {
      const notesList = el("ul", "result-notes");
      for (const { sub, note } of matching.slice(0, NOTES_SHOWN)) {
        const entry = el("li", `result-note k-${note.kind}${note.verdict ? " v-" + note.verdict : ""}`);
        const noteLink = el("a");
        noteLink.href = sub.url;
        noteLink.append(...badges(note), " ", excerpt(sub.excerpt));
        entry.append(noteLink);
        if (note.version) {
          entry.append(" ", el("span", "result-version", `(on the text of ${versionLabel(note.version)}, since changed)`));
        }
        notesList.append(entry);
      }
      item.append(notesList);
      const hidden = matching.length - NOTES_SHOWN;
      if (hidden > 0) item.append(el("p", "result-more-notes", `and ${hidden} more matching note${hidden === 1 ? "" : "s"}`));
    }
    return item;
  }

  // --- filters: a panel the reader opens, its checkboxes with counts -------------------------

  // Closed, it is one button: a first search loads nothing for it. Opened (or when the page
  // opens with a filter chosen), search-filters.js and the filter files come, the topics,
  // outlets and years are listed, and every checkbox gets its count over the results on show.
  // Counting is one pass over those results, after they are painted: it never holds them up.
  let filterData = null; // a promise of search-filters.js's FilterData, once asked for
  function loadFilterData() {
    filterData ??= (async () => {
      facetsBox.setAttribute("aria-busy", "true");
      facetsNote.hidden = false;
      const { loadFilterData: load } = await import(form.dataset.filters);
      const changes = await delta;
      const bundles = [primary, ...(changes?.bundle ? [deltaBundle] : [])];
      const data = await load(bundles, (document.documentElement.lang || "unknown").toLowerCase());
      for (const facet of LONG_FACETS) buildFacet(facet, data.values(facet));
      showChecks();
      facetsBox.removeAttribute("aria-busy");
      facetsNote.hidden = true;
      return { data, leftOut: changes?.drop };
    })();
    filterData.catch((problem) => {
      console.error(problem);
      facetsBox.removeAttribute("aria-busy");
      facetsNote.textContent = "Topics, outlets, years and the counts could not be loaded.";
    });
    return filterData;
  }

  const filtersOpen = () => toggle.getAttribute("aria-expanded") === "true";
  function openFilters(open) {
    toggle.setAttribute("aria-expanded", String(open));
    facetsBox.hidden = !open;
    if (open) updateCounts();
  }
  toggle.addEventListener("click", () => openFilters(!filtersOpen()));

  let countRun = 0; // the latest updateCounts: an older one, still waiting on a search, paints nothing
  async function updateCounts() {
    if (!filtersOpen()) return;
    const run = ++countRun;
    let loaded;
    try {
      loaded = await loadFilterData();
    } catch {
      return; // said in the panel
    }
    const { data, leftOut } = loaded;
    // the results on show, read now: a search painted while the data came is counted, not an older one
    const shown = painted;
    const counts = shown ? data.count(shown.results.map((result) => result.id)) : data.totals(leftOut);
    // The values of one filter are alternatives (any of them): a filter with a choice made is counted
    // over the search without its own choice, so that its other values stay listed, each with the
    // results it would add, as faceted search does.
    for (const facet of shown ? FACETS : []) {
      if (!state.chosen[facet].size) continue;
      const q = searchedWords();
      const others = activeFilters(facet);
      let ids;
      if (!q && !Object.keys(others).length) {
        ids = null; // nothing else narrows the search: every page
      } else {
        const { pagefind, changes } = await loadEngine();
        const response = await pagefind.search(q || null, { filters: others });
        ids = upToDate(changes, response?.results ?? []).map((result) => result.id);
      }
      if (run !== countRun) return;
      counts[facet] = (ids ? data.count(ids) : data.totals(leftOut))[facet];
    }
    if (run === countRun) showCounts(counts);
  }

  function buildFacet(facet, values) {
    const fieldset = filtersBox.querySelector(`[data-facet="${facet}"]`);
    const all = new Set([...values, ...state.chosen[facet]]);
    const sorted = [...all].sort((a, b) => (facet === "year" ? b.localeCompare(a) : a.localeCompare(b)));
    const items = sorted.map((value) => {
      const input = el("input");
      input.type = "checkbox";
      input.name = facet;
      input.value = value;
      const label = el("label");
      label.append(input, " ", el("span", "facet-value", value), " ", el("span", "facet-count"));
      const li = el("li");
      li.append(label);
      return li;
    });
    fieldset.querySelector("ul").replaceChildren(...items);
    fieldset.hidden = items.length === 0;
  }

  function showCounts(counts) {
    for (const input of filtersBox.querySelectorAll("input[type=checkbox]")) {
      const label = input.closest("label");
      const n = counts[input.name]?.[input.value] ?? 0; // the data is every bundle's: a value not in it has none
      label.querySelector(".facet-count").textContent = String(n);
      label.classList.toggle("is-empty", n === 0 && !input.checked);
      // Long lists (topics, outlets, years) keep only the values that can still match.
      if (LONG_FACETS.includes(input.name)) label.parentElement.hidden = n === 0 && !input.checked;
    }
  }

  // --- events -------------------------------------------------------------------------------

  box.addEventListener("input", () => {
    state.q = box.value;
    saveUrl(false);
    update();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = box.value;
    saveUrl(true);
    update();
  });

  filtersBox.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !state.chosen[input.name]) return;
    if (input.checked) state.chosen[input.name].add(input.value);
    else state.chosen[input.name].delete(input.value);
    showChecks();
    saveUrl(true);
    update();
  });

  // A page whose filters are chosen shows them (a shared link, or back to a filtered search).
  const showChosenFilters = () => Object.keys(activeFilters()).length && !filtersOpen() && openFilters(true);

  window.addEventListener("popstate", () => {
    readUrl();
    showState();
    showChosenFilters();
    update();
  });

  // Arrow keys move from the box through the result links and back; Enter follows a link.
  const links = () => [...list.querySelectorAll("a[href]")];
  box.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown") return;
    const first = links()[0];
    if (!first) return;
    event.preventDefault();
    first.focus();
  });
  list.addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "Home", "End", "Escape"].includes(event.key)) return;
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    if (event.key === "ArrowDown") (all[at + 1] || all[at]).focus();
    else if (event.key === "ArrowUp") (at > 0 ? all[at - 1] : box).focus();
    else if (event.key === "Home") all[0].focus();
    else if (event.key === "End") all[all.length - 1].focus();
    else box.focus();
  });

  document.getElementById("search-keys").hidden = false;
  filtersBox.hidden = false;
  readUrl();
  showState();
  showChosenFilters();
  if (state.q.trim() || Object.keys(activeFilters()).length) update();
  else loadEngine().catch(() => {}); // ready for the first keystroke; a failure is reported by that search
})();
