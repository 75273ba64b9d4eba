// attrib serve: the page's behaviour. Same-origin, no framework, no network calls of its own.
// Article text only ever reaches the page through textContent (never innerHTML); the report
// itself is rendered and escaped by the server, and the data arrive as a JSON block.
"use strict";

(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // ---------------------------------------------------------------- progress while the server works
  // The forms post normally (they work without this script); the page says what it is waiting for.

  function sentenceCount(text) {
    if (window.Intl && Intl.Segmenter) {
      let n = 0;
      for (const part of new Intl.Segmenter("en", { granularity: "sentence" }).segment(text)) {
        if (part.segment.trim()) n += 1;
      }
      return n;
    }
    return text.split(/[.!?]+\s+|\n+/).filter((s) => s.trim()).length;
  }

  function kilobytes(bytes) {
    return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} kB`;
  }

  const status = $("#status");
  const statusText = $("#status-text");
  let busy = false;

  function setBusy(message) {
    busy = Boolean(message);
    status.classList.toggle("busy", busy);
    statusText.textContent = message || "";
    $("#app").setAttribute("aria-busy", busy ? "true" : "false");
    for (const button of $$("form[data-kind] button")) button.setAttribute("aria-disabled", String(busy));
  }

  for (const form of $$("form[data-kind]")) {
    form.addEventListener("submit", (event) => {
      if (busy) {
        event.preventDefault(); // one analysis at a time from this page
        return;
      }
      const kind = form.dataset.kind;
      let message = "Analysing…";
      if (kind === "text") {
        const text = $("textarea", form).value;
        const n = sentenceCount(text);
        if (n) message = `Analysing ${n} sentence${n === 1 ? "" : "s"}…`;
      } else if (kind === "file") {
        const file = $("input[type=file]", form).files[0];
        if (file) message = `Analysing ${file.name} (${kilobytes(file.size)})…`;
      } else {
        message = `Fetching ${$("input", form).value.trim()} and analysing it…`;
      }
      $("#error").hidden = true;
      setBusy(message);
    });
  }
  // Back/forward restores a page from the cache with its old state: clear the spinner.
  window.addEventListener("pageshow", () => setBusy(""));

  const error = $("#error");
  if (!error.hidden && error.textContent.trim()) error.focus();

  // ---------------------------------------------------------------- the report
  const dataBlock = $("#report-data");
  if (!dataBlock) return;
  const report = JSON.parse(dataBlock.textContent);
  const sentences = report.sentences;
  const titles = report.titles;
  const badges = report.badges;

  const article = $(".article");
  const marks = $$(".article .s[data-index]");
  const rows = $$("tr.row[data-index]");
  const byIndex = new Map(marks.map((m) => [Number(m.dataset.index), m]));
  const filterStatus = $("#filter-status");
  const detail = $("#detail");
  const detailBody = $("#detail-body");
  let current = null; // the sentence mark in the tab order (roving tabindex)

  // The filters (useless without this script, so hidden until now) go just above the article.
  const filters = $("#filters");
  const articleCard = article.closest("section");
  articleCard.insertBefore(filters, $(".legend", articleCard));
  filters.after($("#keys-help"));
  filters.hidden = false;
  $("#keys-help").hidden = false;
  detail.hidden = false;

  // ---- filters
  const checkboxes = $$("input[data-filter]");

  function visible(mark) {
    return !mark.hidden;
  }

  function applyFilters() {
    const shown = { attribution: new Set(), certainty: new Set() };
    for (const box of checkboxes) if (box.checked) shown[box.dataset.filter].add(box.value);
    let n = 0;
    for (const node of [...marks, ...rows]) {
      const keep = shown.attribution.has(node.dataset.attribution) && shown.certainty.has(node.dataset.certainty);
      node.hidden = !keep;
      node.classList.toggle("filtered", !keep);
      if (keep && node.classList.contains("s")) n += 1;
    }
    for (const paragraph of $$("p", article)) paragraph.hidden = !$(".s:not([hidden])", paragraph);
    filterStatus.textContent =
      n === marks.length ? `Showing all ${n} sentences.` : `Showing ${n} of ${marks.length} sentences.`;
    if (current && !visible(current)) setCurrent(marks.find(visible) || null);
  }

  for (const box of checkboxes) box.addEventListener("change", applyFilters);
  $("#show-all").addEventListener("click", () => {
    for (const box of checkboxes) box.checked = true;
    applyFilters();
  });

  // ---- sources: each name becomes a button that highlights the sentences resting on it
  const sourceButtons = [];

  function clearLinks() {
    for (const node of $$(".linked")) node.classList.remove("linked");
    for (const button of sourceButtons) button.setAttribute("aria-pressed", "false");
    article.classList.remove("has-links");
  }

  function highlightSource(button, indices, name) {
    const wasOn = button.getAttribute("aria-pressed") === "true";
    clearLinks();
    if (wasOn) {
      filterStatus.textContent = "No source highlighted.";
      return;
    }
    const wanted = new Set(indices.map(String));
    for (const node of [...marks, ...rows]) if (wanted.has(node.dataset.index)) node.classList.add("linked");
    button.setAttribute("aria-pressed", "true");
    article.classList.add("has-links");
    const hidden = marks.filter((m) => wanted.has(m.dataset.index) && !visible(m)).length;
    const count = `${indices.length} sentence${indices.length === 1 ? "" : "s"}`;
    filterStatus.textContent =
      `Highlighted ${count} resting on ${name}` + (hidden ? ` (${hidden} hidden by the filters).` : ".");
    const first = marks.find((m) => wanted.has(m.dataset.index) && visible(m));
    if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  for (const row of $$("tr.source[data-sentences]")) {
    const holder = $(".source-name", row);
    const name = holder.textContent;
    const indices = row.dataset.sentences.split(" ").filter(Boolean).map(Number);
    const button = el("button", name, "source-btn");
    button.type = "button";
    button.setAttribute("aria-pressed", "false");
    button.title = `Highlight the ${indices.length} sentence(s) resting on this source`;
    button.addEventListener("click", () => highlightSource(button, indices, name));
    holder.replaceChildren(button);
    sourceButtons.push(button);
  }

  // ---- the details of one sentence
  function spanTexts(text, spans) {
    return spans.map(([start, end]) => text.slice(start, end)).join(", ");
  }

  function chainText(chain) {
    return chain.map((hop) => (hop.source.trim() ? `[${hop.type}: ${hop.source}]` : `[${hop.type}]`)).join(" → ");
  }

  function probabilities(title, probs, names) {
    const box = el("div", null, "probs");
    box.append(el("h4", title));
    for (const [label, p] of Object.entries(probs).sort((a, b) => b[1] - a[1])) {
      const line = el("div", null, "prob");
      const id = `prob-${title}-${label}`.replace(/\W+/g, "-");
      const name = el("label", names ? names[label] || label : label);
      name.htmlFor = id;
      const meter = el("meter");
      meter.id = id;
      meter.min = 0;
      meter.max = 1;
      meter.value = p;
      line.append(name, meter, el("span", `${Math.round(p * 100)}%`, "pct"));
      box.append(line);
    }
    return box;
  }

  function showDetail(index) {
    const s = sentences[index];
    const rests = report.profile.sources.filter((src) => src.sentences.includes(index)).map((src) => src.name);
    const facts = [
      ["Attribution", titles[s.attribution]],
      ["Certainty", `${s.certainty} (score ${s.certainty_score.toFixed(2)})`],
      ["Source", spanTexts(s.text, s.source_char_spans)],
      ["Cue", spanTexts(s.text, s.cue_char_spans)],
      ["Hedges", spanTexts(s.text, s.hedge_char_spans)],
      ["Chain", chainText(s.chain)],
      ["Rests on", rests.join(", ")],
    ];
    const heading = el("h3", `Sentence ${index + 1} of ${sentences.length} `);
    if (badges[s.attribution]) {
      const badge = el("span", badges[s.attribution], `badge ${s.attribution}`);
      badge.setAttribute("aria-hidden", "true");
      heading.append(badge);
    }
    const list = el("dl");
    for (const [term, value] of facts) list.append(el("dt", term), el("dd", value || "–"));
    detailBody.replaceChildren(
      heading,
      el("blockquote", s.text),
      list,
      probabilities("Attribution", s.attribution_probs, titles),
      probabilities("Certainty", s.certainty_probs, null),
    );
    detail.dataset.index = String(index);
  }

  function setCurrent(mark) {
    if (current) current.tabIndex = -1;
    current = mark;
    if (mark) mark.tabIndex = 0;
  }

  function select(mark, { open = false, focusPanel = false } = {}) {
    for (const m of $$(".s.selected", article)) m.classList.remove("selected");
    mark.classList.add("selected");
    setCurrent(mark);
    showDetail(Number(mark.dataset.index));
    if (open) detail.classList.add("open"); // the bottom sheet on narrow screens
    if (focusPanel) $("#detail-h").focus();
  }

  // Roving tabindex: the article is one Tab stop; the arrow keys move between its sentences.
  for (const mark of marks) {
    mark.tabIndex = -1;
    mark.addEventListener("click", () => {
      select(mark, { open: true });
      mark.focus();
    });
    mark.addEventListener("focus", () => select(mark));
  }
  setCurrent(marks[0] || null);

  article.addEventListener("keydown", (event) => {
    const mark = event.target.closest(".s[data-index]");
    if (!mark) return;
    const shown = marks.filter(visible);
    const at = shown.indexOf(mark);
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = shown[at + 1];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = shown[at - 1];
    else if (event.key === "Home") next = shown[0];
    else if (event.key === "End") next = shown[shown.length - 1];
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(mark, { open: true, focusPanel: true });
      return;
    } else if (event.key === "Escape") {
      clearLinks();
      detail.classList.remove("open");
      return;
    } else return;
    event.preventDefault();
    if (next) next.focus();
  });

  function closeDetail() {
    detail.classList.remove("open");
    const back = detail.dataset.index !== undefined ? byIndex.get(Number(detail.dataset.index)) : null;
    if (back) back.focus();
  }

  $("#detail-close").addEventListener("click", closeDetail);
  detail.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeDetail();
  });

  applyFilters();
})();
