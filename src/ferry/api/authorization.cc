#include "ferry/api/authorization.h"

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "ferry/http/server/stream_context.h"

namespace ferry::api {

Status check_secret_key(std::string_view authorization, const std::string& secret_key) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.empty()) {
    return Error{Errc::unauthorized,
                 "missing Authorization header; expected \"Bearer <secret_key>\""};
  }
  std::string_view presented = starts_with_icase(authorization, kScheme)
                                   ? trim(authorization.substr(kScheme.size()))
                                   : std::string_view();
  if (!constant_time_equals(presented, secret_key)) {
    return Error{Errc::unauthorized, "the secret key is not valid"};
  }
  return ok();
}

http::GuardedHandler require_secret_key(std::shared_ptr<const Services> services,
                                        http::Handler handler) {
  auto guard = [services = std::move(services)](const http::bhttp::fields& header) {
    auto authorization = header.find(http::bhttp::field::authorization);
    const std::string_view value =
        authorization == header.end()
            ? std::string_view()
            : std::string_view(authorization->value().data(), authorization->value().size());
    return check_secret_key(value, services->project->server.secret_key);
  };
  return http::GuardedHandler{std::move(guard), std::move(handler)};
}

http::StreamHandler require_secret_key(std::shared_ptr<const Services> services,
                                       http::StreamHandler handler) {
  return [services = std::move(services), handler = std::move(handler)](
             http::StreamContext& ctx)
             -> boost::asio::awaitable<std::optional<http::Response>> {
    auto allowed = check_secret_key(ctx.header("Authorization"),
                                    services->project->server.secret_key);
    if (!allowed) {
      ctx.must_close = !ctx.parser.is_done();
      co_return http::error_response(allowed.error(), ctx.parser.get().version());
    }
    co_return co_await handler(ctx);
  };
}

}  // namespace ferry::api
