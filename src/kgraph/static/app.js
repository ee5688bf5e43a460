// The query page of `kgraph serve`: runs SPARQL against /sparql with fetch() and
// renders the results. Everything comes from this server; no other host is contacted.
"use strict";

const $ = (id) => document.getElementById(id);
let prefixes = {};

function shorten(iri) {
  if ($("iris").checked) return iri;
  let best = null;
  for (const [p, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns) && (best === null || ns.length > prefixes[best].length)) best = p;
  }
  return best === null ? "<" + iri + ">" : best + ":" + iri.slice(prefixes[best].length);
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const span = document.createElement("span");
    span.className = "iri";
    span.textContent = shorten(term.value);
    span.title = term.value;
    td.appendChild(span);
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.textContent = term.value;
    if (term.datatype) {
      td.title = shorten(term.datatype);
      if (/#(integer|decimal|double|float|int|long|nonNegativeInteger)$/.test(term.datatype)) td.className = "num";
    }
    if (term["xml:lang"]) {
      const lang = document.createElement("span");
      lang.className = "lang";
      lang.textContent = "@" + term["xml:lang"];
      td.appendChild(lang);
    }
  }
  return td;
}

function table(json) {
  const vars = json.head.vars || [];
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const b of json.results.bindings) {
    const tr = body.insertRow();
    for (const v of vars) tr.appendChild(cell(b[v]));
  }
  return t;
}

function show(node) {
  const out = $("results");
  out.replaceChildren(node);
}

function pre(text, isError) {
  const p = document.createElement("pre");
  p.textContent = text;
  if (isError) p.className = "error";
  return p;
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function run() {
  const query = $("query").value;
  $("run").disabled = true;
  status("running…", false);
  const started = performance.now();
  try {
    const resp = await fetch("sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: query,
    });
    const ms = Math.round(performance.now() - started);
    const type = resp.headers.get("Content-Type") || "";
    if (!resp.ok) {
      show(pre(await resp.text(), true));
      status("error " + resp.status + " (" + ms + " ms)", true);
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const json = await resp.json();
      if ("boolean" in json) {
        show(pre(String(json.boolean), false));
        status("ASK answered in " + ms + " ms", false);
      } else {
        show(table(json));
        const n = json.results.bindings.length;
        let msg = n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms";
        if (resp.headers.get("X-Kgraph-Truncated") === "true") {
          msg += " (truncated to the server's limit of " + resp.headers.get("X-Kgraph-Result-Limit") + " rows)";
        }
        status(msg, false);
      }
    } else {
      show(pre(await resp.text(), false));
      status("graph (Turtle) in " + ms + " ms", false);
    }
  } catch (err) {
    show(pre(String(err), true));
    status("the server did not answer", true);
  } finally {
    $("run").disabled = false;
  }
}

async function init() {
  $("run").addEventListener("click", run);
  $("query").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  $("csv").addEventListener("click", (e) => {
    e.preventDefault();
    window.location.href = "sparql?format=csv&query=" + encodeURIComponent($("query").value);
  });
  try {
    prefixes = await (await fetch("prefixes")).json();
    const queries = await (await fetch("queries")).json();
    const select = $("named");
    for (const q of queries) {
      const opt = document.createElement("option");
      opt.value = q.name;
      opt.textContent = q.name + (q.title && q.title !== q.name ? " — " + q.title : "");
      select.appendChild(opt);
    }
    select.addEventListener("change", () => {
      const q = queries.find((x) => x.name === select.value);
      $("question").textContent = q ? q.question : "";
      if (q) $("query").value = q.text;
    });
  } catch (err) {
    status("could not load the named queries: " + err, true);
  }
  $("iris").addEventListener("change", () => { if ($("results").querySelector("table")) run(); });
}

document.addEventListener("DOMContentLoaded", init);
