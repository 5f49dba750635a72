"""SPARQL over a built graph: named queries, the read-only endpoint, Graph Store upload."""
