// Glossator: "Suggest an annotation" on article pages (SPEC §6). A reader who selects words of
// the page text gets the YAML stub `build.py new SLUG "words"` would write for them (quote, and
// prefix or suffix when the words occur more than once), a copy button, and a link that opens
// the annotation file for editing.
//
// Like notes.js, it never inserts anything into the page text (#page-text): it only reads it.
"use strict";

(() => {
  const article = document.querySelector("article.article");
  const pageText = document.getElementById("page-text");
  const box = document.getElementById("gl_suggest");
  if (!article || !pageText || !box) return;

  const WIDE = window.matchMedia("(min-width: 75em)"); // the same breakpoint as the stylesheet

  // --- Python's rules, restated ------------------------------------------------------------
  // The stub must anchor where the reader selected, as `build.py new` makes it, so these are
  // copies of Python's own. tests/test_suggest_tables.py reads them from this file (so they are
  // written as JSON literals) and fails when they differ from Python's; tests/browser/
  // test_suggest.py compares the ids and stubs made from them.

  // glossator/anchor.py: typographic quotes, dashes and spaces fold to their plain forms
  // (_FOLDED), white space runs to one space (_SPACE_RUN), and case is kept.
  const FOLD = [
    ["\u2018\u2019\u201a\u201b\u2032\u02bc", "'"],
    ["\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", "\""],
    ["\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"],
    ["\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000", " "]
  ];
  const SPACE_RUN = /(?: \s|[^\S ])\s*/g;
  // glossator/anchor.py: the longest prefix or suffix offered, in words
  const MAX_CONTEXT_WORDS = 12;
  // glossator/new.py: an id is the first ID_WORDS words of the quote that are not _STOPWORDS
  const ID_WORDS = 4;
  const STOPWORDS = new Set([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "that",
    "the", "this", "to", "was", "were", "with"
  ]);

  // --- the page's controls --------------------------------------------------------------------

  const button = box.querySelector(".suggest-open");
  const panel = box.querySelector(".suggest-panel");
  const stubCode = document.getElementById("gl_suggest_stub");
  const copy = box.querySelector(".suggest-copy");
  const closeButton = box.querySelector(".suggest-close");
  const edit = box.querySelector(".suggest-edit");
  const status = box.querySelector(".suggest-status");
  const editHref = edit ? edit.getAttribute("href") : "";
  const verdicts = (box.dataset.verdicts || "").split(" ").filter(Boolean);
  const slug = article.dataset.slug;
  let current = null; // the selection the control stands beside

  // --- the stub for a selection ---------------------------------------------------------------

  // The form in which anchoring compares texts (SPEC §4), made with the tables above.
  const FOLDED = FOLD.map(([chars, plain]) => [new RegExp(`[${chars}]`, "g"), plain]);
  const fold = (text) => FOLDED.reduce((t, [re, plain]) => t.replace(re, plain), text)
    .normalize("NFC")
    .replace(SPACE_RUN, " ");
  const collapse = (text) => text.replace(/\s+/g, " ").trim();

  function occurrences(haystack, needle) {
    const found = [];
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found.push(at);
    return found;
  }

  // Words of context, grown one at a time, until quote + context occurs once in the article.
  function context(text, start, end, quote) {
    const folded = fold(text);
    const needle = fold(quote).trim();
    const at = fold(text.slice(0, start)).length;
    const starts = occurrences(folded, needle);
    if (starts.length <= 1) return {};
    const fitsBefore = (s, wanted) => folded.slice(Math.max(0, s - wanted.length - 2), s).trimEnd().endsWith(wanted);
    const fitsAfter = (s, wanted) => folded.slice(s + needle.length, s + needle.length + wanted.length + 2)
      .trimStart().startsWith(wanted);
    const before = text.slice(0, start);
    const after = text.slice(end);
    const wordsBefore = (n) => {
      const m = before.match(new RegExp(`(?:\\S+\\s*){0,${n}}$`));
      return m ? m[0] : "";
    };
    const wordsAfter = (n) => {
      const m = after.match(new RegExp(`^(?:\\s*\\S+){0,${n}}`));
      return m ? m[0] : "";
    };
    const unique = (prefix, suffix) => starts.filter((s) => (!prefix || fitsBefore(s, fold(prefix).trim()))
      && (!suffix || fitsAfter(s, fold(suffix).trim()))).length === 1;
    // the chosen occurrence must be the one selected: check it, not only the count
    const selects = (prefix, suffix) => unique(prefix, suffix)
      && (!prefix || fitsBefore(at, fold(prefix).trim())) && (!suffix || fitsAfter(at, fold(suffix).trim()));
    for (let n = 1; n <= MAX_CONTEXT_WORDS; n++) {
      const prefix = wordsBefore(n);
      if (prefix.trim() && selects(prefix, "")) return { prefix: prefix.replace(/\s+/g, " ").trimStart() };
    }
    for (let n = 1; n <= MAX_CONTEXT_WORDS; n++) {
      const suffix = wordsAfter(n);
      if (suffix.trim() && selects("", suffix)) return { suffix: suffix.replace(/\s+/g, " ").trimEnd() };
    }
    const prefix = wordsBefore(MAX_CONTEXT_WORDS).replace(/\s+/g, " ").trimStart();
    for (let n = 1; n <= MAX_CONTEXT_WORDS; n++) {
      const suffix = wordsAfter(n);
      if (selects(prefix, suffix)) return { prefix, suffix: suffix.replace(/\s+/g, " ").trimEnd() };
    }
    return { prefix };
  }

  // The same id `build.py new` would give (glossator/new.py): up to four meaningful words.
  function freshId(quote) {
    const tokens = quote.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().match(/[a-z0-9]+/g) || [];
    const meaningful = tokens.filter((t) => !STOPWORDS.has(t));
    let base = (meaningful.length ? meaningful : tokens).slice(0, ID_WORDS).join("-").slice(0, 48)
      .replace(/^-+|-+$/g, "") || "note";
    // the page's own ids: its highlights' and references' (hl-, ref-) and its elements' (data-reserved-ids)
    if (/^(hl|ref)-/.test(base)) base = `note-${base}`.slice(0, 48).replace(/^-+|-+$/g, "");
    const taken = new Set(Array.from(article.querySelectorAll("[data-ann]"), (el) => el.dataset.ann));
    (box.dataset.reservedIds || "").split(" ").forEach((reserved) => taken.add(reserved));
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    return id;
  }

  const today = () => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  };

  // JSON strings are valid YAML double-quoted scalars.
  const yamlString = (s) => JSON.stringify(s);

  // The stub `build.py new SLUG "words" --kind claim` writes (glossator/new.py): every TODO is
  // a placeholder that `check` refuses until it is filled in.
  // Its keys are indented as the file's notes are (data-indent: `  - id:` is 4, `- id:` is 2):
  // appended with another indent, it would be a YAML syntax error.
  function stubFor(selection) {
    const listed = "newFile" in box.dataset || "emptyList" in box.dataset;
    const keys = " ".repeat(listed ? 4 : Math.max(2, Number(box.dataset.indent) || 4));
    const dash = keys.slice(2);
    const lines = [
      `${dash}- id: ${freshId(selection.quote)}`,
      "kind: claim  # claim, sourcing or context",
      `quote: ${yamlString(selection.quote)}`,
    ];
    if (selection.prefix) lines.push(`prefix: ${yamlString(selection.prefix)}`);
    if (selection.suffix) lines.push(`suffix: ${yamlString(selection.suffix)}`);
    lines.push(
      `verdict: TODO  # one of: ${verdicts.join(", ")}`,
      "note: |",
      "  TODO: is this claim accurate? Say what the evidence shows, and list it under `sources`.",
      "# sources:  (the evidence; remove the # signs to use them)",
      "#   - title: \"…\"",
      "#     url: https://…",
      "#     publisher: …",
      "#     date: YYYY-MM-DD",
      "by: TODO  # your handle, e.g. your GitHub user name",
      `added: ${today()}`,
    );
    const item = lines.map((line, n) => (n ? keys + line : line)).join("\n") + "\n";
    // a file with no notes yet (`annotations: []`) takes the list whole, in place of that line
    if ("emptyList" in box.dataset) return `annotations:\n${item}`;
    if (!("newFile" in box.dataset)) return item;
    return "# yaml-language-server: $schema=../schemas/annotations.schema.json\n"
      + `article: ${slug}\nannotations:\n${item}`;
  }

  // --- the control beside a selection --------------------------------------------------------

  // The selection, if it lies wholly inside the page text, as page-text offsets.
  function selectionInText() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const range = sel.getRangeAt(0);
    if (!pageText.contains(range.startContainer) || !pageText.contains(range.endContainer)) return null;
    const text = pageText.textContent;
    const lead = document.createRange();
    lead.setStart(pageText, 0);
    lead.setEnd(range.startContainer, range.startOffset);
    // Range.toString() concatenates text nodes exactly as textContent does
    let start = lead.toString().length;
    let end = start + range.toString().length;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (start === end) return null;
    const quote = collapse(text.slice(start, end));
    const rects = range.getClientRects();
    const whole = range.getBoundingClientRect();
    const rect = rects.length ? rects[rects.length - 1] : whole;
    const first = rects.length ? rects[0] : whole;
    return { quote, ...context(text, start, end, quote), rect, first };
  }

  // Under the end of the selection, or above its start when the window ends first.
  function place(rect, first) {
    const width = button.offsetWidth || 180;
    const height = button.offsetHeight || 32;
    const x = Math.min(Math.max(8, rect.right - width / 2), document.documentElement.clientWidth - width - 8);
    const below = rect.bottom + 8 + height < window.innerHeight;
    const y = below ? rect.bottom + 8 : first.top - 8 - height;
    box.style.setProperty("--gl-x", `${x + window.scrollX}px`);
    box.style.setProperty("--gl-y", `${y + window.scrollY}px`);
  }

  function update() {
    if (!panel.hidden) return; // keep the stub being read
    const selection = selectionInText();
    current = selection;
    if (!selection) {
      if (box.contains(document.activeElement)) document.getElementById("main")?.focus({ preventScroll: true });
      box.hidden = true;
      return;
    }
    box.hidden = false;
    place(selection.rect, selection.first);
  }

  let queued = 0;
  document.addEventListener("selectionchange", () => {
    if (!queued) queued = requestAnimationFrame(() => {
      queued = 0;
      update();
    });
  });

  // Keep the selection when the control is pressed.
  button.addEventListener("mousedown", (e) => e.preventDefault());
  button.addEventListener("click", () => {
    if (!current) return;
    const stub = stubFor(current);
    stubCode.textContent = stub;
    if (edit && "newFile" in box.dataset) edit.href = `${editHref}&value=${encodeURIComponent(stub)}`;
    status.textContent = "";
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    // keep the panel on screen: shift it left, and open it upwards if there is no room below
    const at = box.getBoundingClientRect();
    const overflow = at.left + panel.offsetWidth - document.documentElement.clientWidth + 8;
    if (overflow > 0 && WIDE.matches) {
      const x = parseFloat(box.style.getPropertyValue("--gl-x")) - overflow;
      box.style.setProperty("--gl-x", `${Math.max(8, x)}px`);
    }
    const roomBelow = window.innerHeight - at.bottom;
    box.classList.toggle("opens-up", roomBelow < panel.offsetHeight + 16 && at.top > roomBelow);
    copy.focus({ preventScroll: true });
    // the panel on screen (the window scrolls), then the focused control in the panel: on narrow
    // screens the panel is no taller than the window and scrolls itself (200% zoom: Copy was below it)
    panel.scrollIntoView({ block: "nearest" });
    copy.scrollIntoView({ block: "nearest" });
  });

  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(stubCode.textContent);
      status.textContent = "Copied.";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(stubCode);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });

  function closePanel() {
    if (panel.hidden) return false;
    panel.hidden = true;
    // The stub quotes the page's words: once closed, it must not stay behind as a second copy of
    // them for an annotation client resolving a quote against the whole body (SPEC §6).
    stubCode.textContent = "";
    button.setAttribute("aria-expanded", "false");
    update();
    if (!box.hidden) button.focus();
    return true;
  }
  closeButton.addEventListener("click", closePanel);

  // --- keyboard -------------------------------------------------------------------------------

  // Escape closes the panel. It is heard while going down to the focused element, before the
  // notes' Escape (notes.js, which closes a note) is heard coming back up: that one then sees a
  // handled key and leaves the notes as they are.
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented && closePanel()) e.preventDefault();
  }, { capture: true });

  // Keyboard selection (Shift+arrows, caret browsing): Tab goes to the control.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
    if (box.hidden || !panel.hidden || !current) return;
    const active = document.activeElement;
    const sel = window.getSelection();
    const fromText = !active || active === document.body || (sel.anchorNode && active.contains(sel.anchorNode));
    if (fromText) {
      e.preventDefault();
      button.focus();
    }
  });
})();
