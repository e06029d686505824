#include "ferry/api/handler_support.h"

#include <fmt/format.h>

#include <charconv>

#include "ferry/core/blocking_pool.h"
#include "ferry/http/json.h"

namespace ferry::api {

http::Handler make_handler(std::shared_ptr<const Services> services, SyncHandler handler) {
  return [services = std::move(services), handler = std::move(handler)](
             http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    if (!services->blocking) co_return handler(*services, ctx);
    co_return co_await services->blocking->run([&] { return handler(*services, ctx); });
  };
}

http::Response fail(const http::RequestContext& ctx, const Error& error) {
  return http::error_response(error, ctx.request.version());
}

http::Response fail(const http::RequestContext& ctx, Errc code, std::string message) {
  return fail(ctx, Error{code, std::move(message)});
}

Result<const config::Integration*> find_integration(const Services& services,
                                                    const std::string& key) {
  const config::Integration* integration = services.project->find_integration(key);
  if (!integration) {
    return Error{Errc::not_found, fmt::format("unknown integration \"{}\"", key)};
  }
  return integration;
}

Result<std::string> required_string(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Error{Errc::invalid_argument,
                 fmt::format("\"{}\" is required and must be a non-empty string", field)};
  }
  return it->get<std::string>();
}

Result<std::size_t> parse_count(const http::RequestContext& ctx, const char* name,
                                std::size_t fallback) {
  const std::string* text = ctx.query_param(name);
  if (!text || text->empty()) return fallback;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Error{Errc::invalid_argument,
                 fmt::format("query parameter {} must be a non-negative integer", name)};
  }
  return value;
}

}  // namespace ferry::api
