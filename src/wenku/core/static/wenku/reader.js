// The preview reader: page counter, page jump, zoom, full screen, keyboard keys, and fresh
// signed image URLs when a page left open has outlived them. Without JavaScript the pages
// still load lazily with their space reserved, and #p12 links still jump to page 12.
(function () {
  "use strict";
  const reader = document.getElementById("reader");
  if (!reader) return;
  const frames = Array.from(reader.querySelectorAll(".page-frame"));
  const toolbar = reader.querySelector(".reader-toolbar");
  const input = document.getElementById("page-input");
  const zoomLevel = document.getElementById("zoom-level");
  const pagesBox = document.getElementById("pages");
  const end = document.getElementById("preview-end");
  const free = frames.length;
  const total = Number(reader.dataset.total) || free;
  const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5];
  let zoom = 2; // index of 1
  let current = 1;
  toolbar.hidden = false;

  function show(number) {
    const n = Math.max(1, Math.min(total, Number(number) || 1));
    const target = n <= free ? frames[n - 1] : end;
    if (!target) return;
    target.scrollIntoView({ block: "start" });
    if (target === end) end.focus({ preventScroll: true });
    setCurrent(Math.min(n, free));
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

  function setZoom(index) {
    zoom = Math.max(0, Math.min(ZOOMS.length - 1, index));
    const keep = current;
    pagesBox.style.setProperty("--zoom", String(ZOOMS[zoom]));
    reader.classList.toggle("zoomed", ZOOMS[zoom] > 1);
    zoomLevel.value = `${Math.round(ZOOMS[zoom] * 100)}%`;
    zoomLevel.textContent = zoomLevel.value;
    if (frames[keep - 1]) frames[keep - 1].scrollIntoView({ block: "start" });
  }

  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (reader.requestFullscreen) reader.requestFullscreen();
  }

  toolbar.addEventListener("click", (event) => {
    const action = event.target.closest("button") && event.target.closest("button").dataset.action;
    if (action === "go") show(input.value);
    if (action === "zoom-in") setZoom(zoom + 1);
    if (action === "zoom-out") setZoom(zoom - 1);
    if (action === "fullscreen") fullscreen();
  });
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") show(input.value); });

  document.addEventListener("keydown", (event) => {
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
      refresh().then((urls) => { if (urls[frame.dataset.page]) img.src = urls[frame.dataset.page]; });
    });
  });

  // #p12 opens the reader at page 12 (links from search results and the find box).
  function followHash() {
    const hash = /^#p(\d+)$/.exec(window.location.hash);
    if (hash) show(hash[1]);
  }
  window.addEventListener("hashchange", followHash);
  followHash();
})();
