// Glossator: the "/" search shortcut, on every page. "/" focuses the search box, as on GitHub
// and MDN: this page's own box (the search page's, the home page's), else the header's. It is
// a file of its own so that only the search page has to load search.js, and only article
// pages notes.js and suggest.js.
"use strict";

(() => {
  const NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"];
  const isTyping = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable ||
      /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !NOT_TEXT.includes(target.type)));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    const box = ["search-q", "home-search-q", "site-search-q"].map((id) => document.getElementById(id)).find(Boolean);
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
