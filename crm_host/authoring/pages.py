"""The command line every generated reference page shares: write it, or check it is current."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def write_or_check(
    argv: list[str] | None, *, render: Callable[[], str], command: str, description: str
) -> int:
    """Write ``render()`` to the path in ``argv``, or with ``--check`` compare it (exit 1 if stale).

    ``command`` is how to run the generator (``python -m …``), named in the stale message.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("path", type=Path, help="where the Markdown page goes")
    parser.add_argument("--check", action="store_true", help="only check it is current")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != page:
            print(f"{args.path} is out of date: run {command} {args.path}")
            return 1
        return 0
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(page, encoding="utf-8")
    return 0
