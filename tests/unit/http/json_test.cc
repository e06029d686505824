#include "ferry/http/json.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

TEST(ErrorResponse, EveryErrcHasItsStatusAndCode) {
  struct Case {
    Errc code;
    StatusCode status;
    const char* name;
  };
  const Case cases[] = {
      {Errc::invalid_argument, StatusCode::bad_request, "invalid_argument"},
      {Errc::unauthorized, StatusCode::unauthorized, "unauthorized"},
      {Errc::not_found, StatusCode::not_found, "not_found"},
      {Errc::method_not_allowed, StatusCode::method_not_allowed, "method_not_allowed"},
      {Errc::conflict, StatusCode::conflict, "conflict"},
      {Errc::payload_too_large, StatusCode::payload_too_large, "payload_too_large"},
      {Errc::too_many_requests, StatusCode::too_many_requests, "too_many_requests"},
      {Errc::upstream_auth_failed, StatusCode::failed_dependency, "upstream_auth_failed"},
      {Errc::internal, StatusCode::internal_server_error, "internal"},
      {Errc::action_failed, StatusCode::internal_server_error, "action_failed"},
      {Errc::upstream_unreachable, StatusCode::bad_gateway, "upstream_unreachable"},
      {Errc::unavailable, StatusCode::service_unavailable, "unavailable"},
      {Errc::upstream_timeout, StatusCode::gateway_timeout, "upstream_timeout"},
      {Errc::config_invalid, StatusCode::internal_server_error, "config_invalid"},
      {Errc::storage_corrupt, StatusCode::internal_server_error, "storage_corrupt"},
      {Errc::egress_forbidden, StatusCode::forbidden, "egress_forbidden"},
      {Errc::forbidden, StatusCode::forbidden, "forbidden"},
      {Errc::deprecated_endpoint, StatusCode::gone, "deprecated_endpoint"},
  };
  for (const auto& c : cases) {
    auto response = error_response(Error{c.code, "what went wrong"});
    EXPECT_EQ(response.result(), c.status) << c.name;
    auto body = nlohmann::json::parse(response.body());
    EXPECT_EQ(body["error"]["code"], c.name);
    EXPECT_EQ(body["error"]["message"], "what went wrong");
    EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  }
}

TEST(ParseJsonBody, RejectsEmptyAndMalformedBodies) {
  Request request{Verb::post, "/x", 11};
  EXPECT_FALSE(parse_json_body(request));
  request.body() = "{\"a\": ";
  auto parsed = parse_json_body(request);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Errc::invalid_argument);
  request.body() = "{\"a\": 1}";
  ASSERT_TRUE(parse_json_body(request));
}

}  // namespace
}  // namespace ferry::http
