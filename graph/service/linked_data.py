"""The resource pages and the service description of `serve`, as Starlette routes.

The answers come from `graph.reading.resource` (framework-independent: path + Accept → status,
headers, body); this module only adapts them to HTTP. The graph is read on the first request.
"""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..reading import resource


class LinkedData:
    """Resource pages at ``/id/…``, ``/ontology`` and ``/ontology/<Term>``; the service
    description of ``/sparql``."""

    def __init__(self, graph: str | Path, base: str, data_dir: Path | None) -> None:
        self.graph = graph
        self.base = base
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._resources: resource.Resources | None = None

    def resources(self) -> resource.Resources:
        with self._lock:
            if self._resources is None:
                from ..reading.load import load_dataset

                dataset = load_dataset(self.graph)
                self._resources = resource.Resources(dataset, self.base, self.data_dir)
            return self._resources

    def page(self, request: Request) -> Response:
        """A resource by content negotiation (runs in Starlette's thread pool)."""
        answer = self.resources().respond(request.url.path, request.headers.get("accept"))
        return _response(answer)

    def describe(self, request: Request) -> Response:
        """The SPARQL 1.1 Service Description of the endpoint this request reached."""
        from ..rdf.describe import DATASET

        ds = self.resources().ds
        graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
        graphs = {name: n for name, n in graphs.items() if name.startswith("http")}
        endpoint = str(request.url.replace(query="", fragment=""))
        answer = resource.service_description(
            endpoint, graphs, request.headers.get("accept"), dataset=str(DATASET)
        )
        return _response(answer)

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "HEAD"]
        return [
            Route("/ontology", self.page, methods=methods, name="ontology"),
            Route("/ontology/{term}", self.page, methods=methods, name="ontology-term"),
            Route("/id/{key:path}", self.page, methods=methods, name="resource"),
        ]


def _response(answer: resource.Response) -> Response:
    headers = dict(answer.headers)
    media_type = headers.pop("Content-Type", "application/octet-stream")
    return Response(answer.body, status_code=answer.status, headers=headers, media_type=media_type)
