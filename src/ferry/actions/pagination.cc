#include "ferry/actions/pagination.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <map>

#include "ferry/core/strings.h"
#include "ferry/core/url_parse.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
namespace urls = boost::urls;

Error bad_option(std::string message) {
  return Error{Errc::invalid_argument, "paginate: " + std::move(message)};
}

Result<std::int64_t> as_integer(const json& value, std::string_view name) {
  if (!value.is_number_integer()) return bad_option(fmt::format("{} must be an integer", name));
  return value.get<std::int64_t>();
}

// The options that take a string, by name.
const std::map<std::string, std::string PaginateOptions::*, std::less<>>& string_options() {
  static const std::map<std::string, std::string PaginateOptions::*, std::less<>> table = {
      {"response_path", &PaginateOptions::response_path},
      {"limit_name_in_request", &PaginateOptions::limit_name_in_request},
      {"is_last_path", &PaginateOptions::is_last_path},
      {"cursor_path_in_response", &PaginateOptions::cursor_path_in_response},
      {"cursor_name_in_request", &PaginateOptions::cursor_name_in_request},
      {"offset_name_in_request", &PaginateOptions::offset_name_in_request},
      {"total_path", &PaginateOptions::total_path},
      {"link_rel_in_response_header", &PaginateOptions::link_rel_in_response_header},
      {"link_path_in_response_body", &PaginateOptions::link_path_in_response_body},
      {"link_prefix", &PaginateOptions::link_prefix},
  };
  return table;
}

// Sets option `name` of `o` from `value`; Errc::invalid_argument for an unknown name or a
// wrongly typed value.
Status set_option(PaginateOptions& o, const std::string& name, const json& value) {
  if (auto member = string_options().find(name); member != string_options().end()) {
    if (!value.is_string()) return bad_option(fmt::format("{} must be a string", name));
    o.*(member->second) = value.get<std::string>();
    return ok();
  }
  if (name == "limit" || name == "offset_start_value") {
    auto n = as_integer(value, name);
    if (!n) return std::move(n).error();
    if (name == "offset_start_value") {
      o.offset_start_value = *n;
    } else if (*n <= 0) {
      return bad_option("limit must be positive");
    } else {
      o.limit = *n;
    }
    return ok();
  }
  if (name == "offset_calculation_method") {
    if (value != "per-page" && value != "by-response-size") {
      return bad_option("offset_calculation_method must be \"per-page\" or \"by-response-size\"");
    }
    o.offset_per_page = value == "per-page";
    return ok();
  }
  return bad_option(fmt::format("unknown option \"{}\"", name));
}

Result<PaginateOptions> preset(std::string_view type) {
  PaginateOptions o;
  if (type == "cursor") {
    o.type = PaginationType::cursor;
  } else if (type == "link") {
    o.type = PaginationType::link;
  } else if (type == "offset") {
    o.type = PaginationType::offset;
  } else if (type == "next_page_token") {
    o.type = PaginationType::cursor;
    o.cursor_path_in_response = "nextPageToken";
    o.cursor_name_in_request = "nextPageToken";
    o.limit_name_in_request = "maxResults";
    o.is_last_path = "isLast";
    o.response_path = "issues";
  } else if (type == "jira_start_at") {
    o.type = PaginationType::offset;
    o.offset_name_in_request = "startAt";
    o.limit_name_in_request = "maxResults";
    o.is_last_path = "isLast";
    o.total_path = "total";
    o.response_path = "values";
  } else {
    return bad_option(fmt::format(
        "unknown type \"{}\" (expected cursor, link, offset, next_page_token or jira_start_at)",
        type));
  }
  return o;
}

Status check_required(const PaginateOptions& o) {
  if (o.type == PaginationType::cursor &&
      (o.cursor_path_in_response.empty() || o.cursor_name_in_request.empty())) {
    return bad_option("type cursor needs cursor_path_in_response and cursor_name_in_request");
  }
  if (o.type == PaginationType::offset && o.offset_name_in_request.empty()) {
    return bad_option("type offset needs offset_name_in_request");
  }
  if (o.type == PaginationType::link && o.link_rel_in_response_header.empty() &&
      o.link_path_in_response_body.empty()) {
    return bad_option(
        "type link needs link_rel_in_response_header or link_path_in_response_body");
  }
  return ok();
}

void set_param(std::vector<std::pair<std::string, std::string>>& params, const std::string& name,
               std::string value) {
  auto it = std::find_if(params.begin(), params.end(),
                         [&](const auto& param) { return param.first == name; });
  if (it != params.end()) {
    it->second = std::move(value);
  } else {
    params.emplace_back(name, std::move(value));
  }
}

std::string excerpt(std::string_view body) {
  constexpr std::size_t kMax = 300;
  return body.size() <= kMax ? std::string(body) : std::string(body.substr(0, kMax)) + "...";
}

