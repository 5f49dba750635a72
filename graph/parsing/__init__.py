"""Cell page text → `Cell` records (knows nothing of RDF)."""
