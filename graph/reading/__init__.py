"""Reading a built graph: loading it, counting it, explaining a node."""
