#include "http_util.h"

#include <cctype>

#include "ferry/core/strings.h"

namespace ferry::fake_atlassian {

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string append_query(std::string base,
                         const std::vector<std::pair<std::string, std::string>>& params) {
  char separator = base.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    base += separator;
    base += url_encode(name) + "=" + url_encode(value);
    separator = '&';
  }
  return base;
}

std::string bearer_token(const http::RequestContext& context) {
  std::string_view value = trim(context.header("Authorization"));
  if (!starts_with_icase(value, "Bearer ")) return {};
  return std::string(trim(value.substr(7)));
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

http::Response html_response(http::StatusCode status, const std::string& html, unsigned version) {
  http::Response response{status, version};
  response.set(http::bhttp::field::content_type, "text/html; charset=UTF-8");
  response.body() = html;
  response.prepare_payload();
  return response;
}

http::Handler sync_handler(std::function<http::Response(http::RequestContext&)> fn) {
  return [fn = std::move(fn)](
             http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
    co_return fn(context);
  };
}

std::optional<std::multimap<std::string, std::string>> body_fields(const http::Request& request) {
  std::multimap<std::string, std::string> out;
  const auto content_type = to_lower(request[http::bhttp::field::content_type]);
  if (content_type.find("json") != std::string::npos) {
    auto parsed = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) return std::nullopt;
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
      if (it.value().is_string()) out.emplace(it.key(), it.value().get<std::string>());
    }
    return out;
  }
  return http::parse_query("/?" + request.body());
}

std::string field(const std::multimap<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace ferry::fake_atlassian
