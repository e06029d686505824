#include "ferry/actions/request_options.h"

#include <charconv>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "ferry/core/strings.h"

namespace ferry::actions {
namespace {

using nlohmann::json;

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

// A scalar as query or header text; nullopt for tables and null.
std::optional<std::string> scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean() || value.is_number()) return value.dump();
  return std::nullopt;
}

Status read_params(const json& params, ActionRequest& request) {
  if (!params.is_object()) return bad("params must be a table of name = value");
  for (const auto& [name, value] : params.items()) {
    if (auto text = scalar_text(value)) {
      request.params.emplace_back(name, std::move(*text));
      continue;
    }
    if (!value.is_array()) {
      return bad(fmt::format("params.{} must be a string, a number, a boolean or an array", name));
    }
    for (const auto& item : value) {
      auto text = scalar_text(item);
      if (!text) return bad(fmt::format("params.{} may only hold strings, numbers, booleans", name));
      request.params.emplace_back(name, std::move(*text));
    }
  }
  return ok();
}

Status read_headers(const json& headers, ActionRequest& request) {
  if (!headers.is_object()) return bad("headers must be a table of name = value");
  for (const auto& [name, value] : headers.items()) {
    auto text = value.is_boolean() ? std::nullopt : scalar_text(value);
    if (!text) return bad(fmt::format("headers.{} must be a string or a number", name));
    request.headers.emplace_back(name, std::move(*text));
  }
  return ok();
}

void read_data(const json& data, ActionRequest& request) {
  if (data.is_string()) {
    request.body = data.get<std::string>();
    return;
  }
  request.body = data.dump();
  const bool has_type = std::any_of(request.headers.begin(), request.headers.end(),
                                    [](const auto& h) { return iequals(h.first, "content-type"); });
  if (!has_type) request.headers.emplace_back("Content-Type", "application/json");
}

Status read_field(const std::string& name, const json& value, ActionRequest& request) {
  if (name == "endpoint") {
    if (!value.is_string() || value.get<std::string>().empty()) {
      return bad("endpoint must be a non-empty string");
    }
    request.endpoint = value.get<std::string>();
  } else if (name == "params") {
    return read_params(value, request);
  } else if (name == "headers") {
    return read_headers(value, request);
  } else if (name == "retries") {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() > 100) {
      return bad("retries must be an integer from 0 to 100");
    }
    request.retries = value.get<int>();
  } else if (name != "data") {
    return bad(fmt::format("unknown request option \"{}\" (expected endpoint, params, headers, "
                           "data, retries)",
                           name));
  }
  return ok();
}

}  // namespace

Result<ActionRequest> request_from_options(const json& options, std::string_view method) {
  if (!options.is_object()) return bad("the request must be a table");
  ActionRequest request;
  request.method = std::string(method);
  for (const auto& [name, value] : options.items()) {
    if (Status read = read_field(name, value, request); !read) return std::move(read).error();
  }
  if (request.endpoint.empty()) return bad("endpoint is required");
  // After the headers, so a Content-Type given there wins.
  if (auto data = options.find("data"); data != options.end() && !data->is_null()) {
    read_data(*data, request);
  }
  return request;
}

json pagination_defaults_table(const std::map<std::string, std::string>& defaults) {
  json table = json::object();
  for (const auto& [key, value] : defaults) {
    if (key == "limit" || key == "offset_start_value") {
      std::int64_t number = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (ec == std::errc() && end == value.data() + value.size()) {
        table[key] = number;
        continue;
      }
    }
    table[key] = value;
  }
  return table;
}

Result<PaginatedRequest> paginated_request_from_options(
    const json& options, const std::map<std::string, std::string>& defaults) {
  if (!options.is_object()) return bad("paginate takes a table");
  json plain = options;
  std::string method = "GET";
  if (auto found = plain.find("method"); found != plain.end()) {
    if (!found->is_string()) return bad("method must be a string");
    method = found->get<std::string>();
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (method != "GET" && method != "POST") return bad("paginate supports GET and POST");
    plain.erase(found);
  }
  json merged = pagination_defaults_table(defaults);
  auto spec = plain.find("paginate");
  if (spec == plain.end() && defaults.empty()) {
    return bad("paginate needs a paginate = { type = ... } table (the integration sets no "
               "pagination defaults)");
  }
  if (spec != plain.end()) {
    if (!spec->is_object()) return bad("paginate must be a table");
    for (const auto& [key, value] : spec->items()) merged[key] = value;
    plain.erase(spec);
  }
  auto parsed = parse_paginate_options(merged);
  if (!parsed) return std::move(parsed).error();
  auto request = request_from_options(plain, method);
  if (!request) return std::move(request).error();
  return PaginatedRequest{std::move(*request), std::move(*parsed)};
}

}  // namespace ferry::actions
