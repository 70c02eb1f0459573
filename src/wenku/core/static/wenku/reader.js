// The preview reader: page counter, page jump, find-in-document beside the toolbar, zoom
// (with the sharper rendition when zoomed), full screen, keyboard keys, and fresh signed
// image URLs when a page left open has outlived them. Without JavaScript the pages still
// load lazily with their space reserved, and #p12 links still jump to page 12.
//
// Every in-page jump lands below the sticky bars and above the phone's pay bar: their
// heights are measured into --sticky-top / --sticky-bottom, which the stylesheet uses as
// the page's scroll padding. A jump past the free preview (page box, find hit, search
// hit, #p9) lands on the end-of-preview panel, which says what unlocks the rest.
(function () {
  "use strict";
  const reader = document.getElementById("reader");
  if (!reader) return;
  const root = document.documentElement;
  const frames = Array.from(reader.querySelectorAll(".page-frame"));
  const toolbar = reader.querySelector(".reader-toolbar");
  const jump = toolbar.querySelector("form.jump");
  const input = document.getElementById("page-input");
  const zoomLevel = document.getElementById("zoom-level");
  const pagesBox = document.getElementById("pages");
  const end = document.getElementById("preview-end");
  const find = toolbar.querySelector("form.find");
  const panel = document.getElementById("find-panel");
  const results = document.getElementById("find-results");
  const full = toolbar.querySelector('[data-action="fullscreen"]');
  const fullLabel = full.textContent;
  const header = document.querySelector(".site-header");
  const payBar = document.getElementById("pay-bar");
  const free = frames.length;
  const total = Number(reader.dataset.total) || free;
  const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5];
  let zoom = 2; // index of 1
  let current = 1;
  toolbar.hidden = false;

  function shown(element) {
    return element && element.getBoundingClientRect().height > 0 &&
      getComputedStyle(element).display !== "none";
  }

  // The sticky bars' heights, for every jump (CSS scroll padding and scroll margins).
  function measure() {
    const headerSticks = header && ["sticky", "fixed"].includes(getComputedStyle(header).position);
    const top = (headerSticks ? header.offsetHeight : 0) + toolbar.offsetHeight;
    const bottom = payBar && shown(payBar) ? payBar.offsetHeight : 0;
    root.style.setProperty("--header-height", `${headerSticks ? header.offsetHeight : 0}px`);
    root.style.setProperty("--sticky-top", `${top + 8}px`);
    root.style.setProperty("--sticky-bottom", `${bottom + 8}px`);
  }
  measure();
  window.addEventListener("resize", measure);

  function show(number) {
    const n = Math.max(1, Math.min(total, Number(number) || 1));
    const target = n <= free ? frames[n - 1] : end;
    if (!target) return;
    target.scrollIntoView({ block: "start" });
    if (target === end) end.focus({ preventScroll: true });
    setCurrent(Math.min(n, Math.max(free, 1)));
  }

  function setCurrent(n) {
    current = n;
    if (document.activeElement !== input) input.value = String(n);
  }

  if ("IntersectionObserver" in window && frames.length) {
    const visible = new Map();
    const observer = new IntersectionObserver((entries) => {
      entries.forEach((e) => visible.set(Number(e.target.dataset.page), e.intersectionRatio));
      let best = current;
      let ratio = 0;
      visible.forEach((r, page) => { if (r > ratio) { ratio = r; best = page; } });
      if (ratio > 0) setCurrent(best);
    }, { threshold: [0, 0.25, 0.5, 0.75, 1] });
    frames.forEach((f) => observer.observe(f));
  }

  // Zoom: wider frames, and "sizes" widened with them so the browser takes the sharper
  // rendition from srcset at 150 % and more (as it does by itself on HiDPI screens).
  const defaultSizes = frames.length ? frames[0].querySelector("img").getAttribute("sizes") : "";
  function setZoom(index) {
    zoom = Math.max(0, Math.min(ZOOMS.length - 1, index));
    const keep = current;
    const z = ZOOMS[zoom];
    pagesBox.style.setProperty("--zoom", String(z));
    reader.classList.toggle("zoomed", z > 1);
    zoomLevel.value = `${Math.round(z * 100)}%`;
    zoomLevel.textContent = zoomLevel.value;
    const sizes = z > 1 ? `${Math.round(800 * z)}px` : defaultSizes;
    frames.forEach((f) => f.querySelector("img").setAttribute("sizes", sizes));
    if (frames[keep - 1]) frames[keep - 1].scrollIntoView({ block: "start" });
  }

  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (reader.requestFullscreen) reader.requestFullscreen();
  }
  document.addEventListener("fullscreenchange", () => {
    const on = document.fullscreenElement === reader;
    full.textContent = on ? reader.dataset.exitLabel : fullLabel;
    full.setAttribute("aria-pressed", on ? "true" : "false");
    measure();
  });

  // Find in the document: the pages with the words, in a panel under the toolbar (where
  // the reader is, whatever page they are on); a hit jumps to its page.
  function openPanel() {
    panel.hidden = false;
  }
  function closePanel() {
    panel.hidden = true;
  }
  find.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = find.querySelector("input[name=q]").value.trim();
    if (!q) { closePanel(); return; }
    const url = `${find.dataset.fragment}&q=${encodeURIComponent(q)}`;
    fetch(url, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => { results.innerHTML = html; openPanel(); })
      .catch(() => { window.location.href = `${find.action}?q=${encodeURIComponent(q)}`; });
  });
  results.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link) return;
    const href = link.getAttribute("href");
    const hash = /#p(\d+)$/.exec(href);
    const past = /#preview-end$/.test(href);
    if (!hash && !past) return;
    event.preventDefault();
    if (window.matchMedia("(max-width: 760px)").matches) closePanel();
    history.replaceState(null, "", hash ? `#p${hash[1]}` : "#preview-end");
    show(hash ? hash[1] : free + 1);
  });

  jump.addEventListener("submit", (event) => { event.preventDefault(); show(input.value); });
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const action = button && button.dataset.action;
    if (action === "zoom-in") setZoom(zoom + 1);
    if (action === "zoom-out") setZoom(zoom - 1);
    if (action === "fullscreen") fullscreen();
    if (action === "close-find") closePanel();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) { closePanel(); return; }
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || event.altKey || event.ctrlKey || event.metaKey) return;
    const keys = {
      ArrowRight: () => show(current + 1), j: () => show(current + 1),
      ArrowLeft: () => show(current - 1), k: () => show(current - 1),
      "+": () => setZoom(zoom + 1), "=": () => setZoom(zoom + 1), "-": () => setZoom(zoom - 1),
      f: fullscreen,
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });

  // Signed image URLs expire: fetch fresh ones once for every image that failed.
  let refreshing = null;
  function refresh() {
    if (!refreshing) {
      refreshing = fetch(reader.dataset.urls, { credentials: "same-origin" })
        .then((r) => r.json()).then((body) => body.pages)
        .finally(() => setTimeout(() => { refreshing = null; }, 30000));
    }
    return refreshing;
  }
  frames.forEach((frame) => {
    const img = frame.querySelector("img");
    img.addEventListener("error", () => {
      if (img.dataset.retried) return;
      img.dataset.retried = "1";
      refresh().then((urls) => {
        const url = urls[frame.dataset.page];
        if (!url) return;
        img.srcset = `${url} 1000w, ${url}&x=2 2000w`;
        img.src = url;
      });
    });
  });

  // #p12 opens the reader at page 12 (links from search results and the find box); a
  // page past the free preview opens the end-of-preview panel.
  function followHash() {
    const hash = /^#p(\d+)$/.exec(window.location.hash);
    if (hash) show(hash[1]);
    else if (window.location.hash === "#preview-end" && end) show(free + 1);
  }
  window.addEventListener("hashchange", followHash);
  followHash();
})();
