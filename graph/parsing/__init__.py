"""Cell page text → `Cell` records (knows nothing of RDF): `parse_file`, `parse_text`, and their
JSON and readable forms `cell_to_json`, `describe_cell`."""

from .output import cell_to_json, describe_cell
from .page import parse_file, parse_text

__all__ = ["cell_to_json", "describe_cell", "parse_file", "parse_text"]
