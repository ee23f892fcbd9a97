"""Hypothesis strategies of the validators' tests: any JSON, non-JSON leaves, mutated payloads."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st
from validator_payloads import ACTOR, ASSIGNEE, ISSUE_ID, error_response, example_response

STATUSES = ["Triage", "Assigned", "Working", "Resolved", "Ignored"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)

#: Any JSON value (as ``json.loads`` yields it).
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=25,
)

#: Values that look like the contract's own, valid or nearly so: they reach the deep rules.
interesting = st.one_of(
    st.sampled_from(
        [
            *STATUSES,
            "resolved",
            "level",
            "",
            "Resolved\n",
            ASSIGNEE,
            ASSIGNEE + "\n",
            ASSIGNEE.upper(),
            "acnt_xxx",
            ISSUE_ID,
            ACTOR,
            "sys",
            0,
            -1,
            1,
            1.0,
            2.5,
            200,
            404,
            1770103057,
            1770102900086,
            1772788899.2923098,
            10**30,
            -(10**30),
            True,
            False,
            None,
            [],
            {},
            [ASSIGNEE],
            {"Triage": 1770103057},
            {"time": 1770103057, "status": "Triage", "operator": "sys"},
        ]
    ),
    scalars,
    st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=4), children, max_size=3)
        ),
        max_leaves=6,
    ),
)


def _paths(value: Any) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = [()]
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, child in items:
            found.append((*path, key))
            stack.append((child, (*path, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to four random edits: replace, delete or add at a random place."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(value)
        path = draw(st.sampled_from(paths))
        operation = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        replacement = copy.deepcopy(draw(interesting))
        if not path:
            if operation == "replace":
                value = replacement
            continue
        holder = value
        for part in path[:-1]:
            holder = holder[part]
        if operation == "replace":
            holder[path[-1]] = replacement
        elif operation == "delete":
            del holder[path[-1]]
        else:
            target = holder[path[-1]]
            if isinstance(target, dict):
                target[draw(st.sampled_from([*STATUSES, "extra", "Closed", "a/b~c"]))] = replacement
            elif isinstance(target, list):
                target.append(replacement)
    return value


responses = st.one_of(mutated(example_response()), mutated(error_response()))
requests = mutated({"issueStatus": "Resolved", "assigner": [ASSIGNEE]})


class Opaque:
    """Not JSON at all."""


non_json_leaves = st.one_of(
    st.binary(max_size=4),
    st.frozensets(st.integers(), max_size=2).map(set),
    st.tuples(st.integers()),
    st.builds(Opaque),
    st.complex_numbers(allow_nan=False, allow_infinity=False),
)


@st.composite
def with_leaf(draw: st.DrawFn, leaf: st.SearchStrategy[Any]) -> tuple[Any, str]:
    """A JSON container with ``leaf`` put somewhere inside; returns it and the leaf's pointer."""
    value = draw(st.dictionaries(st.text(max_size=5), json_values, min_size=1, max_size=4))
    containers = [path for path in _paths(value) if isinstance(_at(value, path), (dict, list))]
    path = draw(st.sampled_from(containers))
    holder = _at(value, path)
    if isinstance(holder, dict):
        key: Any = draw(st.text(max_size=5))
        holder[key] = draw(leaf)
    else:
        holder.append(draw(leaf))
        key = len(holder) - 1
    pointer = "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in (*path, key)
    )
    return value, pointer


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value
