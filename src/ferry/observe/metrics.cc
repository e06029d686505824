#include "ferry/observe/metrics.h"

#include <cassert>
#include <map>
#include <memory>
#include <mutex>
#include <variant>

#include "ferry/observe/prometheus_text.h"
#include "ferry/observe/redact.h"

namespace ferry::observe {
namespace {

// unique_ptr: series never move once handed out.
using Series =
    std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>>;

struct Family {
  std::string help;
  MetricType type = MetricType::counter;
  std::vector<std::string> label_names;
  std::vector<double> upper_bounds;  // histograms only
  // Keyed by label values, in label_names' order.
  std::map<std::vector<std::string>, Series> series;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Family, std::less<>> families;  // GUARDED_BY(mutex)
};

Registry& registry() {
  // Never destroyed: references handed out must outlive every static destructor.
  static Registry* instance = new Registry();
  return *instance;
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

// REQUIRES: r.mutex is held.
Family& find_or_declare(Registry& r, std::string_view name, std::string_view help, MetricType type,
                        std::vector<std::string> label_names, std::vector<double> upper_bounds) {
  auto it = r.families.find(name);
  if (it == r.families.end()) {
    Family family;
    family.help = std::string(help);
    family.type = type;
    family.label_names = std::move(label_names);
    family.upper_bounds = std::move(upper_bounds);
    return r.families.emplace(std::string(name), std::move(family)).first->second;
  }
  // A family used with another type or other labels is a bug in its caller.
  assert(it->second.type == type);
  assert(it->second.label_names == label_names);
  return it->second;
}

template <class T>
T& find_or_create(std::string_view name, std::string_view help, MetricType type,
                  std::initializer_list<Label> labels, std::vector<double> upper_bounds = {}) {
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (const Label& label : labels) {
    names.emplace_back(label.name);
    values.emplace_back(label.value);
  }
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  Family& family = find_or_declare(r, name, help, type, names, std::move(upper_bounds));
  auto it = family.series.find(values);
  if (it == family.series.end()) {
    std::unique_ptr<T> made;
    if constexpr (std::is_same_v<T, Histogram>) {
      made = std::make_unique<Histogram>(family.upper_bounds);
    } else {
      made = std::make_unique<T>();
    }
    it = family.series.emplace(std::move(values), Series(std::move(made))).first;
  }
  return *std::get<std::unique_ptr<T>>(it->second);
}

void append_series(std::string& out, const std::string& name, const Family& family,
                   const std::vector<std::string>& values, const Series& series) {
  std::vector<std::string> shown;
  shown.reserve(values.size());
  for (const auto& value : values) shown.push_back(redact(value));
  if (const auto* c = std::get_if<std::unique_ptr<Counter>>(&series)) {
    out += name + format_labels(family.label_names, shown) + " " + std::to_string((*c)->value()) +
           "\n";
  } else if (const auto* g = std::get_if<std::unique_ptr<Gauge>>(&series)) {
    out += name + format_labels(family.label_names, shown) + " " + std::to_string((*g)->value()) +
           "\n";
  } else if (const auto* h = std::get_if<std::unique_ptr<Histogram>>(&series)) {
    append_histogram_samples(out, name, family.label_names, shown, (*h)->upper_bounds(),
                             (*h)->snapshot());
  }
}

}  // namespace

void declare_family(std::string_view name, std::string_view help, MetricType type,
                    std::initializer_list<std::string_view> label_names,
                    std::vector<double> upper_bounds) {
  std::vector<std::string> names(label_names.begin(), label_names.end());
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  (void)find_or_declare(r, name, help, type, std::move(names), std::move(upper_bounds));
}

Counter& counter(std::string_view name, std::string_view help,
                 std::initializer_list<Label> labels) {
  return find_or_create<Counter>(name, help, MetricType::counter, labels);
}

Gauge& gauge(std::string_view name, std::string_view help, std::initializer_list<Label> labels) {
  return find_or_create<Gauge>(name, help, MetricType::gauge, labels);
}

Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                     std::initializer_list<Label> labels) {
  return find_or_create<Histogram>(name, help, MetricType::histogram, labels,
                                   std::move(upper_bounds));
}

Counter& counter(std::string_view name, std::string_view help, std::string_view label_name,
                 std::string_view label_value) {
  if (label_name.empty()) return counter(name, help);
  return counter(name, help, {Label{label_name, label_value}});
}

std::string render_prometheus() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::string out;
  for (const auto& [name, family] : r.families) {
    append_family_header(out, name, family.help, type_name(family.type));
    for (const auto& [values, series] : family.series) {
      append_series(out, name, family, values, series);
    }
  }
  return out;
}

}  // namespace ferry::observe
