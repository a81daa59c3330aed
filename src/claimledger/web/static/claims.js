// The claims table filters and pages in place through /api/claims. Without this script the form
// still works (the server filters). Text from the data is only ever set with textContent.
(function () {
  "use strict";
  var form = document.getElementById("claim-filter");
  var table = document.getElementById("claims");
  if (!form || !table || !window.fetch || !window.URLSearchParams) { return; }
  var tbody = table.querySelector("tbody");
  var total = document.getElementById("claims-total");
  var range = document.getElementById("claims-range");
  var pager = document.getElementById("claims-pager");
  var problems = document.getElementById("cl-problems");
  var limit = parseInt(table.getAttribute("data-limit"), 10) || 50;
  var serial = 0;
  var timer = null;

  function filters() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") { params.set(key, value.trim()); }
    });
    return params;
  }

  function fmt(n) {
    return typeof n === "number" ? n.toLocaleString("en-US", { maximumFractionDigits: 4 }) : "";
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text == null ? "" : String(text);
    tr.appendChild(td);
    return td;
  }

  function sentenceCell(tr, c) {
    var td = cell(tr, "", "cl-sentence");
    var s = c.sentence || c.surface || "";
    var a = c.sentence_start == null ? -1 : c.start - c.sentence_start;
    var b = c.sentence_start == null ? -1 : c.end - c.sentence_start;
    var mark = document.createElement("mark");
    mark.className = "cl-quoted";
    if (a >= 0 && b <= s.length && a <= b) {
      td.appendChild(document.createTextNode(s.slice(0, a)));
      mark.textContent = s.slice(a, b);
      td.appendChild(mark);
      td.appendChild(document.createTextNode(s.slice(b)));
    } else {
      mark.textContent = c.surface || "";
      td.appendChild(mark);
    }
  }

  function row(c) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-doc", c.doc_id);
    tr.setAttribute("data-start", String(c.start));
    var fig = cell(tr, "", "cl-fig");
    var a = document.createElement("a");
    a.href = c.href;
    a.textContent = c.surface;
    fig.appendChild(a);
    var value = c.value == null ? "" : (c.high == null ? fmt(c.value) : fmt(c.value) + " to " + fmt(c.high));
    cell(tr, value, "cl-num").title = c.qualifier || "";
    cell(tr, c.counted);
    cell(tr, c.event);
    cell(tr, c.speaker);
    cell(tr, c.location);
    cell(tr, c.outlet);
    cell(tr, c.published_date, "cl-date");
    sentenceCell(tr, c);
    return tr;
  }

  function showProblem(message) {
    problems.replaceChildren();
    if (message) {
      var p = document.createElement("p");
      p.textContent = message;
      problems.appendChild(p);
    }
    problems.hidden = !message;
  }

  function pageLink(label, page, rel, params) {
    var a = document.createElement("a");
    var q = new URLSearchParams(params);
    if (page > 1) { q.set("page", String(page)); }
    var qs = q.toString();
    a.href = "/" + (qs ? "?" + qs : "");
    a.rel = rel;
    a.setAttribute("data-page", String(page));
    a.textContent = label;
    return a;
  }

  function render(data, params, page) {
    var rows = document.createDocumentFragment();
    data.items.forEach(function (c) { rows.appendChild(row(c)); });
    tbody.replaceChildren(rows);
    total.textContent = String(data.total);
    range.textContent = data.items.length
      ? ", showing " + (data.offset + 1) + "–" + (data.offset + data.items.length) : "";
    var pages = Math.max(1, Math.ceil(data.total / limit));
    pager.replaceChildren();
    if (page > 1) { pager.appendChild(pageLink("← previous", page - 1, "prev", params)); }
    var span = document.createElement("span");
    span.className = "cl-page";
    span.textContent = "page " + page + " of " + pages;
    pager.appendChild(span);
    if (page < pages) { pager.appendChild(pageLink("next →", page + 1, "next", params)); }
    table.setAttribute("data-offset", String(data.offset));
  }

  function load(page) {
    var params = filters();
    var mine = ++serial;
    var api = new URLSearchParams(params);
    api.set("limit", String(limit));
    api.set("offset", String((page - 1) * limit));
    table.classList.add("cl-loading");
    fetch("/api/claims?" + api.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (mine !== serial) { return; }  // a newer request is on its way
        table.classList.remove("cl-loading");
        if (!res.ok) {
          showProblem(res.body && res.body.error ? res.body.error.message : "the request failed");
          return;
        }
        showProblem("");
        render(res.body, params, page);
        var q = new URLSearchParams(params);
        if (page > 1) { q.set("page", String(page)); }
        var qs = q.toString();
        history.replaceState(null, "", "/" + (qs ? "?" + qs : ""));
      })
      .catch(function () {
        if (mine !== serial) { return; }
        table.classList.remove("cl-loading");
        showProblem("the server did not answer; try again");
      });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); load(1); });
  form.addEventListener("change", function () { load(1); });
  form.addEventListener("input", function (e) {
    if (e.target && e.target.tagName === "INPUT") {
      clearTimeout(timer);
      timer = setTimeout(function () { load(1); }, 350);
    }
  });
  pager.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[data-page]") : null;
    if (!a) { return; }
    e.preventDefault();
    load(parseInt(a.getAttribute("data-page"), 10) || 1);
  });
}());
