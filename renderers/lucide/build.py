"""Build ``icons.json`` (and the Lucide licence file) from an unpacked ``lucide-static`` package.

Usage, from the repository (the release is the one :data:`gardend.renderers.icons.LUCIDE_VERSION`
names; the module docstring of :mod:`gardend.renderers.icons` explains the choice)::

    cd /tmp && npm pack lucide-static@1.62.0 && tar -xzf lucide-static-1.62.0.tgz
    python -m gardend.renderers.lucide.build /tmp/package

Why a script and not hand-copied shapes: Obsidian serialises an icon's children with attributes
in source order and explicit closing tags, and a fileClass may name any of ~2000 icons, so the
data is derived mechanically and can be rebuilt byte for byte.  What it reads:

* ``icons/*.svg`` — one file per id, current ids and Lucide's old names (aliases) alike;
* ``icon-nodes.json`` — the current ids only, as ``[tag, {attributes}]`` lists: it tells the
  aliases apart and is cross-checked against the SVG files, so a parsing mistake cannot pass;
* ``LICENSE`` — copied into ``renderers/static/LICENSE-lucide.txt`` with a header naming the
  release.

An alias is stored as ``alias -> current id`` when its shape is exactly one current icon's
(true of every alias in 1.62.0); otherwise it is stored as an icon of its own.  The script
refuses input it cannot serialise faithfully (nested elements, text, attribute values that the
DOM serialiser would escape, a different ``<svg>`` wrapper) instead of guessing.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gardend.renderers.icons import SVG_ATTRIBUTES

__all__ = ["BuildError", "LucideData", "build", "read_package", "serialise", "write"]

HERE = Path(__file__).resolve().parent
DATA_FILE = HERE / "icons.json"
LICENSE_FILE = HERE.parent / "static" / "LICENSE-lucide.txt"

_SVG_NS = "{http://www.w3.org/2000/svg}"
#: Characters the DOM's HTML serialiser escapes in attribute values (``&`` ``"`` U+00A0, and
#: ``<`` ``>`` in current Chromium); Lucide uses none, and the script will not guess the escaping.
_ESCAPED = frozenset('&"<>\u00a0')


class BuildError(Exception):
    """The package is not what this script knows how to convert."""


@dataclass
class LucideData:
    """What ``icons.json`` holds: the release, current ids' shapes, and old ids' targets."""

    version: str
    icons: dict[str, str]
    aliases: dict[str, str]

    def to_json(self) -> str:
        """One entry per line, keys sorted: reproducible, and a release bump diffs readably."""
        data = {
            "package": "lucide-static",
            "version": self.version,
            "aliases": self.aliases,
            "icons": self.icons,
        }
        return json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n"


def serialise(children: Iterable[tuple[str, Sequence[tuple[str, str]]]], where: str) -> str:
    """Children as Obsidian's DOM serialises them: ``<tag a="v"></tag>``, nothing in between."""
    out = []
    for tag, attributes in children:
        parts = [f"<{tag}"]
        for name, value in attributes:
            if not name.replace("-", "").isalnum() or _ESCAPED.intersection(value):
                raise BuildError(f"{where}: <{tag} {name}={value!r}> would need escaping")
            parts.append(f' {name}="{value}"')
        parts.append(f"></{tag}>")
        out.append("".join(parts))
    if not out:
        raise BuildError(f"{where}: no shapes")
    return "".join(out)


def _svg_children(path: Path) -> str:
    """The serialised children of one ``icons/<id>.svg``, after checking its wrapper."""
    root = ET.fromstring(path.read_text(encoding="utf-8"))  # the leading licence comment is dropped
    if root.tag != f"{_SVG_NS}svg":
        raise BuildError(f"{path}: root element is {root.tag}, not svg")
    wrapper = {k: v for k, v in root.attrib.items() if k != "class"}
    if wrapper != dict(SVG_ATTRIBUTES):
        raise BuildError(f"{path}: <svg> attributes {wrapper} differ from Obsidian's wrapper")
    children = []
    for element in root:
        if not element.tag.startswith(_SVG_NS) or len(element) or (element.text or "").strip():
            raise BuildError(f"{path}: unexpected element or content {element.tag}")
        children.append((element.tag.removeprefix(_SVG_NS), list(element.attrib.items())))
    return serialise(children, str(path))


