#include "ferry/http/server/router.h"

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>


namespace ferry::http {
namespace {

std::string_view path_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

// The raw (still encoded) segments of `path`, without the leading '/'.
std::vector<std::string_view> raw_segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? path.npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

std::string decode(std::string_view encoded) {
  auto checked = boost::urls::make_pct_string_view(encoded);
  if (!checked) return std::string(encoded);
  return checked->decode();
}

bool is_param(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_catch_all(const std::string& s) { return is_param(s) && s[1] == '*'; }

// Tries one route's segments against the request's; fills params on success.
bool match_segments(const std::vector<std::string>& pattern,
                    const std::vector<std::string_view>& actual, std::string_view path,
                    std::map<std::string, std::string>& params, std::string& rest) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (is_catch_all(p)) {
      // Everything after the literal prefix, as sent.
      std::size_t offset = 1;
      for (std::size_t j = 0; j < i && j < actual.size(); ++j) offset += actual[j].size() + 1;
      rest = offset <= path.size() ? std::string(path.substr(offset)) : std::string();
      params[p.substr(2, p.size() - 3)] = decode(rest);
      return true;
    }
    if (i >= actual.size()) return false;
    if (is_param(p)) {
      if (actual[i].empty()) return false;
      params[p.substr(1, p.size() - 2)] = decode(actual[i]);
    } else if (p != actual[i]) {
      return false;
    }
  }
  return pattern.size() == actual.size();
}

}  // namespace

const std::string* RequestContext::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? nullptr : &it->second;
}

std::string_view RequestContext::header(std::string_view name) const {
  auto it = request.find(name);
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

void Router::add(Verb method, std::string pattern, Handler handler) {
  add(method, std::move(pattern), GuardedHandler{nullptr, std::move(handler)});
}

void Router::add(Verb method, std::string pattern, GuardedHandler guarded) {
  std::vector<std::string> segments;
  for (auto s : raw_segments(pattern)) segments.emplace_back(s);
  routes_.push_back(Route{method, std::move(pattern), std::move(segments),
                          std::move(guarded.handler), nullptr, std::move(guarded.guard)});
}

void Router::add_streaming(std::string pattern, StreamHandler handler) {
  std::vector<std::string> segments;
  for (auto s : raw_segments(pattern)) segments.emplace_back(s);
  routes_.push_back(Route{std::nullopt, std::move(pattern), std::move(segments), nullptr,
                          std::move(handler), nullptr});
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route& route : routes_) out.push_back(RouteInfo{route.method, route.pattern});
  return out;
}

Router::Match Router::match(Verb method, std::string_view target) const {
  std::string_view path = path_of(target);
  auto actual = raw_segments(path);
  Match result;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    std::string rest;
    if (!match_segments(route.segments, actual, path, params, rest)) continue;
    if (route.method && *route.method != method) {
      result.outcome = Outcome::method_not_allowed;
      result.allowed.push_back(*route.method);
      continue;
    }
    result.outcome = Outcome::matched;
    if (route.stream_handler) {
      result.stream_handler = &route.stream_handler;
    } else {
      result.handler = &route.handler;
      if (route.guard) result.guard = &route.guard;
    }
    result.path_params = std::move(params);
    result.rest = std::move(rest);
    result.allowed.clear();
    return result;
  }
  return result;
}

std::multimap<std::string, std::string> parse_query(std::string_view target) {
  std::multimap<std::string, std::string> out;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return out;
  // params() decodes percent-escapes and '+' (form encoding of a space).
  for (auto param : url->params()) out.emplace(param.key, param.value);
  return out;
}

}  // namespace ferry::http
