"""The one ``NextToken`` loop: every page of a paged AWS call (the function's and the operator tool's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


def pages(call: Callable[..., Mapping[str, Any]], /, **params: Any) -> Iterator[Mapping[str, Any]]:
    """Each response of ``call(**params)``, following ``NextToken`` until the last page. ``call`` may be a
    client method or a wrapper (the function's ``budget.call`` bound to one)."""
    request = dict(params)
    while True:
        response = call(**request)
        yield response
        token = response.get("NextToken")
        if not token:
            return
        request["NextToken"] = token
