// Upload page enhancement: a drop zone, one editable row per chosen file, per-file
// progress, then the document's processing status until it is ready or failed.
//
// The shared details (category, tags, download rules, preview) apply to every file: a
// file's own category and tags follow the shared ones until that file's are edited, and
// each row says what its document will be published with. Without JavaScript the same
// form posts all files with the shared details.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const input = form.querySelector('input[type="file"]');
  const list = document.getElementById("file-list");
  const zone = document.getElementById("drop-zone");
  const T = JSON.parse(document.getElementById("upload-text").textContent);
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  const shared = {
    category: form.querySelector('[name="category"]'),
    tags: form.querySelector('[name="tags"]'),
    pricing: form.querySelector('[name="pricing"]'),
    price: form.querySelector('[name="price"]'),
    preview: form.querySelector('[name="preview_pages"]'),
  };
  const maxBytes = Number(form.dataset.maxBytes || 0);
  let files = [];
  let rows = [];

  // Per-file rows carry their own title and description; the shared ones are for the
  // form without JavaScript.
  ["field-title", "field-description"].forEach((id) => {
    const box = document.getElementById(id);
    if (box) box.hidden = true;
  });
  form.querySelectorAll(".js-only").forEach((node) => { node.hidden = false; });

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  function field(label, control) {
    return el("label", {}, [el("span", { text: label }), control]);
  }

  function selectedText(select) {
    const option = select && select.options[select.selectedIndex];
    return option ? option.textContent.trim() : "";
  }

  // What a row's document will be published with, in words.
  function describe(row) {
    const category = row.category.value ? selectedText(row.category) : T.noCategory;
    const tags = row.tags.value.split(/[,，、;；#\s]+/).filter(Boolean);
    let pricing = selectedText(shared.pricing);
    if (shared.price && !shared.price.closest(".field").hidden && shared.price.value) {
      pricing += ` · ${shared.price.value}`;
    }
    row.summary.textContent = `${T.publishedWith} ${category} · ${tags.length ? tags.join("、") : T.noTags} · ${pricing}`;
  }

  // Shared values flow into every row whose own value has not been edited.
  function follow() {
    rows.forEach((row) => {
      if (!row.category.dataset.edited) row.category.value = shared.category.value;
      if (!row.tags.dataset.edited) row.tags.value = shared.tags.value;
      describe(row);
    });
  }

  function showPrice() {
    const priced = ["points", "vip_free"].includes(shared.pricing.value);
    const box = shared.price && shared.price.closest(".field");
    if (box) box.hidden = !priced;
  }

  function makeRow(file, i) {
    const stem = file.name.replace(/\.[^.]+$/, "");
    const title = el("input", { type: "text", maxlength: "200", value: stem, name: `title-${i}` });
    const description = el("textarea", { rows: "2", maxlength: "5000", name: `description-${i}` });
    const category = shared.category.cloneNode(true);
    category.removeAttribute("id");
    category.name = `category-${i}`;
    category.value = shared.category.value;
    const tags = el("input", { type: "text", maxlength: "400", value: shared.tags.value, name: `tags-${i}` });
    const progress = el("progress", { max: "100", value: "0" });
    const status = el("span", { class: "status", text: T.waiting });
    const summary = el("p", { class: "will-publish muted" });
    const remove = el("button", { type: "button", class: "link remove", text: T.remove });
    const size = `${(file.size / 1048576).toFixed(2)} MB`;
    const row = el("fieldset", { class: "file-row" }, [
      el("legend", { text: `${file.name} (${size})` }),
      field(T.title, title), field(T.description, description),
      el("div", { class: "field-row" }, [field(T.category, category), field(T.tags, tags)]),
      summary,
      el("div", { class: "progress-line" }, [progress, status, remove]),
    ]);
    const entry = { file, title, description, category, tags, progress, status, row, summary };
    [category, tags].forEach((control) => {
      control.addEventListener("input", () => { control.dataset.edited = "1"; describe(entry); });
      control.addEventListener("change", () => { control.dataset.edited = "1"; describe(entry); });
    });
    remove.addEventListener("click", () => {
      files = files.filter((f) => f !== file);
      rows = rows.filter((r) => r !== entry);
      row.remove();
    });
    if (maxBytes && file.size > maxBytes) {
      row.dataset.status = "failed";
      status.textContent = T.tooLarge;
    }
    describe(entry);
    return entry;
  }

  function add(chosen) {
    Array.from(chosen).forEach((file) => {
      const entry = makeRow(file, files.length);
      files.push(file);
      rows.push(entry);
      list.appendChild(entry.row);
    });
  }

  function send(row) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("file", row.file);
      data.append("title", row.title.value);
      data.append("description", row.description.value);
      data.append("category", row.category.value);
      data.append("tags", row.tags.value);
      if (shared.preview && shared.preview.value) data.append("preview_pages", shared.preview.value);
      data.append("pricing", shared.pricing.value);
      data.append("price", (shared.price && shared.price.value) || "0");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.api);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) row.progress.value = Math.round((100 * e.loaded) / e.total);
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 201) {
          row.progress.value = 100;
          row.status.textContent = T.queued;
          poll(row, body.api_url);
        } else {
          row.row.dataset.status = "failed";
          row.status.textContent = `${T.error}${T.colon}${body.detail || xhr.status}`;
          if (body.original_url) {  // an exact copy: link to the original
            row.status.append(" ", el("a", { href: body.original_url, text: T.original }));
          }
        }
        resolve();
      };
      xhr.onerror = () => {
        row.row.dataset.status = "failed";
        row.status.textContent = T.error;
        resolve();
      };
      row.status.textContent = T.uploading;
      row.row.dataset.status = "uploading";
      xhr.send(data);
    });
  }

  function poll(row, url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((doc) => {
        row.status.textContent = T[doc.status] || doc.status;
        row.row.dataset.status = doc.status;
        if (doc.status !== "queued" && doc.status !== "processing") {
          // Ready, failed, or decided by the review (held, rejected): say why.
          const reason = doc.failure_reason || doc.review_reason;
          if (reason) row.status.textContent += `: ${reason}`;
          row.status.append(" ", el("a", { href: doc.url, text: T.open }));
        } else {
          setTimeout(() => poll(row, url), 1000);
        }
      })
      .catch(() => setTimeout(() => poll(row, url), 3000));
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  ["category", "tags"].forEach((name) => {
    shared[name].addEventListener("input", follow);
    shared[name].addEventListener("change", follow);
  });
  [shared.pricing, shared.price].forEach((control) => {
    if (!control) return;
    control.addEventListener("input", () => { showPrice(); rows.forEach(describe); });
    control.addEventListener("change", () => { showPrice(); rows.forEach(describe); });
  });
  showPrice();

  // The drop zone is the file picker: the whole zone opens it (the browser's own
  // "Choose Files" button, worded in the browser's language, is hidden but keeps focus).
  zone.classList.add("enhanced");
  zone.addEventListener("click", (event) => { if (event.target === zone) input.click(); });

  // The drop zone: files dropped anywhere on it are added like chosen ones.
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const queue = rows.filter((r) => !r.row.dataset.status);
    if (!queue.length) { input.click(); return; }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    // Two uploads at a time: fast on a good line, fair on a slow one.
    const lanes = [0, 1].map(async () => {
      while (queue.length) await send(queue.shift());
    });
    await Promise.all(lanes);
    button.disabled = false;
  });
})();
