"""The claim drafter: proposes claims (status: draft) from the finding sentences of cell pages.

`draft(cells, …)` reads every annotation and commentary sentence, keeps those that state a finding
(cue lexicons in `cues.yaml`), and makes claims with verified quotes, documents, shapes and
polarities; `output.to_yaml` writes them as a claims file.
"""

from .drafter import TOOL_NAME, DraftResult, Finding, draft, find_findings, tool_label
from .output import to_json, to_yaml

__all__ = [
    "TOOL_NAME",
    "DraftResult",
    "Finding",
    "draft",
    "find_findings",
    "to_json",
    "to_yaml",
    "tool_label",
]
