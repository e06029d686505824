#include "ferry/proxy/deprecated_endpoints.h"

#include <algorithm>
#include <limits>

namespace ferry::proxy {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `path` with each valid percent-escape decoded once and every backslash read as a slash:
// some servers split on it, and an encoded one ("%5C") is the same byte once decoded.
std::string decoded_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%' && i + 2 < path.size()) {
      const int hi = hex_value(path[i + 1]);
      const int lo = hex_value(path[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    }
    out.push_back(c == '\\' ? '/' : c);
  }
  return out;
}

}  // namespace

std::vector<std::string> last_path_segments(std::string_view target, std::size_t max_segments) {
  std::vector<std::string> out;
  if (max_segments == 0) return out;
  const std::string path = decoded_path(target.substr(0, target.find_first_of("?#")));
  // Read from the end, so only the segments a match needs are kept. A ".." removes the
  // nearest segment before it that is still there, which is what resolving from the start
  // does too.
  std::size_t pending_parents = 0;
  std::string_view rest(path);
  while (!rest.empty() && out.size() < max_segments) {
    const std::size_t slash = rest.rfind('/');
    std::string_view segment = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(0, slash);
    segment = segment.substr(0, segment.find(';'));
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      ++pending_parents;
      continue;
    }
    if (pending_parents > 0) {
      --pending_parents;
      continue;
    }
    out.emplace_back(segment);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> path_segments(std::string_view target) {
  return last_path_segments(target, std::numeric_limits<std::size_t>::max());
}

DeprecatedEndpointMatcher::DeprecatedEndpointMatcher(
    const std::vector<config::DeprecatedEndpoint>& entries) {
  for (const auto& entry : entries) {
    std::vector<std::string> segments = path_segments(entry.path);
    // "/" would name every call; the loader refuses it, and it is skipped here too.
    if (segments.empty()) continue;
    max_segments_ = std::max(max_segments_, segments.size());
    entries_.push_back({&entry, std::move(segments)});
  }
}

const config::DeprecatedEndpoint* DeprecatedEndpointMatcher::match(std::string_view method,
                                                                   std::string_view target) const {
  if (entries_.empty()) return nullptr;
  const std::vector<std::string> tail = last_path_segments(target, max_segments_);
  for (const auto& entry : entries_) {
    const auto& methods = entry.config->methods;
    if (!methods.empty() && std::find(methods.begin(), methods.end(), method) == methods.end()) {
      continue;
    }
    if (entry.segments.size() > tail.size()) continue;
    if (std::equal(entry.segments.rbegin(), entry.segments.rend(), tail.rbegin())) {
      return entry.config;
    }
  }
  return nullptr;
}

std::string deprecated_endpoint_message(const config::DeprecatedEndpoint& entry,
                                        std::string_view method) {
  std::string out = std::string(method) + " " + entry.path +
                    " was removed by the provider; use " + entry.replacement + " instead";
  std::string why = entry.listed_by;
  if (!entry.note.empty()) why += (why.empty() ? "" : ": ") + entry.note;
  if (!why.empty()) out += " (" + why + ")";
  return out;
}

}  // namespace ferry::proxy
