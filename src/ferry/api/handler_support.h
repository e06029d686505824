#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/api/services.h"
#include "ferry/core/result.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// A handler whose work never suspends but may block (reads and writes of the store).
using SyncHandler = std::function<http::Response(const Services&, http::RequestContext&)>;

// Adapts a SyncHandler to the router's coroutine Handler: it runs whole on the blocking pool
// (services->blocking) while the request's coroutine waits, so the I/O thread serves other
// connections meanwhile. Without a pool (tests) it runs inline.
http::Handler make_handler(std::shared_ptr<const Services> services, SyncHandler handler);

// The JSON error response for `error`, in the request's HTTP version.
http::Response fail(const http::RequestContext& ctx, const Error& error);
http::Response fail(const http::RequestContext& ctx, Errc code, std::string message);

// The integration named `key`, or Errc::not_found naming it.
Result<const config::Integration*> find_integration(const Services& services,
                                                    const std::string& key);

// The non-empty string at `field` of a JSON body, or an error naming the field.
Result<std::string> required_string(const nlohmann::json& body, const char* field);

// Query parameter `name` as a non-negative integer; `fallback` when absent;
// Errc::invalid_argument when it is not a number.
Result<std::size_t> parse_count(const http::RequestContext& ctx, const char* name,
                                std::size_t fallback);

}  // namespace ferry::api
