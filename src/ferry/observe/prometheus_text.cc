#include "ferry/observe/prometheus_text.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>

namespace ferry::observe {
namespace {

std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string escape_help(std::string_view text) { return escape(text, false); }

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // fmt's default is the shortest text that reads back exactly (1.0 -> "1").
  return fmt::format("{}", value);
}

std::string format_labels(std::span<const std::string> names, std::span<const std::string> values,
                          std::optional<std::string_view> le) {
  assert(names.size() == values.size());
  if (names.empty() && !le) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (le) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
  return out;
}

void append_family_header(std::string& out, std::string_view name, std::string_view help,
                          std::string_view type) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void append_histogram_samples(std::string& out, std::string_view name,
                              std::span<const std::string> label_names,
                              std::span<const std::string> label_values,
                              std::span<const double> upper_bounds,
                              const HistogramSnapshot& snapshot) {
  const auto cumulative = snapshot.cumulative();
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    const std::string le = i < upper_bounds.size() ? format_value(upper_bounds[i]) : "+Inf";
    out += fmt::format("{}_bucket{} {}\n", name, format_labels(label_names, label_values, le),
                       cumulative[i]);
  }
  const std::string labels = format_labels(label_names, label_values);
  out += fmt::format("{}_sum{} {}\n", name, labels, format_value(snapshot.sum));
  out += fmt::format("{}_count{} {}\n", name, labels, cumulative.empty() ? 0 : cumulative.back());
}

}  // namespace ferry::observe
