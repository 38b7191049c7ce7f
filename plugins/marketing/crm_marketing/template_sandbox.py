"""A Jinja sandbox with bounded work: what one message render may build and loop over.

Jinja's sandbox keeps a template away from Python internals but lets it ask for any
amount of work: ``{{ 'a' * 50000000 }}`` builds 50 MB per recipient. Here every
operation that can grow a value checks the size it would make *before* making it,
loops and calls draw on one budget per render, and the rendered text has a ceiling.
A template past a bound fails with a :class:`SecurityError` naming the bound.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from jinja2 import Environment, Template, nodes
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

#: Longest text a render may produce, and longest value it may build on the way.
MAX_OUTPUT = 100_000
MAX_STRING = 100_000
#: Longest list or range; largest width, count or repeat given as a number.
MAX_RANGE = 1_000
MAX_WIDTH = 10_000
#: Loop iterations plus calls (functions, methods, macros) in one render.
MAX_STEPS = 10_000
#: Largest result of ``**``, in bits.
MAX_POWER_BITS = 256
#: A width or precision in a format string (``%99999d``, ``{:>99999}``) of 5+ digits.
_WIDE_FORMAT = re.compile(r"[%:][-+#0 <>^=,_]*\d{5,}|\.\d{5,}")


@dataclass
class _Budget:
    steps: int = 0

    def spend(self, what: str) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SecurityError(f"the template takes more than {MAX_STEPS:,} {what}s")


_budget: ContextVar[_Budget | None] = ContextVar("crm_template_budget", default=None)


def _spend(what: str) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.spend(what)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | bytes) else 0


def _check_size(value: Any) -> Any:
    if _size(value) > MAX_STRING:
        raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
    return value


def _check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
        raise SecurityError(f"the template uses a count or width above {MAX_WIDTH:,}")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise SecurityError(f"the template formats a value wider than {MAX_WIDTH:,}")


def _check_arguments(args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        _check_number(value)


def _joined_length(items: Iterable[Any], separator: Any) -> tuple[list[str], int]:
    texts = [str(item) for item in items]
    return texts, sum(map(len, texts)) + len(str(separator)) * max(len(texts) - 1, 0)


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its numbers bounded before, and its result after."""

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        # Filters marked pass_context / pass_eval_context / pass_environment get it first.
        lead = 1 if args and isinstance(args[0], Context | EvalContext | Environment) else 0
        if name == "join" and len(args) > lead:
            # Measured before joining: an iterator is read once, into a list.
            args = (*args[:lead], list(args[lead]), *args[lead + 1 :])
        values = list(args[lead:])
        if name == "format" and values:
            _check_format(values[0])
        if name == "replace" and len(values) >= 3:
            text, old, new = (str(v) for v in values[:3])
            grown = len(text) + (text.count(old) if old else len(text) + 1) * len(new)
            if grown > MAX_STRING:
                raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
        if name == "indent" and values:
            width = values[1] if len(values) > 1 else 4
            lines = str(values[0]).count("\n") + 1
            if lines * _size(width if isinstance(width, str) else " " * int(width)) > MAX_STRING:
                raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
        if name == "join" and values:
            separator = values[1] if len(values) > 1 else ""
            if _joined_length(values[0], separator)[1] > MAX_STRING:
                raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
        return _check_size(function(*args, **kwargs))

    return bounded


def _bounded_iter(value: Any) -> Iterator[Any]:
    """Iterate ``value`` for a ``{% for %}``, spending one step per item."""
    for item in value:
        _spend("loop iteration")
        yield item


def _bounded_concat(*parts: Any) -> str:
    texts = [str(p) for p in parts]
    if sum(map(len, texts)) > MAX_STRING:
        raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
    return "".join(texts)


def _bounded_join(pieces: Iterable[str]) -> str:
    """Jinja's ``concat`` for block sets, macros and call blocks: measured, then joined."""
    pieces = list(pieces)
    if sum(map(len, pieces)) > MAX_STRING:
        raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
    return "".join(pieces)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"the template asks for a range longer than {MAX_RANGE:,}")
    return numbers


class _Bounder(NodeTransformer):
    """Routes every loop and every ``~`` of a parsed template through the bounds."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "crm_loop", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(parts, "crm_concat", [], [], None, None, lineno=node.lineno)


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, with the bounds of this module on every render."""

    intercepted_binops = frozenset(["*", "**", "+", "%", "//"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Only what a message needs: no lipsum, cycler, joiner or namespace accumulators.
        self.globals = {"range": _range}
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.filters["crm_loop"] = _bounded_iter
        self.filters["crm_concat"] = lambda parts: _bounded_concat(*parts)
        # What a {% set %} block or a macro renders is joined by ``concat``: bound it too.
        self.concat = _bounded_join  # type: ignore[assignment]

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _Bounder().visit(super()._parse(source, name, filename))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Apply ``operator`` once the size of its result is known to be within bounds."""
        if operator == "*":
            count, value = (right, left) if isinstance(right, int) else (left, right)
            if isinstance(count, int) and _size(value) * max(count, 0) > MAX_STRING:
                raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and abs(left).bit_length() * right > MAX_POWER_BITS:
                raise SecurityError("the template raises a number to too high a power")
        elif operator == "+" and _size(left) + _size(right) > MAX_STRING:
            raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
        elif operator == "%":
            _check_format(left)
        return _check_size(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` reached from a template, refused when its widths are large."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a function or method, spending a step; numbers and format widths bounded."""
        _spend("call")
        _check_arguments(args, kwargs)
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str):
            if name == "expandtabs":
                raise SecurityError("the template may not expand tabs")
            if name in ("format", "format_map"):
                _check_format(__obj.__self__)
            if name == "replace" and len(args) >= 2:
                text, old, new = __obj.__self__, str(args[0]), str(args[1])
                if len(text) + (text.count(old) or 1) * len(new) > MAX_STRING:
                    raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
            if name == "join" and args and _joined_length(args[0], __obj.__self__)[1] > MAX_STRING:
                raise SecurityError(f"the template builds a value longer than {MAX_STRING:,}")
        return _check_size(super().call(__context, __obj, *args, **kwargs))


def render_bounded(template: Template, values: dict[str, Any]) -> str:
    """Render ``template`` within the bounds: a fresh step budget, and the text cut off
    with a :class:`SecurityError` as soon as it passes :data:`MAX_OUTPUT`."""
    token = _budget.set(_Budget())
    try:
        out: list[str] = []
        length = 0
        for piece in template.generate(values):
            length += len(piece)
            if length > MAX_OUTPUT:
                raise SecurityError(f"the message is longer than {MAX_OUTPUT:,} characters")
            out.append(piece)
        return "".join(out)
    except RecursionError:
        raise SecurityError("the template calls itself too deeply") from None
    finally:
        _budget.reset(token)
