#pragma once

// The pieces of Prometheus' text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): escaping, numbers, label
// sets and a histogram's sample lines. Pure functions; the registry (metrics.h) puts them
// together.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ferry/observe/histogram.h"

namespace ferry::observe {

// A label value escaped for the text between double quotes: backslash, double quote and
// newline become \\, \" and \n.
std::string escape_label_value(std::string_view value);

// HELP text escaped: backslash and newline become \\ and \n (a quote stays as is).
std::string escape_help(std::string_view text);

// A sample value or `le` bound: "+Inf", "-Inf", "NaN", or the shortest decimal that reads
// back as `value` ("0.005", "1", "2.5", "1e-06").
std::string format_value(double value);

// `{a="x",b="y"}` for names[i]=values[i], then `le="<le>"` when given; "" for no labels at
// all. REQUIRES: names and values have the same size.
std::string format_labels(std::span<const std::string> names, std::span<const std::string> values,
                          std::optional<std::string_view> le = std::nullopt);

// "# HELP <name> <help>\n# TYPE <name> <type>\n".
void append_family_header(std::string& out, std::string_view name, std::string_view help,
                          std::string_view type);

// One histogram series: `<name>_bucket{...,le="b"}` for each bound, cumulative, then
// le="+Inf", `<name>_sum` and `<name>_count` (equal to the +Inf bucket).
void append_histogram_samples(std::string& out, std::string_view name,
                              std::span<const std::string> label_names,
                              std::span<const std::string> label_values,
                              std::span<const double> upper_bounds,
                              const HistogramSnapshot& snapshot);

}  // namespace ferry::observe
