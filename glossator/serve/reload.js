/* Glossator live preview. Added to pages by `build.py serve` as they are sent, never written
   into a built site. It listens to the server's events: reload when a newer, complete build
   affects this page (keeping the scroll position); swap stylesheets when only CSS changed;
   show a failed build's problems in an overlay, drawn with textContent, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var PREFIX = new URL(script.src).pathname.replace(/reload\.js$/, "");
  var SCROLL_KEY = "glossator-preview-scroll";

  function saveScroll() {
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ path: location.pathname, x: scrollX, y: scrollY }));
    } catch (e) { /* storage disabled: the browser's own restoration still applies */ }
  }

  function restoreScroll() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "null"); } catch (e) { return; }
    if (!saved || saved.path !== location.pathname) return;
    var apply = function () { window.scrollTo(saved.x, saved.y); };
    apply();
    // Stylesheets, fonts and the margin-note layout can still move things until "load".
    window.addEventListener("load", function () {
      apply();
      try { sessionStorage.removeItem(SCROLL_KEY); } catch (e) { /* ignore */ }
    }, { once: true });
  }

  function swapStylesheets(swap) {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var next = swap[new URL(link.href, location.href).pathname];
      if (!next) return;
      var fresh = link.cloneNode();
      fresh.href = next;
      // Keep the old sheet until the new one is in: no flash of unstyled text.
      var drop = function () { link.remove(); };
      fresh.addEventListener("load", drop, { once: true });
      fresh.addEventListener("error", drop, { once: true });
      link.after(fresh);
    });
  }

  var overlay = null;
  var returnFocus = null;

  function hideProblems() {
    if (!overlay) return;
    var hadFocus = overlay.contains(document.activeElement) || document.activeElement === overlay;
    overlay.remove();
    overlay = null;
    if (hadFocus && returnFocus && returnFocus.isConnected && returnFocus.focus) returnFocus.focus({ preventScroll: true });
    returnFocus = null;
  }

  function element(name, text, attributes) {
    var node = document.createElement(name);
    if (text) node.textContent = text;
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function showProblems(problems) {
    hideProblems();
    var host = element("div", "", { id: "glossator-preview-overlay" });
    var root = host.attachShadow({ mode: "open" });
    var sheet = element("link", "", { rel: "stylesheet", href: PREFIX + "overlay.css" });
    var box = element("section", "", {
      "class": "overlay", role: "alertdialog", "aria-modal": "false",
      "aria-labelledby": "title", "aria-describedby": "summary"
    });
    var heading = element("h2", "Build failed: " + problems.summary, { id: "title" });
    var summary = element("p", "This page shows the last good build. Fix the file and save: "
      + "this message goes away by itself.", { id: "summary" });
    var details = element("pre", problems.text, { tabindex: "0", "aria-label": "Problems" });
    var close = element("button", "Dismiss", { type: "button", "aria-keyshortcuts": "Escape" });
    close.addEventListener("click", hideProblems);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.stopPropagation(); hideProblems(); }
    });
    box.append(heading, summary, details, close);
    root.append(sheet, box);
    returnFocus = document.activeElement;
    document.body.append(host);
    overlay = host;
    close.focus({ preventScroll: true });
  }

  restoreScroll();
  var query = new URLSearchParams({ epoch: script.dataset.epoch || "", page: script.dataset.page || "" });
  // Tells tools (and tests) whether this page is listening; the page's own content is untouched.
  var root = document.documentElement;
  var events = null;

  function listen() {
    if (events) return;
    // the server sends the problems standing now, and `reload` if a build since this page was
    // served affects it: anything shown from before is out of date
    hideProblems();
    events = new EventSource(PREFIX + "events?" + query.toString());
    events.addEventListener("open", function () { root.dataset.glossatorPreview = "live"; });
    events.addEventListener("error", function () { root.dataset.glossatorPreview = "reconnecting"; });
    events.addEventListener("reload", function () {
      stop();
      saveScroll();
      location.reload();
    });
    events.addEventListener("css", function (event) { swapStylesheets(JSON.parse(event.data).swap); });
    events.addEventListener("problems", function (event) { showProblems(JSON.parse(event.data)); });
    events.addEventListener("ok", hideProblems);
  }

  function stop() {
    if (!events) return;
    events.close();
    events = null;
    root.dataset.glossatorPreview = "paused";
  }

  // A browser opens at most six connections to one host, and each listening page holds one: a
  // seventh preview tab never loaded. A tab out of sight lets its connection go, and listens
  // again (reloading then, if it must) when it is shown.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") stop(); else listen();
  });
  if (document.visibilityState !== "hidden") listen();
  window.addEventListener("pagehide", stop);
})();
