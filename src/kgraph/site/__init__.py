"""The static site: a page for every resource, the ontology, class indexes,
the network page, the rendered notebooks, the codebook, the dump and the
in-browser SPARQL page, written by ``kgraph site --out DIR``.

The layout (a contract with ``kgraph serve``'s content negotiation and the
dump's DCAT description; see :mod:`kgraph.site.layout`):

- ``id/<type>/<local>.html`` and ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf`` for
  the resource ``https://w3id.org/defdip/id/<type>/<local>``;
- ``ontology/index.html`` with an anchor ``#Term`` per ontology term, the
  ontology beside it as ``ontology.ttl|.nt|.jsonld|.rdf``;
- ``index.html`` (home), ``class/<Class>.html``, ``network/index.html``,
  ``notebooks/<name>.html``, ``codebook/``, ``dump/``, ``sparql/index.html``.

Every link is relative, so the site works from any host path and from file://.
"""