def read_package(package_dir: Path) -> LucideData:
    """Read an unpacked lucide-static (the folder holding ``package.json``)."""
    try:
        meta = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
        nodes = json.loads((package_dir / "icon-nodes.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BuildError(
            f"{package_dir}: not an unpacked lucide-static ({exc.filename} missing)"
        ) from exc
    if meta.get("name") != "lucide-static":
        raise BuildError(f"{package_dir}: package is {meta.get('name')!r}, not lucide-static")
    shapes = {
        path.stem: _svg_children(path) for path in sorted((package_dir / "icons").glob("*.svg"))
    }

    icons: dict[str, str] = {}
    for icon_id, node in nodes.items():
        from_nodes = serialise(
            ((tag, list(attrs.items())) for tag, attrs in node), f"icon-nodes {icon_id}"
        )
        if shapes.get(icon_id) != from_nodes:
            raise BuildError(f"{icon_id}: icons/{icon_id}.svg and icon-nodes.json disagree")
        icons[icon_id] = from_nodes

    by_shape: dict[str, list[str]] = {}
    for icon_id, shape in icons.items():
        by_shape.setdefault(shape, []).append(icon_id)
    aliases: dict[str, str] = {}
    for icon_id, shape in shapes.items():
        if icon_id in icons:
            continue
        targets = by_shape.get(shape, [])
        if len(targets) == 1:
            aliases[icon_id] = targets[0]
        else:  # no unambiguous current icon: keep the old name's own shape
            icons[icon_id] = shape
    return LucideData(str(meta["version"]), icons, aliases)


#: The copyright notice gardend's licence file carried before 1.62.0, i.e. that of the earlier
#: Lucide releases the hand-written shapes in ``renderers/markdown/callout_icons.py`` were taken
#: from; kept because ISC asks for the notice in every copy and those shapes are not icons.json's.
_EARLIER_NOTICE = """\
Copyright (c) for portions of Lucide are held by Cole Bemis 2013-2022 as part of Feather (MIT).
All other copyright (c) for Lucide are held by Lucide Contributors 2022.
"""


def licence_text(version: str, package_licence: str) -> str:
    """The licence file gardend ships: a header naming the release, Lucide's LICENSE unchanged,
    then the copyright notice of the earlier releases the callout icons come from."""
    header = (
        "The SVG icon shapes in gardend/renderers/lucide/icons.json come from Lucide\n"
        f"(https://lucide.dev), npm package lucide-static {version}. Its LICENSE file follows,\n"
        "unchanged.\n\n"
    )
    earlier = (
        "\n---\n\n"
        "The callout icon shapes in gardend/renderers/markdown/callout_icons.py come from earlier\n"
        "Lucide releases, under the same ISC terms with this copyright notice:\n\n"
        + _EARLIER_NOTICE
    )
    return header + package_licence.rstrip("\n") + "\n" + earlier


def write(data: LucideData, package_licence: str, data_file: Path, license_file: Path) -> None:
    """Write both files with LF line ends, so a rebuild on any OS produces the same bytes."""
    data_file.write_bytes(data.to_json().encode("utf-8"))
    license_file.write_bytes(licence_text(data.version, package_licence).encode("utf-8"))


def build(
    package_dir: Path, data_file: Path = DATA_FILE, license_file: Path = LICENSE_FILE
) -> LucideData:
    """Read ``package_dir`` (or ``package_dir/package``, as ``tar -xzf`` leaves it) and write."""
    if (
        not (package_dir / "package.json").is_file()
        and (package_dir / "package" / "package.json").is_file()
    ):
        package_dir = package_dir / "package"
    data = read_package(package_dir)
    write(data, (package_dir / "LICENSE").read_text(encoding="utf-8"), data_file, license_file)
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gardend.renderers.lucide.build",
        description="Regenerate renderers/lucide/icons.json from an unpacked lucide-static package.",
    )
    parser.add_argument(
        "package", type=Path, help="the unpacked package (folder with package.json)"
    )
    args = parser.parse_args(argv)
    try:
        data = build(args.package)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = DATA_FILE.stat().st_size
    print(
        f"lucide-static {data.version}: {len(data.icons)} icons, {len(data.aliases)} aliases, "
        f"{DATA_FILE.name} {size / 1024:.0f} KiB"
    )
    from gardend.renderers.icons import LUCIDE_VERSION

    if data.version != LUCIDE_VERSION:
        print(
            f"note: update LUCIDE_VERSION in renderers/icons.py ({LUCIDE_VERSION} -> {data.version}); "
            "it is what invalidates cached compiled pages",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
