// Glossator: margin notes and kind toggles on article pages (suggest.js is the page's other
// script: "Suggest an annotation").
//
// The page text (#page-text) holds the article's words and nothing else, at every moment
// (SPEC §6): external annotation clients and our exported selectors resolve against its
// textContent. So this script never inserts nodes or text into it. It reads it, and sets
// attributes, classes and custom properties on elements that are already there; notes are
// positioned beside or under the text by layout.
"use strict";

(() => {
  const article = document.querySelector("article.article");
  const pageText = document.getElementById("page-text");
  if (!article || !pageText) return;
  document.documentElement.classList.add("gl-js");

  const WIDE = window.matchMedia("(min-width: 75em)"); // the same breakpoint as the stylesheet
  const GAP = 12; // px between stacked notes
  const STORE_KEY = "glossator:hidden-kinds";

  // --- the notes ---------------------------------------------------------------------------

  const notesSection = article.querySelector("section.notes");
  const columns = article.querySelector(".article-columns");
  const marksById = new Map();
  for (const mark of pageText.querySelectorAll("mark[data-ann]")) {
    const list = marksById.get(mark.dataset.ann);
    if (list) list.push(mark);
    else marksById.set(mark.dataset.ann, [mark]);
  }
  const refsById = new Map();
  for (const ref of pageText.querySelectorAll("a.note-ref[data-ann]")) refsById.set(ref.dataset.ann, ref);

  const notes = [];
  const byId = new Map();
  for (const li of article.querySelectorAll(".note-list > li.note[data-ann]")) {
    const id = li.dataset.ann;
    const marks = marksById.get(id);
    if (!marks) continue;
    const note = {
      id,
      kind: li.dataset.kind,
      number: Number(li.getAttribute("value")) || notes.length + 1,
      li,
      marks,
      ref: refsById.get(id) || null,
      open: false, // narrow layout: shown under a paragraph
      block: null, // narrow layout: the paragraph it is shown under
      opener: null, // the control that opened it, where focus returns
      openedAt: 0, // Escape closes the most recently opened note first
      y: null, // the position last written to its --gl-y
    };
    // "_" cannot occur in an annotation id, so these ids never collide with a permalink
    li.id = "note_" + id;
    li.tabIndex = -1;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "note-close";
    close.setAttribute("aria-label", `Close note ${note.number}`);
    close.textContent = "×";
    close.addEventListener("click", () => closeNote(note, true));
    li.append(close);
    if (note.ref) {
      note.ref.setAttribute("aria-controls", li.id);
      note.ref.dataset.kind = note.kind;
    }
    notes.push(note);
    byId.set(id, note);
  }

  // The block a note opens under: the page text's child holding the highlight (a paragraph,
  // or a whole blockquote or aside, so the note never lands inside their borders); in a list,
  // the list item.
  const blockOf = (el) => {
    let node = el;
    while (node.parentElement && node.parentElement !== pageText) node = node.parentElement;
    if (/^(UL|OL|DL)$/.test(node.tagName)) {
      const item = Array.from(node.children).find((child) => child.contains(el));
      if (item) return item;
    }
    return node;
  };
  const isWide = () => WIDE.matches;

  // --- kinds the reader has hidden ---------------------------------------------------------

  const kindsHere = new Set(notes.map((n) => n.kind));
  const hidden = new Set();
  try {
    for (const kind of JSON.parse(localStorage.getItem(STORE_KEY) || "[]")) {
      if (kindsHere.has(kind)) hidden.add(kind);
    }
  } catch {
    // storage unavailable or corrupt: every kind shown
  }
  const toggles = Array.from(article.querySelectorAll("input.kind-toggle[data-kind]"));

  function applyKinds() {
    for (const kind of kindsHere) article.classList.toggle("hide-" + kind, hidden.has(kind));
    for (const toggle of toggles) toggle.checked = !hidden.has(toggle.dataset.kind);
  }

  function setKindShown(kind, shown, persist) {
    if (shown) hidden.delete(kind);
    else hidden.add(kind);
    if (!shown) for (const n of notes) if (n.kind === kind && n.open) closeNote(n, false);
    if (persist) {
      try {
        // remember every kind hidden on any page, not only the kinds of this article
        const stored = new Set(JSON.parse(localStorage.getItem(STORE_KEY) || "[]"));
        if (shown) stored.delete(kind);
        else stored.add(kind);
        localStorage.setItem(STORE_KEY, JSON.stringify([...stored].sort()));
      } catch {
        // not persisted; the choice still applies to this page
      }
    }
    applyKinds();
    layout();
  }

  for (const toggle of toggles) {
    toggle.hidden = false;
    toggle.addEventListener("change", () => setKindShown(toggle.dataset.kind, toggle.checked, true));
  }

  // --- layout ------------------------------------------------------------------------------

  // Every style the layouts write goes through these, which skip a value already in place: an
  // unchanged note or paragraph is then not restyled, and not laid out again.
  const reserved = new Map(); // paragraph → the room reserved under it, in px

  function reserve(block, room) {
    if (reserved.get(block) === room) return;
    if (!reserved.has(block)) block.classList.add("gl-reserved");
    block.style.setProperty("--gl-reserve", `${room}px`);
    reserved.set(block, room);
  }

  function release(block) {
    block.classList.remove("gl-reserved");
    block.style.removeProperty("--gl-reserve");
    reserved.delete(block);
  }

  function clearReserved() {
    for (const block of reserved.keys()) release(block);
  }

  function placeNote(note, y) {
    if (note.y === y) return;
    note.li.style.setProperty("--gl-y", `${y}px`);
    note.y = y;
  }

  // Wide screens: each note at the height of its first highlight, unless that would overlap
  // the note above, then just below it. All reads first, then all writes: one layout pass.
  function layoutMargin() {
    const origin = notesSection.getBoundingClientRect().top;
    const items = [];
    for (const note of notes) {
      if (hidden.has(note.kind)) continue;
      const first = note.marks[0].getClientRects()[0] || note.marks[0].getBoundingClientRect();
      items.push({ note, want: first.top - origin, height: note.li.offsetHeight });
    }
    items.sort((a, b) => a.want - b.want || a.note.number - b.note.number);
    let floor = 0;
    for (const item of items) {
      item.y = Math.max(item.want, floor);
      floor = item.y + item.height + GAP;
    }
    for (const item of items) placeNote(item.note, item.y);
    notesSection.style.setProperty("--gl-notes-height", `${Math.max(0, floor - GAP)}px`);
  }

  // Narrow screens: open notes stand under the paragraph that holds their highlight, in room
  // reserved there (the paragraph's bottom margin), stacked in number order. Reads and writes
  // come in two batches, so the page is laid out once in between, not once per paragraph:
  // the notes' heights (the room reserved does not change them: they span the column, which
  // keeps its width), then the room under every paragraph, then where each paragraph now
  // ends, then every note's position.
  function layoutInline() {
    const groups = new Map();
    for (const note of notes) {
      if (!note.open || hidden.has(note.kind)) continue;
      if (!groups.has(note.block)) groups.set(note.block, []);
      groups.get(note.block).push(note);
    }
    const heights = new Map();
    for (const list of groups.values()) for (const note of list) heights.set(note, note.li.offsetHeight);
    for (const block of [...reserved.keys()]) if (!groups.has(block)) release(block);
    if (!groups.size) return;
    for (const [block, list] of groups) {
      list.sort((a, b) => a.number - b.number);
      reserve(block, list.reduce((sum, n) => sum + heights.get(n) + GAP, 0));
    }
    const origin = columns.getBoundingClientRect().top;
    const bottoms = new Map();
    for (const block of groups.keys()) bottoms.set(block, block.getBoundingClientRect().bottom - origin);
    for (const [block, list] of groups) {
      let y = bottoms.get(block) + GAP;
      for (const note of list) {
        placeNote(note, y);
        y += heights.get(note) + GAP;
      }
    }
  }

  function layout() {
    if (!notesSection || !notes.length) return;
    // Settle pending style and layout of the page itself (class changes, the page's own first
    // layout) before the measure starts: the measure is the notes' layout alone.
    void pageText.offsetHeight;
    performance.mark("glossator-layout-start");
    if (isWide()) layoutMargin();
    else layoutInline();
    // Settle the new positions inside the measured span, so the measure is the full cost.
    void notesSection.offsetHeight;
    performance.measure("glossator-layout", "glossator-layout-start");
  }

  let pending = 0;
  function scheduleLayout() {
    if (!pending) pending = requestAnimationFrame(() => {
      pending = 0;
      layout();
    });
  }

  function applyMode() {
    const wide = isWide();
    article.classList.toggle("gl-margin", wide);
    article.classList.toggle("gl-inline", !wide);
    if (wide) clearReserved();
    for (const note of notes) {
      if (!note.ref) continue;
      // In the margin every note is shown: there is nothing to expand.
      if (wide) note.ref.removeAttribute("aria-expanded");
      else note.ref.setAttribute("aria-expanded", String(note.open));
    }
    layout();
  }

  // --- opening and closing (narrow screens) ----------------------------------------------------

  let openings = 0;
  function openNote(note, block, opener) {
    note.open = true;
    note.openedAt = ++openings;
    note.block = block;
    note.opener = opener || note.ref;
    note.li.classList.add("is-open");
    if (note.ref && !isWide()) note.ref.setAttribute("aria-expanded", "true");
    layout();
  }

  function closeNote(note, returnFocus) {
    if (!note.open) return;
    const hadFocus = note.li.contains(document.activeElement);
    note.open = false;
    note.li.classList.remove("is-open");
    if (note.ref && !isWide()) note.ref.setAttribute("aria-expanded", "false");
    layout();
    if (returnFocus || hadFocus) (note.opener || note.ref)?.focus({ preventScroll: false });
  }

  function focusNote(note) {
    note.li.focus({ preventScroll: true });
    note.li.scrollIntoView({ block: "nearest" });
  }

  // Wide screens: bring a note into view without losing the words it was activated from. Nothing
  // moves while the note's top is on screen; else both tops are shown, the higher 80 px from the top
  // of the window, or when they cannot both be, the note if focus went there (Enter on its
  // reference), the words if they were clicked.
  function reveal(note, words, focused) {
    const noteTop = note.li.getBoundingClientRect().top;
    if (noteTop >= 0 && noteTop <= window.innerHeight - 80) return;
    const wordsTop = words.getBoundingClientRect().top;
    const both = Math.abs(noteTop - wordsTop) <= window.innerHeight - 160;
    const top = both ? Math.min(noteTop, wordsTop) : focused ? noteTop : wordsTop;
    window.scrollTo({ top: window.scrollY + top - 80, behavior: "instant" });
  }

  // A highlight or its reference was activated (click, tap, Enter or Space).
  function activate(note, control, viaRef) {
    if (isWide()) {
      light.pin(note.id);
      if (viaRef) note.li.focus({ preventScroll: true });
      reveal(note, control, viaRef);
      return;
    }
    const block = blockOf(control);
    if (note.open && note.block === block) {
      closeNote(note, viaRef);
      return;
    }
    openNote(note, block, note.ref || control);
    focusNote(note);
  }

  // --- lighting a note and its highlights together ----------------------------------------------

  const light = (() => {
    const wanted = { hover: null, focus: null, pin: null };
    let lit = new Set();
    function refresh() {
      const next = new Set(Object.values(wanted).filter(Boolean));
      for (const id of lit) if (!next.has(id)) paint(id, false);
      for (const id of next) if (!lit.has(id)) paint(id, true);
      lit = next;
    }
    function paint(id, on) {
      const note = byId.get(id);
      if (!note) return;
      note.li.classList.toggle("is-lit", on);
      for (const mark of note.marks) mark.classList.toggle("is-lit", on);
      note.ref?.classList.toggle("is-lit", on);
    }
    return {
      set(source, id) {
        if (wanted[source] !== id) {
          wanted[source] = id;
          refresh();
        }
      },
      pin(id) {
        this.set("pin", id);
      },
    };
  })();

  // The innermost highlight under the pointer whose kind is shown.
  function noteAt(target) {
    let el = target instanceof Element ? target : target.parentElement;
    while (el && pageText.contains(el)) {
      const ann = el.matches("mark[data-ann], a.note-ref[data-ann]") ? el.dataset.ann : null;
      const note = ann && byId.get(ann);
      if (note && !hidden.has(note.kind)) return note;
      el = el.parentElement;
    }
    return null;
  }

  pageText.addEventListener("mouseover", (e) => light.set("hover", noteAt(e.target)?.id || null));
  pageText.addEventListener("mouseleave", () => light.set("hover", null));
  if (notesSection) {
    notesSection.addEventListener("mouseover", (e) => {
      light.set("hover", e.target.closest("li.note[data-ann]")?.dataset.ann || null);
    });
    notesSection.addEventListener("mouseleave", () => light.set("hover", null));
  }
  document.addEventListener("focusin", (e) => {
    const el = e.target;
    const inNote = el.closest?.("li.note[data-ann]");
    const id = inNote ? inNote.dataset.ann : el.matches?.("a.note-ref[data-ann]") ? el.dataset.ann : null;
    light.set("focus", id && byId.has(id) ? id : null);
  });
  document.addEventListener("focusout", (e) => {
    if (!e.relatedTarget) light.set("focus", null);
  });

  pageText.addEventListener("click", (e) => {
    const ref = e.target.closest("a.note-ref[data-ann]");
    if (!ref) {
      // a drag that selected words is not a tap on a highlight; links inside a highlight still work
      if (!window.getSelection().isCollapsed || e.target.closest("a[href]")) return;
    }
    const note = noteAt(e.target);
    if (!note) {
      light.pin(null);
      return;
    }
    e.preventDefault();
    activate(note, ref || e.target, Boolean(ref));
  });

  // A click anywhere else lets go of a highlight lit by a click.
  document.addEventListener("click", (e) => {
    if (!pageText.contains(e.target) && !e.target.closest?.("li.note")) light.pin(null);
  });

  pageText.addEventListener("keydown", (e) => {
    // Enter follows the link (a click); Space activates it too, as it would a button.
    if (e.key === " " && e.target.matches("a.note-ref[data-ann]")) {
      e.preventDefault();
      e.target.click();
    }
  });

  // --- permalinks ----------------------------------------------------------------------------

  let target = null;
  function showTarget() {
    let id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      id = ""; // a malformed link (#% or a cut escape) names no note, and must not stop this script
    }
    if (target) {
      target.li.classList.remove("is-target");
      for (const mark of target.marks) mark.classList.remove("is-target");
      target = null;
    }
    const note = byId.get(id);
    if (!note) {
      // "back to the highlighted words": continue from that highlight's reference
      if (id.startsWith("hl-")) byId.get(id.slice(3))?.ref?.focus({ preventScroll: true });
      return;
    }
    if (hidden.has(note.kind)) setKindShown(note.kind, true, false);
    target = note;
    note.li.classList.add("is-target");
    for (const mark of note.marks) mark.classList.add("is-target");
    if (!isWide() && !note.open) openNote(note, blockOf(note.ref || note.marks[0]), note.ref);
    layout();
    note.li.focus({ preventScroll: true });
    // Show the highlight and its note together: scroll to whichever is higher.
    const top = Math.min(note.li.getBoundingClientRect().top, note.marks[0].getBoundingClientRect().top);
    window.scrollTo({ top: window.scrollY + top - 80, behavior: "instant" });
  }
  window.addEventListener("hashchange", showTarget);

  // --- keyboard: Escape --------------------------------------------------------------------------

  // An open "Suggest an annotation" panel closes first: suggest.js handles that Escape before
  // this listener hears it, and marks it handled.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    const active = document.activeElement;
    const here = byId.get(active?.closest?.("li.note[data-ann]")?.dataset.ann)
      || byId.get(active?.matches?.("a.note-ref[data-ann]") ? active.dataset.ann : "");
    if (isWide()) {
      if (here && here.li.contains(active)) {
        e.preventDefault();
        light.pin(null);
        (here.opener || here.ref)?.focus();
      }
      return;
    }
    // Only from a note, a reference or the page text: an Escape meant for anything else (the header's
    // search box) leaves the notes, the focus and the scroll as they are.
    if (!here && !pageText.contains(active)) return;
    const open = notes.filter((n) => n.open).sort((a, b) => a.openedAt - b.openedAt);
    const closing = here && here.open ? here : open[open.length - 1];
    if (closing) {
      e.preventDefault();
      closeNote(closing, true);
    }
  });

  // --- keyboard: Tab through an open note (narrow screens) ---------------------------------------

  // An open note stands under its paragraph by layout only: in the document it follows the page
  // text. Tab goes as the reader sees it: from the opener into its note, from the note's last control
  // on to what follows the opener in the text, and Shift+Tab from the note back to its opener.
  const TABBABLE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  const tabbable = (root) => Array.from(root.querySelectorAll(TABBABLE))
    .filter((el) => !el.disabled && el.getClientRects().length);
  const following = (el) => tabbable(document.body).find((next) => !el.contains(next)
    && !notesSection.contains(next) && el.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING);

  document.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented || isWide()) return;
    const active = document.activeElement;
    const inside = notes.find((n) => n.open && n.li.contains(active));
    let next = null;
    if (inside) {
      const controls = tabbable(inside.li);
      const opener = inside.opener || inside.ref;
      if (e.shiftKey && (active === inside.li || active === controls[0])) next = opener;
      if (!e.shiftKey && active === controls[controls.length - 1]) next = opener && following(opener);
    } else if (!e.shiftKey) {
      const opened = notes.find((n) => n.open && (n.opener || n.ref) === active);
      if (opened) next = tabbable(opened.li)[0];
    }
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });

  // --- start --------------------------------------------------------------------------------------

  applyKinds();
  applyMode();
  WIDE.addEventListener("change", applyMode);
  let lastWidth = pageText.clientWidth;
  new ResizeObserver(() => {
    // reflowed text moves the highlights; our own reserved space only changes the height
    if (pageText.clientWidth !== lastWidth) {
      lastWidth = pageText.clientWidth;
      scheduleLayout();
    }
  }).observe(pageText);
  document.fonts?.ready.then(scheduleLayout);
  document.fonts?.addEventListener?.("loadingdone", scheduleLayout);
  window.addEventListener("load", scheduleLayout);
  if (location.hash) {
    showTarget();
    // The browser scrolls to the fragment itself once the page has loaded (and resets focus
    // then): do it again after that, so our scroll and focus are the ones that stay.
    if (document.readyState !== "complete") {
      window.addEventListener("load", () => requestAnimationFrame(showTarget), { once: true });
    }
  }
})();
