#!/usr/bin/env python3
"""Checks a /metrics exposition with the reference Prometheus text-format parser.

Usage: check_prometheus_text.py FILE [--family NAME]... [--histogram NAME]...
                                [--forbid-label-value VALUE]... [--positive SAMPLE]...

  --family NAME             a family of that name is listed (counters may end in _total)
  --histogram NAME          a histogram family with at least one series, each with
                            ascending `le` bounds ending in +Inf, cumulative counts and
                            _count equal to the +Inf bucket
  --forbid-label-value V    no label of any sample holds V
  --positive SAMPLE         some sample named SAMPLE{labels} has a value > 0; SAMPLE is
                            name or name{label=value,...}

Prints every problem found and exits 1 if there is one, else prints "ok" and exits 0.
"""
import argparse
import math
import sys
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families


def family_names(name):
    # The parser names a counter family without its _total suffix.
    return {name, name[: -len("_total")]} if name.endswith("_total") else {name}


def check_histogram(family, problems):
    series = defaultdict(lambda: {"buckets": [], "count": None, "sum": None})
    for sample in family.samples:
        labels = {k: v for k, v in sample.labels.items() if k != "le"}
        key = tuple(sorted(labels.items()))
        if sample.name == family.name + "_bucket":
            series[key]["buckets"].append((float(sample.labels["le"]), sample.value))
        elif sample.name == family.name + "_count":
            series[key]["count"] = sample.value
        elif sample.name == family.name + "_sum":
            series[key]["sum"] = sample.value
    if not series:
        problems.append(f"{family.name}: no series")
    for key, s in series.items():
        where = f"{family.name}{dict(key)}"
        bounds = [le for le, _ in s["buckets"]]
        counts = [value for _, value in s["buckets"]]
        if not bounds or not math.isinf(bounds[-1]):
            problems.append(f"{where}: the last bucket is not le=\"+Inf\"")
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            problems.append(f"{where}: le bounds are not strictly ascending: {bounds}")
        if any(b < a for a, b in zip(counts, counts[1:])):
            problems.append(f"{where}: bucket counts are not cumulative: {counts}")
        if s["count"] is None or s["sum"] is None:
            problems.append(f"{where}: _count or _sum missing")
        elif counts and s["count"] != counts[-1]:
            problems.append(f"{where}: _count {s['count']} differs from +Inf {counts[-1]}")


def parse_selector(text):
    if "{" not in text:
        return text, {}
    name, rest = text.split("{", 1)
    labels = dict(pair.split("=", 1) for pair in rest.rstrip("}").split(",") if pair)
    return name, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--family", action="append", default=[])
    parser.add_argument("--histogram", action="append", default=[])
    parser.add_argument("--forbid-label-value", action="append", default=[])
    parser.add_argument("--positive", action="append", default=[])
    args = parser.parse_args()

    with open(args.file, encoding="utf-8") as f:
        text = f.read()
    problems = []
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError and others on bad input
        print(f"the exposition does not parse: {e!r}")
        return 1
    by_name = {family.name: family for family in families}

    for name in args.family + args.histogram:
        if not family_names(name) & by_name.keys():
            problems.append(f"{name}: family missing")
    for name in args.histogram:
        family = by_name.get(name)
        if family is None:
            continue
        if family.type != "histogram":
            problems.append(f"{name}: type {family.type}, not histogram")
            continue
        check_histogram(family, problems)

    samples = [sample for family in families for sample in family.samples]
    for forbidden in args.forbid_label_value:
        for sample in samples:
            for label, value in sample.labels.items():
                if forbidden in value:
                    problems.append(f"{sample.name}: label {label}={value!r} holds {forbidden!r}")
    for selector in args.positive:
        name, labels = parse_selector(selector)
        if not any(sample.name == name and sample.value > 0 and
                   all(sample.labels.get(k) == v for k, v in labels.items())
                   for sample in samples):
            problems.append(f"{selector}: no sample above zero")

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"ok: {len(families)} families, {len(samples)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
