// The query page of `kgraph serve`: YASGUI (vendored, static/yasgui.min.js) pointed at
// this server's /sparql, with the named queries as examples, a results table that shows
// labels (English, Japanese or Korean) instead of IRIs, and a link that brings the query
// back. Everything comes from this server; the page's policy forbids any other host.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("config").textContent);
  const endpoint = new URL("sparql", location.href.split(/[?#]/)[0]).href;
  const SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const $ = (id) => document.getElementById(id);
  const stored = (() => { try { return localStorage.getItem("kgraph-lang"); } catch (e) { return null; } })();
  let lang = stored === null ? "en" : stored;
  $("lang").value = lang;

  // --- Labels: every label of an IRI, fetched once in batches with VALUES -------------------
  const known = new Map(); // IRI -> [{value, lang, pref}]
  const asked = new Set();

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

  async function fetchLabels(iris) {
    const missing = [...new Set(iris)].filter((i) => !asked.has(i) && !/[<>"{}|^`\\\s]/.test(i));
    for (let i = 0; i < missing.length; i += 200) {
      const batch = missing.slice(i, i + 200);
      batch.forEach((iri) => asked.add(iri));
      const query = "SELECT ?s ?p ?l WHERE { VALUES ?s { " + batch.map((u) => "<" + u + ">").join(" ") +
        " } VALUES ?p { <" + SKOS_PREF + "> <" + RDFS_LABEL + "> } ?s ?p ?l }";
      try {
        const response = await fetch(endpoint, {
          method: "POST", body: new URLSearchParams({ query }),
          headers: { Accept: "application/sparql-results+json" },
        });
        if (!response.ok) continue;
        const doc = await response.json();
        for (const b of doc.results.bindings) {
          const list = known.get(b.s.value) || [];
          list.push({ value: b.l.value, lang: b.l["xml:lang"] || "", pref: b.p.value === SKOS_PREF });
          known.set(b.s.value, list);
        }
      } catch (e) {
        console.warn("labels", e);
      }
    }
  }

  // --- A results table that shows labels -------------------------------------------------------
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
      return fetchLabels(iris).then(() => super.draw(persistentConfig));
    }
  }
  Yasgui.Yasr.registerPlugin("table", LabelledTable);

  // --- YASGUI on this endpoint only -----------------------------------------------------------
  const prefixes = config.prefixes;

  function withPrefixes(text) {
    const declared = new Set([...text.matchAll(/PREFIX\s+([\w-]*):/gi)].map((m) => m[1]));
    const used = new Set([...text.replace(/<[^>\s]*>|"[^"\n]*"|#[^\n]*/g, " ")
      .matchAll(/(?:^|[\s(,;\/^!|])([a-z][\w-]*):/gi)].map((m) => m[1]));
    const lines = [...used].filter((p) => p in prefixes && !declared.has(p)).sort()
      .map((p) => "PREFIX " + p + ": <" + prefixes[p] + ">");
    return lines.length ? lines.join("\n") + "\n" + text : text;
  }

  Yasgui.Yasr.defaults.prefixes = prefixes;
  const yasgui = new Yasgui($("yasgui"), {
    requestConfig: {
      endpoint, method: "POST",
      acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle",
    },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
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

  function share() {
    const tab = yasgui.getTab();
    if (!tab) return;
    $("share").href = endpoint + "?" + new URLSearchParams({ query: tab.getQuery() }).toString();
  }

  examples.addEventListener("change", () => {
    const q = config.queries.find((x) => x.name === examples.value);
    if (!q) return;
    const tab = yasgui.getTab();
    tab.setQuery(withPrefixes(q.text));
    $("question").textContent = q.question;
    share();
  });

  $("lang").addEventListener("change", () => {
    lang = $("lang").value;
    try { localStorage.setItem("kgraph-lang", lang); } catch (e) { /* private mode */ }
    const tab = yasgui.getTab();
    if (tab && tab.getYasr()) tab.getYasr().draw();
  });

  yasgui.on("query", share);
  yasgui.on("tabChange", share);
  share();
  window.setInterval(share, 1000); // the editor's text changes as the user types
})();
