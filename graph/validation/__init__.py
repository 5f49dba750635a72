"""SHACL validation: pyshacl for rdflib datasets, the shapes compiled to SPARQL for Oxigraph."""
