// The site's SPARQL page: Oxigraph (WebAssembly, bundled in oxigraph.js) holding the
// whole dataset (bundled in data.js), and YASGUI (yasgui.min.js) as its editor and
// results view. YASGUI sends its queries with fetch() to a pseudo-endpoint; this script
// answers those requests itself, from the in-page store, so nothing leaves the page and
// it works from any static host and from file:// (where fetching local files is refused:
// that is why the engine and the data are scripts rather than files fetched at run time).
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  // Never fetched: requests to it are answered below.
  const ENDPOINT = new URL("in-browser-sparql", location.href.split(/[?#]/)[0]).href;
  const prefixes = config.prefixes;

  function status(text, isError) {
    $("status").textContent = text;
    $("status").classList.toggle("error", !!isError);
  }

  function bytesOf(base64) {
    const bin = atob(base64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function gunzip(base64) {
    const stream = new Blob([bytesOf(base64)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // The prefixes a query uses but does not declare, declared for it (as `kgraph query` does).
  function withPrefixes(text) {
    const declared = new Set([...text.matchAll(/PREFIX\s+([\w-]*):/gi)].map((m) => m[1]));
    const used = new Set([...text.replace(/<[^>\s]*>|"[^"\n]*"|#[^\n]*/g, " ")
      .matchAll(/(?:^|[\s(,;\/^!|])([a-z][\w-]*):/gi)].map((m) => m[1]));
    const lines = [...used].filter((p) => p in prefixes && !declared.has(p)).sort()
      .map((p) => "PREFIX " + p + ": <" + prefixes[p] + ">");
    return lines.length ? lines.join("\n") + "\n" + text : text;
  }

  const started = performance.now();
  const ready = (async () => {
    const wasm = await gunzip(window.KGRAPH_OXIGRAPH_WASM);
    await oxigraph.init({ module_or_path: wasm });
    const store = new oxigraph.Store();
    const nquads = new TextDecoder().decode(await gunzip(window.KGRAPH_DATA));
    store.load(nquads, { format: "application/n-quads" });
    return store;
  })();

  const RESULTS = ["application/sparql-results+json", "application/sparql-results+xml",
    "text/csv", "text/tab-separated-values"];
  const GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"];

  // The query's form: its first SELECT, ASK, CONSTRUCT or DESCRIBE outside comments,
  // IRIs and strings.
  function form(text) {
    const bare = text.replace(/<[^<>"{}|^`\\\s]*>|"""[\s\S]*?"""|'\'\'[\s\S]*?'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*/g, " ");
    const m = bare.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return m ? m[1].toUpperCase() : "SELECT";
  }

  // Run a query on the in-page store: {type, text} in the format asked for (SPARQL JSON
  // results for SELECT and ASK, Turtle for CONSTRUCT and DESCRIBE unless told otherwise).
  async function run(query, accept) {
    const store = await ready;
    const wanted = (accept || "").split(",").map((s) => s.split(";")[0].trim());
    const offers = form(query) === "SELECT" || form(query) === "ASK" ? RESULTS : GRAPHS;
    const type = wanted.find((t) => offers.includes(t)) || offers[0];
    const options = { use_default_graph_as_union: true, results_format: type };
    return { type, text: store.query(withPrefixes(query), options) };
  }

  // YASGUI's requests to ENDPOINT, answered from the store; any other fetch goes out as usual.
  const realFetch = window.fetch.bind(window);
  window.fetch = async function (input, init) {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url || url.split(/[?#]/)[0] !== ENDPOINT) return realFetch(input, init);
    const request = new Request(input, init);
    const params = request.method === "POST"
      ? new URLSearchParams(await request.text()) : new URL(request.url).searchParams;
    const query = params.get("query");
    if (!query) return new Response("no query\n", { status: 400, headers: { "Content-Type": "text/plain" } });
    try {
      const answer = await run(query, request.headers.get("Accept"));
      return new Response(answer.text, { status: 200, headers: { "Content-Type": answer.type } });
    } catch (e) {
      return new Response(String(e && e.message ? e.message : e) + "\n",
        { status: 400, statusText: "Bad Request", headers: { "Content-Type": "text/plain" } });
    }
  };

  // --- A results table that shows labels (English, Japanese or Korean) instead of IRIs ----------
  const SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const stored = (() => { try { return localStorage.getItem("kgraph-lang"); } catch (e) { return null; } })();
  let lang = stored === null ? "en" : stored;
  $("lang").value = lang;
  const known = new Map(); // IRI -> [{value, lang, pref}]

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function bestLabel(iri) {
    if (!lang) return null;
    const labels = known.get(iri);
    if (!labels || !labels.length) return null;
    const rank = (l) => (l.lang === lang ? 0 : l.lang === "en" ? 2 : 4) + (l.pref ? 0 : 1);
    return labels.slice().sort((a, b) => rank(a) - rank(b) || (a.value < b.value ? -1 : 1))[0].value;
  }

  async function lookUpLabels(iris) {
    const store = await ready;
    const missing = [...new Set(iris)].filter((i) => !known.has(i) && !/[<>"{}|^`\\\s]/.test(i));
    for (let i = 0; i < missing.length; i += 500) {
      const batch = missing.slice(i, i + 500);
      batch.forEach((iri) => known.set(iri, []));
      const query = "SELECT ?s ?p ?l WHERE { VALUES ?s { " + batch.map((u) => "<" + u + ">").join(" ") +
        " } VALUES ?p { <" + SKOS_PREF + "> <" + RDFS_LABEL + "> } ?s ?p ?l }";
      for (const row of store.query(query, { use_default_graph_as_union: true })) {
        const l = row.get("l");
        known.get(row.get("s").value).push({ value: l.value, lang: l.language || "", pref: row.get("p").value === SKOS_PREF });
      }
    }
  }

  const Table = Yasgui.Yasr.plugins.table;

  class LabelledTable extends Table {
    constructor(yasr) {
      super(yasr);
      this.label = "Table";
      this.priority = 20;
    }

    getUriLinkFromBinding(binding, prefixes) {
      const label = bestLabel(binding.value);
      if (label === null) return super.getUriLinkFromBinding(binding, prefixes);
      let short = binding.value;
      for (const [p, ns] of Object.entries(prefixes || {})) {
        if (short.startsWith(ns)) { short = p + ":" + short.slice(ns.length); break; }
      }
      return "<a class='iri labelled' target='_blank' rel='noopener noreferrer' title='" +
        escapeHtml(short) + "' href='" + escapeHtml(binding.value) + "'>" + escapeHtml(label) + "</a>";
    }

    getColumns() {
      const columns = super.getColumns();
      for (const column of columns.slice(1)) {
        const render = column.render;
        column.render = (term, kind, row, meta) => {
          if (term && term.type === "uri" && (kind === "sort" || kind === "filter" || kind === "type")) {
            return bestLabel(term.value) || term.value;
          }
          return render(term, kind, row, meta);
        };
      }
      return columns;
    }

    draw(persistentConfig) {
      const bindings = (this.yasr.results && this.yasr.results.getBindings()) || [];
      const iris = [];
      for (const b of bindings) for (const t of Object.values(b)) if (t && t.type === "uri") iris.push(t.value);
      return lookUpLabels(iris).catch((e) => console.warn("labels", e)).then(() => super.draw(persistentConfig));
    }
  }
  Yasgui.Yasr.registerPlugin("table", LabelledTable);

  Yasgui.Yasr.defaults.prefixes = prefixes;
  const yasgui = new Yasgui($("yasgui"), {
    requestConfig: {
      endpoint: ENDPOINT, method: "POST",
      acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle",
    },
    copyEndpointOnNewTab: false,
    persistenceId: null,   // the examples, not a stale tab from another copy of the site
    endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }], keys: [] },
    yasqe: { autocompleters: ["prefixes", "variables"], editorHeight: "260px" },
    yasr: { prefixes, defaultPlugin: "table", pluginOrder: ["table", "response"] },
  });

  const examples = $("examples");
  for (const q of config.queries) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.name + " — " + q.title;
    examples.appendChild(option);
  }

  function choose(name) {
    const q = config.queries.find((x) => x.name === name);
    if (!q) return;
    const tab = yasgui.getTab();
    tab.setQuery(withPrefixes(q.text));
    $("question").textContent = q.question;
  }

  examples.addEventListener("change", () => choose(examples.value));

  $("lang").addEventListener("change", () => {
    lang = $("lang").value;
    try { localStorage.setItem("kgraph-lang", lang); } catch (e) { /* private mode */ }
    const tab = yasgui.getTab();
    if (tab && tab.getYasr()) tab.getYasr().draw();
  });

  ready.then((store) => {
    const quads = store.size;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    status(quads.toLocaleString("en") + " statements loaded in " + seconds + " s: choose a named query or write your own.");
    document.body.dataset.ready = "1";
  }, (e) => {
    status("The engine could not start: " + (e && e.message ? e.message : e), true);
    document.body.dataset.ready = "error";
  });

  // For scripts and tests: the same answers YASGUI gets.
  window.kgraphSparql = {
    ready, yasgui, choose, bestLabel,
    select: async (query) => JSON.parse((await run(query, RESULTS[0])).text),
  };
})();
