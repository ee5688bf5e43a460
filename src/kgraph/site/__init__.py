"""The static site: a page and data files for every resource (``kgraph site``)."""
