"""The `evidence-graph` command line: parses arguments, calls library functions, explains errors.

Library modules are imported inside each command so that a quick command (`query`) does not pay for
importing everything (`rdflib`, `pyvis`, …) at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import DEFAULT_STORE, STORES
from .base.errors import EvidenceGraphError
from .base.files import TRIG_FILE

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_OUT = Path("build")
PASSWORD_ENV = "EVIDENCE_GRAPH_PASSWORD"
"""The environment variable `push` reads the server password from (never the command line)."""
DEFAULT_GRAPH = DEFAULT_OUT / TRIG_FILE


class _Group(click.Group):
    """A click group that turns the library's own exceptions into one clear message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvidenceGraphError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evidence-graph")
def cli() -> None:
    """Turn Effectiveness Bank evidence maps into a knowledge graph to query, explore and reuse.

    \b
    Quick start:
      evidence-graph build                 # data/ -> build/evidence.{trig,ttl,jsonld}
      evidence-graph query -n cell-contents -p cell=drug/B4
      evidence-graph viz -o build/evidence.html
    """


# Shared option bundles: one definition each, used by every command that takes the option.


def graph_option(func: F) -> F:
    """`-g/--graph PATH`: the built graph to read."""
    return click.option(
        "-g",
        "--graph",
        "graph_path",
        type=click.Path(path_type=Path, dir_okay=True),
        default=DEFAULT_GRAPH,
        show_default=True,
        help="Built graph to read (a .trig/.ttl/.nq file or a build directory).",
    )(func)


def output_option(func: F) -> F:
    """`-o/--output FILE`: where to write; stdout when absent."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False, writable=True),
        default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)


def data_option(what: str) -> Callable[[F], F]:
    """`--data DIR` (default ``data``): the data directory; `what` says what the command reads."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("data"),
        show_default=True,
        help=what,
    )


def memory_limit_option(func: F) -> F:
    """`--memory-limit MB`: the memory one query may take beyond the graph (0: no limit)."""
    return click.option(
        "--memory-limit",
        type=click.IntRange(min=0),
        default=4096,
        show_default=True,
        metavar="MB",
        help="Memory one query may use beyond the loaded graph; over it the query is stopped "
        "(0: no limit).",
    )(func)


def _write_bytes(data: bytes, output: Path | None) -> None:
    """`data` to `output` atomically, or to standard output."""
    if output is None:
        with click.open_file("-", "wb") as stdout:
            stdout.write(data)
        return
    from .base.files import atomic_write

    with atomic_write(output) as handle:
        handle.write(data)


# --- parse ---


