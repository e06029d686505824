#!/usr/bin/env python3
"""Rewrites the catalog table of blueprints/README.md from blueprints/*.yaml.

One row per blueprint: name, categories, auth mode, base URL and the documentation pages its
facts come from (its `sources`). The table sits between the README's catalog markers; the
catalog's unit test checks that every blueprint has a row. Usage: scripts/catalog-table.py
"""
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "blueprints" / "README.md"
BEGIN = "<!-- catalog:begin -->"
END = "<!-- catalog:end -->"


def row(path):
    blueprint = yaml.safe_load(path.read_text())
    versions = blueprint["versions"]
    latest = versions[max(versions, key=lambda v: int(v[1:]))]
    auth = latest["auth"]
    mode = auth["auth_mode"]
    if auth.get("pkce"):
        mode += " (PKCE)"
    sources = " ".join(f"[{i}]({url})" for i, url in enumerate(blueprint.get("sources", []), 1))
    return "| {} | {} | {} | {} | {} |".format(
        blueprint["name"], ", ".join(blueprint.get("categories", [])), mode,
        latest["requests"]["base_url"], sources)


def main():
    rows = [row(p) for p in sorted((ROOT / "blueprints").glob("*.yaml"))]
    table = "\n".join(["| name | categories | auth mode | base URL | sources |",
                       "|---|---|---|---|---|", *rows])
    text = README.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"{README}: the markers {BEGIN} and {END} are missing")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    print(f"{len(rows)} blueprints in {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
