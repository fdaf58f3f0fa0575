"""The explored state graph as DOT or GraphML (`--dot PATH`, `--graphml PATH`), via networkx.

Only for small models: the explorer records edges on request (`RunOptions.graph_limit`) and a
check whose graph has more states than the limit is refused before anything is written.
Nodes are BFS state numbers (0 is the initial state) carrying every variable's value, typed
(GraphML `boolean` for flags, `long` for numbers that are never none, `string` otherwise);
edges carry the action instance and the acting CPU; the counterexample path, if any, is
marked (`on_path`, drawn red and bold in DOT; its last state is the violating one).
networkx's own DOT writers need pydot or pygraphviz, so DOT is written here from the
networkx graph; GraphML uses `networkx.write_graphml`.
"""
from __future__ import annotations

import networkx as nx

from ..errors import UserError
from ..result import CheckResult, StateGraph
from .text import flatten, show_value
from .write import write_report

DEFAULT_LIMIT = 2000


def to_networkx(g: StateGraph) -> nx.MultiDiGraph:
    path = list(g.path)
    on_path_nodes = set(path)
    on_path_edges = set(zip(path, path[1:]))
    last = path[-1] if path else None
    G = nx.MultiDiGraph()
    flat = [dict(el for var, val in state.items() for el in flatten(var, val)) for state in g.nodes]
    for n, attrs in enumerate(typed(flat)):
        G.add_node(n, initial=(n == 0), on_path=(n in on_path_nodes), violating=(n == last), **attrs)
    marked: set[tuple[int, int]] = set()
    for a, b, label, actor in g.edges:
        # one edge of the path is marked, even when two actions lead to the same state
        hit = (a, b) in on_path_edges and (a, b) not in marked
        if hit:
            marked.add((a, b))
        G.add_edge(a, b, action=label, actor=-1 if actor is None else actor, on_path=hit)
    G.graph["lanes"] = g.lanes or ""
    return G


def typed(states: list[dict]) -> list[dict]:
    """Each state element with one GraphML type over all states: a boolean stays a boolean, a
    number that is never none an integer (`long`), anything else (enums, cpumasks, optional
    members that may be none) its text as in traces."""
    kinds: dict[str, type] = {}
    for st in states:
        for el, v in st.items():
            k = bool if isinstance(v, bool) else int if isinstance(v, int) else str
            kinds[el] = k if kinds.get(el, k) is k else str
    return [{el: v if kinds[el] is not str else show_value(v) for el, v in st.items()} for st in states]


def _q(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_text(G: nx.MultiDiGraph, name: str = "states") -> str:
    lanes = G.graph.get("lanes") or "lane"
    out = [f"digraph {_q(name)} {{", '  graph [rankdir=TB, fontname="Helvetica"];',
           '  node [shape=circle, fontname="Helvetica", fontsize=10, width=0.3];',
           '  edge [fontname="Helvetica", fontsize=8, color="#8c959f"];']
    for n, d in G.nodes(data=True):
        state = "\n".join(f"{k}={v}" for k, v in d.items() if k not in ("initial", "on_path", "violating"))
        attrs = [f"label={_q(n)}", f"tooltip={_q(state)}"]
        if d["initial"]:
            attrs.append("shape=doublecircle")
        if d["violating"]:
            attrs += ['style=filled', 'fillcolor="#ffebe9"', 'color="#cf222e"', "penwidth=2.5"]
        elif d["on_path"]:
            attrs += ['color="#cf222e"', "penwidth=2"]
        out.append(f"  {n} [{', '.join(attrs)}];")
    for a, b, d in G.edges(data=True):
        who = f" [{lanes} {d['actor']}]" if d["actor"] >= 0 else ""
        attrs = [f"label={_q(d['action'] + who)}"]
        if d["on_path"]:
            attrs += ['color="#cf222e"', 'fontcolor="#cf222e"', "penwidth=2.5"]
        out.append(f"  {a} -> {b} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _graph(results: list[CheckResult], flag: str) -> StateGraph:
    if len(results) != 1:
        raise UserError(f"{flag} draws the state graph of one check, but {len(results)} ran",
                        None, "choose one with --check NAME")
    g = results[0].graph
    if g is None:
        raise UserError(f"{flag}: no state graph was recorded for {results[0].check}")
    return g


def write_dot(path: str, results: list[CheckResult]) -> None:
    G = to_networkx(_graph(results, "--dot"))
    write_report("--dot", path, lambda: dot_text(G, results[0].check))


def write_graphml(path: str, results: list[CheckResult]) -> None:
    G = to_networkx(_graph(results, "--graphml"))
    write_report("--graphml", path, lambda: "\n".join(nx.generate_graphml(G)) + "\n")
