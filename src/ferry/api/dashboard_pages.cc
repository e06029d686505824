#include "ferry/api/dashboard_pages.h"

#include "ferry/api/embedded_file_response.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

namespace bhttp = http::bhttp;

constexpr std::string_view kIndexFile = "index.html";
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const config::EmbeddedFile* find_file(const Services& services, std::string_view name) {
  return services.dashboard_files ? find_embedded_file(*services.dashboard_files, name) : nullptr;
}

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "application/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

http::Response file_response(const config::EmbeddedFile& file, bhttp::verb method,
                             unsigned version) {
  http::Response response = embedded_file_response(file, content_type(file.name), version);
  // The files change with the binary and carry no version in their names: revalidate.
  response.set(bhttp::field::cache_control, "no-cache");
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Frame-Options", "DENY");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "same-origin");
  if (method == bhttp::verb::head) response.body().clear();  // Content-Length stays
  return response;
}

}  // namespace

http::Response dashboard_index(const Services& services, bhttp::verb method, unsigned version) {
  const config::EmbeddedFile* index = find_file(services, kIndexFile);
  if (!index || (method != bhttp::verb::get && method != bhttp::verb::head)) {
    return http::error_response(
        Error{Errc::not_found, index ? "no route for this method on / (GET shows the dashboard)"
                                     : "this build of Ferry has no dashboard"},
        version);
  }
  return file_response(*index, method, version);
}

void register_dashboard_pages(http::Router& router, std::shared_ptr<const Services> services,
                              bool serve_index) {
  router.add(http::Verb::get, "/dashboard/assets/{file}",
             [services](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               const std::string& name = ctx.path_params.at("file");
               const config::EmbeddedFile* file =
                   name == kIndexFile ? nullptr : find_file(*services, name);
               if (!file) {
                 co_return http::error_response(
                     Error{Errc::not_found, "no dashboard asset by that name"},
                     ctx.request.version());
               }
               co_return file_response(*file, ctx.request.method(), ctx.request.version());
             });
  if (serve_index) {
    router.add(http::Verb::get, "/",
               [services](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
                 co_return dashboard_index(*services, ctx.request.method(),
                                           ctx.request.version());
               });
  }
}

}  // namespace ferry::api