// "scheme://host:port" lower-cased with the default port made explicit, and the path with a
// trailing '/'.
struct Origin {
  std::string origin;
  std::string path;
};

std::optional<Origin> origin_of(const urls::url_view& url) {
  if (!url.has_scheme() || !url.has_authority() || url.has_userinfo()) return std::nullopt;
  std::string scheme = to_lower(url.scheme());
  std::string port = url.has_port() && !url.port().empty() ? std::string(url.port())
                     : scheme == "https"                    ? "443"
                                                            : "80";
  std::string path(url.encoded_path());
  if (path.empty() || path.back() != '/') path += '/';
  return Origin{scheme + "://" + to_lower(url.encoded_host()) + ":" + port, std::move(path)};
}

Result<NextLink> split_reference(const urls::url_view& url) {
  NextLink next;
  next.endpoint = std::string(url.encoded_path());
  for (auto param : url.params()) {
    next.params.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  return next;
}

bool is_index(const std::string& segment) {
  return !segment.empty() && segment.size() <= 9 &&
         std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<PaginateOptions> parse_paginate_options(const json& spec) {
  if (!spec.is_object()) return bad_option("paginate must be a table");
  auto type = spec.find("type");
  if (type == spec.end() || !type->is_string()) {
    return bad_option("paginate.type is required (cursor, link, offset, next_page_token or "
                      "jira_start_at)");
  }
  auto options = preset(type->get<std::string>());
  if (!options) return options;
  for (const auto& [name, value] : spec.items()) {
    if (name == "type") continue;
    if (Status set = set_option(*options, name, value); !set) return std::move(set).error();
  }
  if (Status complete = check_required(*options); !complete) return std::move(complete).error();
  return options;
}

Result<NextLink> resolve_next_link(std::string_view link, std::string_view current_endpoint,
                                   std::string_view base_url, std::string_view prefix) {
  link = trim(link);
  if (link.starts_with("//")) return bad_option("the next page link has no scheme but a host");
  auto parsed = ferry::parse_uri_reference(link);
  if (!parsed) return bad_option("the next page link is not a valid URL");
  if (parsed->has_scheme()) {
    auto base = ferry::parse_uri(base_url);
    auto base_origin = base ? origin_of(*base) : std::nullopt;
    auto link_origin = origin_of(*parsed);
    if (!base_origin || !link_origin || base_origin->origin != link_origin->origin ||
        !std::string(parsed->encoded_path()).starts_with(base_origin->path)) {
      return bad_option("the next page link leaves the integration's base URL");
    }
    auto next = split_reference(*parsed);
    next->endpoint = "/" + next->endpoint.substr(base_origin->path.size());
    return next;
  }
  if (parsed->has_authority()) return bad_option("the next page link has a host but no scheme");
  if (link.starts_with('/')) {
    auto next = split_reference(*parsed);
    std::string_view trimmed_prefix = prefix;
    while (trimmed_prefix.ends_with('/')) trimmed_prefix.remove_suffix(1);
    if (!trimmed_prefix.empty() && !next->endpoint.starts_with(trimmed_prefix)) {
      next->endpoint = std::string(trimmed_prefix) + next->endpoint;
    }
    return next;
  }
  // Relative to the current page, as RFC 3986 §5.2 resolves it.
  std::string current = "http://relative.invalid/";
  current += current_endpoint.starts_with('/') ? current_endpoint.substr(1) : current_endpoint;
  auto base = ferry::parse_uri(current);
  if (!base) return bad_option("the current endpoint is not a valid path");
  urls::url resolved;
  if (auto done = urls::resolve(*base, *parsed, resolved); !done) {
    return bad_option("the next page link cannot be resolved");
  }
  return split_reference(resolved);
}

std::optional<std::string> find_link(std::string_view header, std::string_view rel) {
  // link-value = "<" URI-Reference ">" *( ";" link-param ); values are comma-separated, and
  // a URI may itself contain commas, so parse by '<' ... '>'.
  std::size_t pos = 0;
  while ((pos = header.find('<', pos)) != std::string_view::npos) {
    const std::size_t close = header.find('>', pos);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view url = header.substr(pos + 1, close - pos - 1);
    std::size_t end = header.find('<', close);
    std::string_view params = header.substr(close + 1, end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : end - close - 1);
    for (const std::string& piece : split(params, ';')) {
      std::string_view param = piece;
      auto eq = param.find('=');
      if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "rel")) continue;
      std::string_view value = trim(param.substr(eq + 1));
      while (!value.empty() && (value.back() == ',' || value.back() == ' ')) value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      for (const std::string& token : split(value, ' ')) {
        if (iequals(trim(token), rel)) return std::string(url);
      }
    }
    pos = close + 1;
  }
  return std::nullopt;
}

