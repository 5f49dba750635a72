"""Records → quads (the one place RDF is made), rdflib datasets, serializations, N-Quads lines."""
