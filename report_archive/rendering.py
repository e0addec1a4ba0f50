"""Template work shared between pages and between builds.

A partial whose output would be the same for two pages is rendered for the first and reused for
the second; a template's compiled code is kept for the next build of the same process.

MkDocs renders every page through the theme's templates, and with the theme's navigation on every
page, that part alone is about a fifth of the template time; it is the same on every page that is
not in the navigation, apart from its links relative to the page. The caller says, through a key
made from the context, when two renders give the same output (see the hook's ``_nav_key``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

import jinja2

_SHARED = "report_archive_shared"  # marks a render function already wrapped


def share_renders(template: Any, key_of: Callable[[Any], Hashable | None]) -> None:
    """Let ``template`` (a Jinja template, rendered by ``{% include %}``) render once per key.

    ``key_of(context)`` gives a key that determines the output in that context, or None where it
    does not (render as usual). The kept output lasts as long as the template object: MkDocs makes
    a new environment, and so new templates, for every build.
    """
    render = template.root_render_func
    if getattr(render, _SHARED, False):
        return
    kept: dict[Hashable, str] = {}

    def shared(context: Any) -> Iterator[str]:
        key = key_of(context)
        if key is None:
            yield from render(context)
            return
        if key not in kept:
            kept[key] = "".join(render(context))
        yield kept[key]

    setattr(shared, _SHARED, True)
    template.root_render_func = shared


class KeptCode(jinja2.BytecodeCache):
    """Compiled templates kept in memory by source: MkDocs makes a new Jinja environment for every
    build, which compiles every template again (about a quarter of a second on each rebuild of
    ``mkdocs serve``). A template whose source changed is compiled again (the key holds a digest
    of the source). The environments MkDocs makes for one site share their settings, so one
    template's code serves all of them."""

    def __init__(self) -> None:
        self.codes: dict[tuple[str, str | None], Any] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key, bucket.checksum] = bucket.code


_KEPT_CODE = KeptCode()


def keep_compiled(env: jinja2.Environment) -> None:
    """Let ``env`` use (and add to) the templates this process compiled for earlier builds."""
    env.bytecode_cache = _KEPT_CODE
