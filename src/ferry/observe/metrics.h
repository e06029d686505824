#pragma once

// The process-wide metric registry for `GET /metrics` (DESIGN.md §3): counters, gauges and
// histograms in families, rendered in Prometheus' text format 0.0.4. Ferry's own families
// are declared in ferry_metrics.h.
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/observe/histogram.h"

namespace ferry::observe {

// A count that only grows. Lock-free; callable from any thread.
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A level that goes up and down (a queue's depth). Lock-free; callable from any thread.
class Gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

enum class MetricType { counter, gauge, histogram };

// One label of a series. Values must come from a small, finite set (integration keys from
// the configuration, status classes, outcome names), never from requests: every distinct
// value is a series kept until the process exits.
struct Label {
  std::string_view name;
  std::string_view value;
};

// Declares the family `name` (a Prometheus metric name) so that it is listed, with its HELP
// and TYPE lines, before any series exists. The first declaration, or the first series
// created, fixes the family's help, type, label names (a small fixed set, in this order) and
// histogram bucket bounds; later calls must agree on type and label names. Thread-safe.
void declare_family(std::string_view name, std::string_view help, MetricType type,
                    std::initializer_list<std::string_view> label_names = {},
                    std::vector<double> upper_bounds = {});

// The series of family `name` with `labels` (the family's label names, in order), created
// at zero on first use. The same name and label values give the same object, which lives
// until the process exits, so hot paths look it up once and keep the reference. Thread-safe
// (a mutex guards the lookup only; updating the series is lock-free).
Counter& counter(std::string_view name, std::string_view help,
                 std::initializer_list<Label> labels = {});
Gauge& gauge(std::string_view name, std::string_view help,
             std::initializer_list<Label> labels = {});
// `upper_bounds` as for Histogram; the family's first bounds are kept.
Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                     std::initializer_list<Label> labels = {});

// counter() with one label, or none when `label_name` is empty.
Counter& counter(std::string_view name, std::string_view help, std::string_view label_name,
                 std::string_view label_value);

// Every family in the text exposition format 0.0.4: "# HELP", "# TYPE", then the series'
// sample lines (histograms as _bucket, _sum and _count). Families are sorted by name, series
// by label values; label values are redacted (observe/redact.h) and escaped.
std::string render_prometheus();

}  // namespace ferry::observe