@cli.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line (the parsed Cell records)."
)
@click.pass_context
def parse_command(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Parse cell pages and print what was read: entries, sections, references, problems.

    A file that cannot be read gets one error line; the others still parse, and the exit code is
    non-zero at the end.

    \b
    Example:
      evidence-graph parse data/cells/drug/B4.txt
      evidence-graph parse data/cells/drug/*.txt --json | jq .entries[0]
    """
    import json

    from .parsing import cell_to_json, describe_cell, parse_file

    failed = 0
    for path in files:
        try:
            cell = parse_file(path)
        except EvidenceGraphError as exc:
            failed += 1
            click.echo(f"Error: {exc}".replace("\n", " "), err=True)
            continue
        if as_json:
            click.echo(json.dumps(cell_to_json(cell), ensure_ascii=False))
        else:
            click.echo(describe_cell(cell))
    if failed:
        click.echo(f"Error: {failed} of {len(files)} file(s) could not be parsed", err=True)
        ctx.exit(1)


# --- draft ---


@cli.command("draft")
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@output_option
@data_option(
    "Data directory whose curated claims, concepts and discussion links to use (if present)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the drafts as one JSON object.")
def draft_command(
    pages: tuple[Path, ...], output: Path | None, data_dir: Path, as_json: bool
) -> None:
    """Propose claims from the finding sentences of cell pages, as a claims file of drafts.

    Every claim is marked `status: draft` with the drafting tool and version, a confidence and
    the cues that fired; every quote is verbatim and verified. Findings already quoted by the
    curated claims of --data are not drafted again. Review a draft, set `status: curated` and move
    it into DATA/claims/ to accept it.

    \b
    Examples:
      evidence-graph draft data/cells/drug/C4.txt -o drafts.yaml
      evidence-graph draft data/cells/drug/*.txt --json
    """
    from .curation.drafting import to_json, to_yaml
    from .parsing.page import parse_file
    from .pipeline.drafts import draft_pages

    for page in pages:
        if not page.is_file():
            raise click.ClickException(f"{page}: no such page")
    cells = [parse_file(page) for page in pages]
    result = draft_pages(cells, data_dir if data_dir.is_dir() else None)
    text = to_json(result, cells) + "\n" if as_json else to_yaml(result, cells)
    _write_bytes(text.encode("utf-8"), output)
    click.echo(
        f"{len(result.claims)} draft claims from {len(result.findings)} finding sentences of "
        f"{result.sentences} read ({result.covered} already curated, "
        f"{result.unattributed} without a document)" + (f"; wrote {output}" if output else ""),
        err=True,
    )


class _ProgressBars:
    """A click progress bar on stderr per build stage (on a terminal, for long work only)."""

    MIN_ITEMS = 20

    def __init__(self) -> None:
        self.stage = ""
        self.bar: Any = None
        self.shown = 0

    def __enter__(self) -> _ProgressBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def update(self, stage: str, done: int, total: int) -> None:
        """The build's progress callback: (stage, items done, items in all)."""
        import sys

        if stage != self.stage:
            self.close()
            self.stage, self.shown = stage, 0
            if sys.stderr.isatty() and total >= self.MIN_ITEMS:
                self.bar = click.progressbar(length=total, label=stage, file=sys.stderr)
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done


# --- build, validate, stats ---------------------------------------------------------


@cli.command()
@data_option(
    "Data directory: cells/<matrix>/<CELL>.txt, claims/*.yaml, concepts.ttl, matrices.yaml."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where to write evidence.trig, evidence.ttl, evidence.jsonld and summary.json.",
)
@click.option(
    "--store",
    type=click.Choice(list(STORES)),
    default=DEFAULT_STORE,
    show_default=True,
    help="oxigraph: fast, incremental, persisted store in OUT/store; memory: rdflib + pyshacl.",
)
@click.option(
    "--drafts",
    is_flag=True,
    help="Also draft claims from every page (status draft, one named graph per page, "
    "graph/drafts/<path>); nothing is written into the data directory.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for the per-page work (parse, tags, links, quads)  [default: all cores].",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0, max=86400),
    default=0,
    metavar="SECONDS",
    help="When another build is writing OUT, wait up to SECONDS for it  [default: stop at once].",
)
def build(
    data_dir: Path, out_dir: Path, store: str, drafts: bool, jobs: int | None, wait: float
) -> None:
    """Parse, curate, validate and write the graph (TriG, Turtle, JSON-LD, summary).

    \b
    Example:
      evidence-graph build --data data --out build
      evidence-graph build --data big-corpus --out big --jobs 4
      evidence-graph build --drafts
      evidence-graph build --wait 600
    """
    import time

    from .pipeline.build import build as run_build

    def waiting(pid: int | None) -> None:
        who = f"process {pid}" if pid is not None else "another process"
        click.echo(
            f"{out_dir}: another build ({who}) is writing here; waiting up to {wait:g} s…", err=True
        )

    start = time.perf_counter()
    with _ProgressBars() as bars:
        result = run_build(
            data_dir,
            out_dir,
            store=store,
            progress=bars.update,
            drafts=drafts,
            jobs=jobs,
            wait=wait,
            on_wait=waiting,
        )
    seconds = time.perf_counter() - start
    click.echo(result.render())
    click.echo(
        f"Built {result.triples} triples in {seconds:.2f} s "
        f"({result.triples / max(seconds, 1e-9):,.0f} triples/s, store: {store})",
        err=True,
    )


@cli.command()
@click.argument(
    "graph_path",
    metavar="[GRAPH]",
    required=False,
    type=click.Path(path_type=Path),
    default=DEFAULT_GRAPH,
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on claim lints too (quote = title, reused or short quote, unlisted document, "
    "evidence against the claim's polarity).",
)
@data_option("Data directory the graph was built from (to check text anchors against the sources).")
def validate(graph_path: Path, strict: bool, data_dir: Path) -> None:
    """Check a built graph against the SHACL shapes, lint its claims and check its text anchors
    against the sources; non-zero exit on a violation or an orphaned text selector (a source
    changed since the build), and with --strict on a claim lint.

    \b
    Example:
      evidence-graph validate build/evidence.trig
      evidence-graph validate build/evidence.trig --strict
    """
    from .reading.lints import graph_lints
    from .reading.load import load_dataset
    from .validation.anchors import orphaned_selectors
    from .validation.shacl import check

    dataset = load_dataset(graph_path)
    report = check(dataset)
    click.echo(report.render())
    found = graph_lints(dataset)
    kind = "error" if strict else "warning"
    for item in found:
        click.echo(f"claim lint {kind}: {item.render()}")
    click.echo(
        f"Claim lints: {len(found)}" + (" (errors with --strict)" if found and strict else "")
    )
    orphans = orphaned_selectors(dataset, data_dir) if data_dir.is_dir() else []
    for message in orphans:
        click.echo(message)
    if orphans:
        click.echo(f"{len(orphans)} orphaned text selector(s)")
    if not report.conforms or (strict and found) or orphans:
        raise SystemExit(1)


@cli.command()
@click.argument(
    "graph_path",
    metavar="[GRAPH]",
    required=False,
    type=click.Path(path_type=Path),
    default=DEFAULT_GRAPH,
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def stats(graph_path: Path, as_json: bool) -> None:
    """Count the nodes of each class and the edges of each relation of a built graph.

    \b
    Example:
      evidence-graph stats build/evidence.trig
    """
    import json

    from .reading.load import load_dataset
    from .reading.stats import compute, render

    dataset = load_dataset(graph_path)
    result = compute(dataset)
    # Network analytics of the projection: a separate section after the counts.
    from .explore.analytics import analyse
    from .explore.analytics import render as render_analytics
    from .explore.projection import project

    analytics = analyse(project(dataset))
    if as_json:
        click.echo(json.dumps({**result.as_dict(), "analytics": analytics.as_dict()}, indent=2))
    else:
        click.echo(render(result) + "\n\n" + render_analytics(analytics))


# --- query, serve, push ---


@cli.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the SPARQL query from FILE.",
)
@click.option("-n", "--name", help="Run a named query shipped with the package (see --list).")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Bind ?KEY to VALUE as an RDF term (repeatable); never pasted into the text.",
)
@click.option(
    "--format",
    "result_format",
    default=None,
    help="Result format: table, csv, tsv, json (SPARQL JSON) or xml (any case); default: "
    "from -o FILE's suffix (.csv .tsv .json .xml .txt; .ttl .nt .jsonld .rdf for CONSTRUCT), "
    "else table.",
)
@click.option(
    "--width",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Cut table cells longer than this many characters (0: never cut).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Stop a query that runs longer (its process is ended at once).",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@memory_limit_option
@graph_option
@output_option
def query(
    sparql: str | None,
    query_file: Path | None,
    name: str | None,
    params: tuple[str, ...],
    result_format: str | None,
    width: int,
    timeout: float | None,
    list_queries: bool,
    memory_limit: int,
    graph_path: Path,
    output: Path | None,
) -> None:
    """Run a SPARQL query (text, -f FILE or a named query -n NAME) on the built graph.

    A parameter given twice (-p cell=drug/B3 -p cell=drug/B4) binds several values.

    \b
    Examples:
      evidence-graph query --list
      evidence-graph query -n cell-contents -p cell=drug/B4 -o b4.csv
      evidence-graph query -n cell-contents -p cell=drug/B3 -p cell=drug/B4 --width 0
      evidence-graph query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from .service import sparql as sp
    from .service.pool import run_isolated

    if list_queries:
        click.echo(_named_query_list(sp.named_queries().values()), nl=False)
        return
    given = [x for x in (sparql, query_file, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a SPARQL query, -f FILE, -n NAME (or --list)")
    values = sp.parse_param_pairs(params)
    named = sp.get_named_query(name) if name is not None else None
    if named is not None:
        text = named.text
        sp.bind_params(text, values, named.params)  # bad or missing parameters: before loading
    else:
        if query_file is not None:
            try:
                sparql = query_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise click.ClickException(f"{query_file}: cannot read: {exc.strerror}") from exc
            except UnicodeDecodeError as exc:
                raise click.ClickException(
                    f"{query_file}: not UTF-8 text (byte {exc.start}); save the query as UTF-8"
                ) from exc
        assert sparql is not None
        text = sp.with_prefixes(sparql)
    graph_media_type = "text/turtle"
    if result_format is None:
        result_format = "table"
        if output is not None:
            chosen = sp.format_for_suffix(output, text)
            if sp.is_graph_query(text):
                graph_media_type = chosen
            else:
                result_format = chosen
    result_format = result_format.lower()
    if result_format not in sp.RESULT_FORMATS:
        from .base.errors import UnknownFormat

        raise UnknownFormat(result_format, sp.RESULT_FORMATS)
    from .base.files import resolve_graph_path

    resolve_graph_path(graph_path)  # a missing graph: its own message and hint
    if (named is not None and values) or sp.is_select_star(text):
        # Checking values and spelling out SELECT * ask the graph our own small queries.
        from .service.guard import check_query

        check_query(text)  # nothing refused by the guard runs in this process
        store = sp.open_store(graph_path)
        if named is not None:
            sp.check_params(store, named, values)
        text = sp.keep_star_order(store, text)
        del store
    if named is not None or values:
        text = sp.bind_params(text, values, named.params if named is not None else None)
    answer = run_isolated(
        graph_path,
        text,
        result_format=result_format,
        graph_media_type=graph_media_type,
        timeout=timeout,
        memory_limit_mb=memory_limit or None,
        width=width,
    )
    _write_bytes(answer.body, output)


def _named_query_list(queries: Iterable[Any]) -> str:
    """`query --list`: one line per query (name, tab, description), then its parameters."""
    lines = []
    for named in queries:
        lines.append(f"{named.name}\t{named.description}")
        for p in named.params:
            default = f" (default {p.default})" if p.default is not None else ""
            example = f"-p {p.name}={p.example}" if p.example else f"-p {p.name}=VALUE"
            lines.append(f"    {example:<40} {p.description}{default}")
    lines.append("")
    lines.append("Give a parameter twice to bind several values: -p cell=drug/B3 -p cell=drug/B4.")
    return "\n".join(lines) + "\n"


@cli.command()
@graph_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (loopback by default; the endpoint is read-only).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0: any free port; the URL is printed).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest time one query may run; its worker is then stopped and replaced.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Query worker processes, each holding the graph in memory [default: four per core, at "
    "most 8, and no more than a quarter of the available memory holds; at least 2].",
)
@memory_limit_option
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Web origin allowed to read answers (repeatable; default: any, as SPARQL endpoints "
    "usually allow; 'none' turns CORS off).",
)
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Host header value answered (repeatable; default: loopback names when listening on "
    "loopback, which stops DNS rebinding; '*' for any).",
)
@click.option(
    "--client-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time a client may take to send its request head, and again its body.",
)
@click.option(
    "--cache-mb",
    type=click.IntRange(min=0),
    default=64,
    show_default=True,
    metavar="MB",
    help="Keep answers already given, up to MB of them (the graph is read-only; 0: no cache).",
)
@click.option("--quiet", is_flag=True, help="No access log.")
@click.option(
    "--base",
    default="https://w3id.org/evidence-graph/",
    show_default=True,
    help="The IRI the server's root stands for: <BASE>id/… is served at /id/….",
)
@data_option("Data directory the graph was built from (resource pages quote the source lines).")
def serve(
    graph_path: Path,
    host: str,
    port: int,
    timeout: float,
    workers: int | None,
    memory_limit: int,
    cors_origins: tuple[str, ...],
    allowed_hosts: tuple[str, ...],
    client_timeout: float,
    cache_mb: int,
    quiet: bool,
    base: str,
    data_dir: Path,
) -> None:
    """Serve the graph read-only: SPARQL at /sparql, resource pages at /id/…, a query page at /.

    \b
    Example:
      evidence-graph serve --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3' \\
           http://127.0.0.1:8000/sparql
      curl -H 'Accept: text/turtle' http://127.0.0.1:8000/id/cell/drug/B4
    """
    from .base.files import resolve_graph_path
    from .service.serve import ServeSettings, is_loopback
    from .service.serve import serve as run_server

    resolve_graph_path(graph_path)  # a missing graph: one message before anything starts
    origins = () if "none" in cors_origins else (cors_origins or ("*",))
    settings = ServeSettings(
        graph=graph_path,
        host=host,
        port=port,
        timeout=timeout,
        workers=workers,
        memory_limit_mb=memory_limit or None,
        cors_origins=tuple(origins),
        allowed_hosts=allowed_hosts,
        client_timeout=client_timeout,
        cache_mb=cache_mb,
        quiet=quiet,
        base=base,
        data_dir=data_dir if data_dir.is_dir() else None,
    )

    def announce(url: str) -> None:
        click.echo(f"SPARQL endpoint: {url}/sparql  query page: {url}/  (Ctrl-C stops)")
        if not is_loopback(host):
            click.echo(f"warning: listening on {host}, reachable from other machines", err=True)

    try:
        run_server(settings, announce)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    except KeyboardInterrupt:
        pass


@cli.command()
@graph_option
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph) or "
    "http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso).",
)
@click.option(
    "--user",
    default=None,
    help="User name for HTTP authentication; the password is read from "
    f"${PASSWORD_ENV}, or asked for (not echoed).",
)
@click.option(
    "--password",
    default=None,
    envvar=PASSWORD_ENV,
    show_envvar=True,
    help="Deprecated on the command line (other users can read it in the process list): "
    f"set ${PASSWORD_ENV} instead.",
)
@click.option(
    "--auth",
    "auth_scheme",
    type=click.Choice(["basic", "digest"]),
    default="basic",
    show_default=True,
    help="HTTP authentication scheme (Virtuoso wants digest).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="PUT each graph whole (replacing the server's copy) instead of POST (merge).",
)
@click.option(
    "--graph-param",
    default=None,
    metavar="NAME",
    help="Query parameter naming the graph (default: graph-uri for Virtuoso's "
    "crud endpoints, graph otherwise).",
)
@click.option(
    "--query-endpoint",
    default=None,
    metavar="URL",
    help="SPARQL query endpoint used to verify (default: derived from --endpoint).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Timeout of each HTTP request.",
)
def push(
    graph_path: Path,
    endpoint: str,
    user: str | None,
    password: str | None,
    auth_scheme: str,
    replace: bool,
    graph_param: str | None,
    query_endpoint: str | None,
    timeout: float,
) -> None:
    """Upload every named graph to a SPARQL server (Graph Store Protocol) and verify it landed.

    \b
    Examples:
      evidence-graph push --endpoint http://127.0.0.1:7878/store --replace
      evidence-graph push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
          --user dba --auth digest --replace     # password from $EVIDENCE_GRAPH_PASSWORD
    """
    from .service.push import Pushed
    from .service.push import push as push_graphs

    source = click.get_current_context().get_parameter_source("password")
    if source is click.core.ParameterSource.COMMANDLINE:
        click.echo(
            "warning: --password is deprecated: other users can read it in the process list; "
            f"set {PASSWORD_ENV} instead",
            err=True,
        )
    if user is not None and password is None:
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)

    def report(item: Pushed) -> None:
        status = "ok" if item.ok else "MISMATCH"
        click.echo(f"{item.graph}\tsent {item.sent}\tfound {item.found}\t{status}")

    results = push_graphs(
        graph_path,
        endpoint,
        user=user,
        password=password,
        auth_scheme=auth_scheme,
        replace=replace,
        graph_param=graph_param,
        query_endpoint=query_endpoint,
        timeout=timeout,
        progress=report,
    )
    sent = sum(r.sent for r in results)
    found = sum(r.found for r in results)
    click.echo(f"{len(results)} graphs, {sent} triples sent, {found} found on the server")
    bad = [r.graph for r in results if not r.ok]
    if bad:
        hint = "" if replace else " (without --replace, graphs already on the server are merged)"
        raise click.ClickException(f"{len(bad)} graph(s) differ on the server{hint}: {bad[0]} …")


# --- export, viz ---


class _FormatChoice(click.Choice):  # type: ignore[type-arg]
    """The exporter registry's names, read only when needed (keeps start-up fast)."""

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from ..exporters import FORMATS

        return tuple(FORMATS)


@cli.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=_FormatChoice(),
    default=None,
    help="Output format (from the exporter registry); guessed from -o's suffix when omitted.",
)
@graph_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to FILE (atomically) instead of standard output; a DIR for site and nanopub.",
)
@click.option(
    "--base",
    default="https://w3id.org/evidence-graph/",
    show_default=True,
    help="site: the IRI the site's root stands for.",
)
@click.option(
    "--site-url",
    default="",
    metavar="URL",
    help="site: where the site will be hosted (the w3id.org redirect rules point there).",
)
@data_option("site: data directory the graph was built from (pages quote the source lines).")
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="nanopub: sign with this RSA private key (PEM); unsigned without.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="nanopub: a previous export; a revised claim's nanopub says which one it supersedes.",
)
def export_command(
    fmt: str | None,
    graph_path: Path,
    output: Path | None,
    base: str,
    site_url: str,
    data_dir: Path,
    key: Path | None,
    previous: Path | None,
) -> None:
    """Write a built graph in any registered format (RDF, GraphML, CSV, HTML, site, nanopub…).

    \b
    Examples:
      evidence-graph export -f graphml -o build/evidence.graphml
      evidence-graph export -o build/evidence.gexf        # format from the suffix
      evidence-graph export -f csv | head
      evidence-graph export -f site -o build/site         # static Linked Data site
      evidence-graph export -f nanopub -o build/nanopubs  # one nanopublication per claim
    """
    import io

    from .. import exporters
    from .reading.load import load_dataset

    if fmt is None:
        guessed = exporters.guess(output) if output is not None else None
        if guessed is None:
            names = ", ".join(f"{e.NAME} ({e.SUFFIX})" for e in exporters.FORMATS.values())
            where = f"the suffix of {output}" if output is not None else "no -o FILE"
            raise click.UsageError(f"give -f FORMAT ({where} names no format); one of: {names}")
        exporter = guessed
    else:
        exporter = exporters.get(fmt)
    if exporters.writes_directory(exporter):
        if output is None:
            raise click.UsageError(f"the {exporter.NAME} format writes a directory: give -o DIR")
        if output.exists() and not output.is_dir():
            raise click.UsageError(f"{output} is a file; the {exporter.NAME} format needs a DIR")
        from .base.files import write_directory_atomically

        options = exporters.DirectoryOptions(
            base=base,
            site_url=site_url,
            data_dir=data_dir if data_dir.is_dir() else None,
            key=key,
            previous=previous,
        )
        made = exporters.as_directory(exporter).files(load_dataset(graph_path), options)
        write_directory_atomically(output, made)
        click.echo(f"wrote {output}/ ({exporter.NAME}, {len(made)} files)", err=True)
        return
    if output is not None and output.is_dir():
        raise click.UsageError(f"{output} is a directory; the {exporter.NAME} format writes a file")
    buffer = io.BytesIO()
    exporter.export(load_dataset(graph_path), buffer)
    _write_bytes(buffer.getvalue(), output)
    if output is not None:
        click.echo(f"wrote {output} ({exporter.NAME}, {len(buffer.getvalue())} bytes)", err=True)


@cli.command()
@graph_option
@output_option
@click.option(
    "--focus",
    metavar="NODE",
    default=None,
    help="Draw only the neighbourhood of NODE: a claim id, an IRI, a key or a title fragment.",
)
@click.option(
    "--depth",
    type=click.IntRange(0, 20),
    default=1,
    show_default=True,
    help="With --focus: how many steps from NODE to include.",
)
@click.option("--matrix", is_flag=True, help="Write the matrix view (evidence map) instead.")
@click.option(
    "--graph-page",
    default="evidence.html",
    show_default=True,
    help="With --matrix: the graph page's path relative to the matrix page (cells link to it).",
)
def viz(
    graph_path: Path,
    output: Path | None,
    focus: str | None,
    depth: int,
    matrix: bool,
    graph_page: str,
) -> None:
    """Write the interactive graph page (or the matrix view): one HTML file that works offline.

    \b
    Examples:
      evidence-graph viz -g build/evidence.trig -o build/evidence.html
      evidence-graph viz --focus "too accommodating" --depth 2 -o focus.html
      evidence-graph viz --matrix -g build/evidence.trig -o build/matrix.html
    """
    from .explore import pages
    from .explore.projection import matrix_cells, neighbourhood, project, resolve
    from .reading.load import load_dataset

    dataset = load_dataset(graph_path)
    g = project(dataset)
    if matrix:
        text = pages.matrix_page(g, matrix_cells(dataset), graph_page_href=graph_page)
        what = "matrix view"
    else:
        centre = None
        if focus is not None:
            centre = resolve(g, focus)
            g = neighbourhood(g, centre, depth)
        if g.number_of_nodes() > pages.LARGE_GRAPH:
            click.echo(
                f"note: {g.number_of_nodes()} nodes is more than {pages.LARGE_GRAPH}: the page "
                "draws with WebGL (sigma.js) from a precomputed layout; --focus NODE --depth 1 "
                "draws a neighbourhood in full detail",
                err=True,
            )
        text = pages.graph_page(g, focus=centre, depth=depth)
        what = f"graph page, {g.number_of_nodes()} nodes, {g.number_of_edges()} edges"
    _write_bytes(text.encode("utf-8"), output)
    if output is not None:
        click.echo(f"wrote {output} ({what})", err=True)


@cli.command()
@click.argument("node")
@graph_option
@data_option("Data directory the graph was built from (to print the source lines).")
def explain(node: str, graph_path: Path, data_dir: Path) -> None:
    """Show a node, its edges, and the source passage (file, line) behind each edge.

    NODE is an IRI, a key (claim/…, doc/…, listing/drug/B4/4), a claim id, or part of a title.

    \b
    Examples:
      evidence-graph explain helping-alliance-inverted-u
      evidence-graph explain "too accommodating" -g build/evidence.trig
    """
    from .reading.explain import explain as run_explain
    from .reading.load import load_dataset

    dataset = load_dataset(graph_path)
    click.echo(run_explain(dataset, node, data_dir if data_dir.is_dir() else None).render())
