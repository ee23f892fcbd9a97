"""
Every exception of the package survives ``pickle`` and ``copy``: an ``assert_valid_*`` failure
inside a process pool must reach the parent as itself, not as ``BrokenProcessPool``.

The classes are found by importing every module of the package, so a new exception is covered
without being listed here.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pickle
import pkgutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import truewatch_contract
from truewatch_contract import ContractViolation, Violation, assert_valid_request


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(truewatch_contract.__path__, "truewatch_contract."):
        if info.name.endswith("__main__"):  # runs the command line when imported
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith("truewatch_contract.")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


CLASSES = _exception_classes()

VIOLATION = Violation(
    "request.issue-status", "/issueStatus", "issueStatus must be ...", "documented"
)

#: Classes whose arguments must be real data; every other one is built from strings.
FACTORIES: dict[str, Callable[[], BaseException]] = {
    "truewatch_contract.violations.ContractViolation": lambda: ContractViolation(
        [VIOLATION], what="request body"
    ),
}


def _instance(name: str, cls: type[BaseException]) -> BaseException:
    if name in FACTORIES:
        return FACTORIES[name]()
    if cls.__init__ is BaseException.__init__ or "__init__" not in _own_namespaces(cls):
        return cls("a one-line message")  # the inherited (*args): the usual message
    parameters = [
        parameter
        for parameter in inspect.signature(cls).parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind
        in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    return cls(*[f"the {parameter.name}" for parameter in parameters])


def _own_namespaces(cls: type[BaseException]) -> set[str]:
    """Names defined by the package's own classes in the hierarchy (not by the builtins)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("truewatch_contract"):
            names.update(vars(klass))
    return names


def test_the_package_has_the_exceptions_we_know_of() -> None:
    assert "truewatch_contract.violations.ContractViolation" in CLASSES
    assert "truewatch_contract.jsonscan.JSONTextError" in CLASSES


@pytest.mark.parametrize("name", sorted(CLASSES))
@pytest.mark.parametrize(
    "roundtrip",
    [lambda e: pickle.loads(pickle.dumps(e)), copy.copy, copy.deepcopy],
    ids=["pickle", "copy", "deepcopy"],
)
def test_every_exception_survives_pickle_and_copy(
    name: str, roundtrip: Callable[[BaseException], BaseException]
) -> None:
    original = _instance(name, CLASSES[name])
    again = roundtrip(original)
    assert type(again) is type(original)
    assert str(again) == str(original)
    assert again.args == original.args
    assert vars(again) == vars(original)


def test_a_contract_violation_keeps_its_data() -> None:
    again = pickle.loads(pickle.dumps(FACTORIES[next(iter(FACTORIES))]()))
    assert isinstance(again, ContractViolation)
    assert again.violations == (VIOLATION,) and again.what == "request body"


def _fail_in_a_worker(body: Any) -> None:
    assert_valid_request(body)


def test_an_assertion_in_a_process_pool_reaches_the_parent() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_fail_in_a_worker, {"issueStatus": "level"})
        with pytest.raises(ContractViolation) as caught:
            future.result(timeout=60)
    assert [v.rule for v in caught.value.violations] == ["request.issue-status"]
