// Upload page enhancement: one editable row per chosen file, per-file progress,
// then the document's processing status until it is ready or failed.
// Without JavaScript the same form posts all files with shared details.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const input = form.querySelector('input[type="file"]');
  const list = document.getElementById("file-list");
  const categories = JSON.parse(document.getElementById("categories").textContent);
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  const T = (document.documentElement.lang || "").startsWith("zh")
    ? { title: "标题", description: "简介", category: "分类", tags: "标签（逗号分隔）", none: "（无）",
        waiting: "等待上传", uploading: "上传中", queued: "排队中", processing: "处理中",
        ready: "已完成", failed: "失败", open: "查看", remove: "移除", error: "上传失败",
        held: "待审核", rejected: "未发布", original: "原文档" }
    : { title: "Title", description: "Description", category: "Category", tags: "Tags (comma-separated)",
        none: "(none)", waiting: "Waiting", uploading: "Uploading", queued: "Queued",
        processing: "Processing", ready: "Ready", failed: "Failed", open: "Open", remove: "Remove",
        error: "Upload failed", held: "Awaiting review", rejected: "Not published",
        original: "the original" };
  let rows = [];

  // The shared title/description make no sense per file once rows exist.
  for (const name of ["title", "description"]) {
    const field = form.querySelector(`[name="${name}"]`);
    if (field && field.closest("div")) field.closest("div").hidden = true;
  }

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

  function render() {
    list.replaceChildren();
    const defaultCategory = form.querySelector('[name="category"]').value;
    const defaultTags = form.querySelector('[name="tags"]').value;
    rows = Array.from(input.files).map((file, i) => {
      const stem = file.name.replace(/\.[^.]+$/, "");
      const title = el("input", { type: "text", maxlength: "200", value: stem, name: `title-${i}` });
      const description = el("textarea", { rows: "2", maxlength: "5000", name: `description-${i}` });
      const category = el("select", { name: `category-${i}` }, [el("option", { value: "", text: T.none })]);
      categories.forEach((c) => {
        const option = el("option", { value: String(c.id), text: c.name });
        if (String(c.id) === defaultCategory) option.selected = true;
        category.appendChild(option);
      });
      const tags = el("input", { type: "text", maxlength: "400", value: defaultTags, name: `tags-${i}` });
      const progress = el("progress", { max: "100", value: "0" });
      const status = el("span", { class: "status", text: T.waiting });
      const row = el("fieldset", { class: "file-row" }, [
        el("legend", { text: `${file.name} (${(file.size / 1048576).toFixed(2)} MB)` }),
        field(T.title, title), field(T.description, description),
        field(T.category, category), field(T.tags, tags),
        el("div", { class: "progress-line" }, [progress, status]),
      ]);
      list.appendChild(row);
      return { file, title, description, category, tags, progress, status, row };
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
          const link = el("a", { href: doc.url, text: T.open });
          row.status.append(" ", link);
        } else {
          setTimeout(() => poll(row, url), 1000);
        }
      })
      .catch(() => setTimeout(() => poll(row, url), 3000));
  }

  function send(row) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("file", row.file);
      data.append("title", row.title.value);
      data.append("description", row.description.value);
      data.append("category", row.category.value);
      data.append("tags", row.tags.value);
      // The download rules chosen above apply to every file of this upload.
      const pricing = form.querySelector('[name="pricing"]');
      const price = form.querySelector('[name="price"]');
      const preview = form.querySelector('[name="preview_pages"]');
      if (preview && preview.value) data.append("preview_pages", preview.value);
      if (pricing) data.append("pricing", pricing.value);
      if (price) data.append("price", price.value || "0");
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
          row.status.textContent = `${T.error}: ${body.detail || xhr.status}`;
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
      xhr.send(data);
    });
  }

  input.addEventListener("change", render);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!rows.length) render();
    const queue = rows.slice();
    form.querySelector('button[type="submit"]').disabled = true;
    // Two uploads at a time: fast on a good line, fair on a slow one.
    const lanes = [0, 1].map(async () => {
      while (queue.length) await send(queue.shift());
    });
    await Promise.all(lanes);
    input.value = "";
    form.querySelector('button[type="submit"]').disabled = false;
  });
})();