const json* find_path(const json& body, std::string_view path) {
  const json* node = &body;
  for (const std::string& segment : split(path, '.')) {
    if (node->is_object()) {
      auto it = node->find(segment);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array() && is_index(segment)) {
      std::size_t index = std::stoul(segment);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

Paginator::Paginator(ActionRequest first, PaginateOptions options, std::string base_url)
    : request_(std::move(first)), options_(std::move(options)), base_url_(std::move(base_url)) {
  if (options_.limit && !options_.limit_name_in_request.empty()) {
    set_param(request_.params, options_.limit_name_in_request, std::to_string(*options_.limit));
  }
  if (options_.type == PaginationType::offset) {
    offset_ = options_.offset_start_value;
    set_param(request_.params, options_.offset_name_in_request, std::to_string(offset_));
  }
}

std::optional<ActionRequest> Paginator::next_request() const {
  if (done_) return std::nullopt;
  return request_;
}

Result<json> Paginator::take_response(const ActionResponse& response, const json& body) {
  const std::string what = request_.method + " " + request_.endpoint;
  done_ = true;  // until proven otherwise
  if (response.status < 200 || response.status > 299) {
    return bad_option(
        fmt::format("{} answered {}: {}", what, response.status, excerpt(response.body)));
  }
  if (body.is_discarded()) return bad_option(fmt::format("the answer to {} is not JSON", what));
  auto records = records_of(body);
  if (!records) return records;
  done_ = false;
  if (Status moved = advance(response, body, records->size()); !moved) {
    done_ = true;
    return std::move(moved).error();
  }
  return records;
}

Result<json> Paginator::records_of(const json& body) const {
  if (options_.response_path.empty()) {
    if (body.is_array()) return body;
    return bad_option("the answer is not an array; set response_path to where the records are");
  }
  const json* found = find_path(body, options_.response_path);
  if (!found || found->is_null()) return json::array();
  if (!found->is_array()) {
    return bad_option(fmt::format("\"{}\" in the answer is not an array", options_.response_path));
  }
  return *found;
}

Status Paginator::advance(const ActionResponse& response, const json& body,
                          std::size_t record_count) {
  const json* is_last = options_.is_last_path.empty() ? nullptr
                                                      : find_path(body, options_.is_last_path);
  if (is_last && is_last->is_boolean() && is_last->get<bool>()) {
    done_ = true;
    return ok();
  }
  switch (options_.type) {
    case PaginationType::cursor: {
      const json* next = find_path(body, options_.cursor_path_in_response);
      std::string cursor = !next                            ? std::string()
                           : next->is_string()              ? next->get<std::string>()
                           : next->is_number_integer()      ? std::to_string(next->get<std::int64_t>())
                                                            : std::string();
      // A missing cursor ends the walk; an unchanged one would loop forever.
      if (cursor.empty() || cursor == cursor_) {
        done_ = true;
        return ok();
      }
      cursor_ = cursor;
      set_param(request_.params, options_.cursor_name_in_request, std::move(cursor));
      return ok();
    }
    case PaginationType::offset: {
      const json* total = options_.total_path.empty() ? nullptr
                                                      : find_path(body, options_.total_path);
      const std::int64_t next =
          offset_ + (options_.offset_per_page ? 1 : static_cast<std::int64_t>(record_count));
      const bool has_is_last = is_last && is_last->is_boolean();
      const bool has_total = total && total->is_number_integer();
      if (record_count == 0 ||
          (has_total && !options_.offset_per_page && next >= total->get<std::int64_t>()) ||
          (!has_is_last && !has_total && options_.limit &&
           static_cast<std::int64_t>(record_count) < *options_.limit)) {
        done_ = true;
        return ok();
      }
      offset_ = next;
      set_param(request_.params, options_.offset_name_in_request, std::to_string(offset_));
      return ok();
    }
    case PaginationType::link:
      return advance_link(response, body);
  }
  return ok();
}

Status Paginator::advance_link(const ActionResponse& response, const json& body) {
  std::optional<std::string> link;
  if (!options_.link_path_in_response_body.empty()) {
    const json* found = find_path(body, options_.link_path_in_response_body);
    if (found && found->is_string() && !found->get<std::string>().empty()) {
      link = found->get<std::string>();
    }
  }
  if (!link && !options_.link_rel_in_response_header.empty()) {
    for (const auto& [name, value] : response.headers) {
      if (!iequals(name, "link")) continue;
      link = find_link(value, options_.link_rel_in_response_header);
      if (link) break;
    }
  }
  if (!link) {
    done_ = true;
    return ok();
  }
  auto next = resolve_next_link(*link, request_.endpoint, base_url_, options_.link_prefix);
  if (!next) return std::move(next).error();
  request_.endpoint = std::move(next->endpoint);
  request_.params = std::move(next->params);
  return ok();
}

}  // namespace ferry::actions
