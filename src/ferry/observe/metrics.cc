#include "ferry/observe/metrics.h"

#include <map>
#include <memory>
#include <mutex>

#include "ferry/observe/redact.h"

namespace ferry::observe {
namespace {

struct Family {
  std::string help;
  std::string label_name;
  // Keyed by label value ("" without a label). unique_ptr: counters never move.
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters;
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

// Label values escape backslash, double quote and newline; HELP text the first and last.
std::string escape(std::string_view text, bool quote) {
  std::string out;
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

Counter& counter(std::string_view name, std::string_view help, std::string_view label_name,
                 std::string_view label_value) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto family = r.families.find(name);
  if (family == r.families.end()) {
    family = r.families.emplace(std::string(name), Family{}).first;
    family->second.help = std::string(help);
    family->second.label_name = std::string(label_name);
  }
  auto& counters = family->second.counters;
  auto it = counters.find(label_value);
  if (it == counters.end()) {
    it = counters.emplace(std::string(label_value), std::make_unique<Counter>()).first;
  }
  return *it->second;
}

std::string render_prometheus() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::string out;
  for (const auto& [name, family] : r.families) {
    out += "# HELP " + name + " " + escape(family.help, false) + "\n";
    out += "# TYPE " + name + " counter\n";
    for (const auto& [label_value, counter] : family.counters) {
      out += name;
      if (!family.label_name.empty()) {
        out += "{" + family.label_name + "=\"" + escape(redact(label_value), true) + "\"}";
      }
      out += " " + std::to_string(counter->value()) + "\n";
    }
  }
  return out;
}

Counter& upstream_attempts() {
  static Counter& c = counter("ferry_upstream_attempts_total",
                              "Requests sent or tried upstream by the proxy, retries included.");
  return c;
}

Counter& upstream_retries(std::string_view reason) {
  return counter("ferry_upstream_retries_total", "Upstream requests repeated, by reason.", "reason",
                 reason);
}

Counter& upstream_retry_wait_ms() {
  static Counter& c = counter("ferry_upstream_retry_wait_milliseconds_total",
                              "Time spent waiting before repeating upstream requests.");
  return c;
}

Counter& upstream_retries_exhausted() {
  static Counter& c =
      counter("ferry_upstream_retries_exhausted_total",
              "Transient upstream answers returned because no attempt or time was left.");
  return c;
}

Counter& upstream_quota_pauses() {
  static Counter& c = counter("ferry_upstream_quota_pauses_total",
                              "Calls held back before sending because their quota was spent.");
  return c;
}

Counter& upstream_quota_pause_ms() {
  static Counter& c = counter("ferry_upstream_quota_pause_milliseconds_total",
                              "Time calls were held back because their quota was spent.");
  return c;
}

}  // namespace ferry::observe
