"""A stable topological sort, as the reference implementation orders names.

Among the names whose dependencies are all placed, the one declared first goes
next.  That keeps the output identical to wasm-tools (and so the printed WIT
identical) whatever order dependencies were discovered in.
"""

from __future__ import annotations

import heapq

from witkit.wit.ast import Id
from witkit.wit.resolve.errors import ResolveError

__all__ = ["toposort"]


def toposort(kind: str, deps: dict[str, list[Id]]) -> list[str]:
    """Order the keys of ``deps`` so each comes after the names it depends on.

    ``kind`` names what is being sorted ("type", "interface or world") in the
    errors: a dependency on an unknown name, or a cycle.
    """
    names = list(deps)
    index = {name: i for i, name in enumerate(names)}
    remaining = [0] * len(names)
    users: list[list[int]] = [[] for _ in names]
    for i, edges in enumerate(deps.values()):
        remaining[i] = len(edges)
        for edge in edges:
            j = index.get(edge.name)
            if j is None:
                raise ResolveError(f"unknown {kind} `{edge.name}`", edge.loc, unknown=edge.name)
            users[j].append(i)
    heap = [i for i in range(len(names)) if remaining[i] == 0]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        i = heapq.heappop(heap)
        order.append(names[i])
        for user in users[i]:
            remaining[user] -= 1
            if remaining[user] == 0:
                heapq.heappush(heap, user)
    if len(order) == len(names):
        return order
    for i, edges in enumerate(deps.values()):
        if remaining[i] == 0:
            continue
        for edge in edges:
            if remaining[index[edge.name]] != 0:
                raise ResolveError(
                    f"{kind} `{edge.name}` depends on itself",
                    edge.loc,
                    f"`{edge.name}` is part of a cycle; break it by removing one of the references",
                )
    raise AssertionError("unreachable: a cycle was detected but not found")  # pragma: no cover
