#include "ferry/http/json.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

TEST(ErrorResponse, EveryErrcHasItsStatusAndCode) {
  struct Case {
    Errc code;
    Status status;
    const char* name;
  };
  const Case cases[] = {
      {Errc::invalid_argument, Status::bad_request, "invalid_argument"},
      {Errc::unauthorized, Status::unauthorized, "unauthorized"},
      {Errc::not_found, Status::not_found, "not_found"},
      {Errc::method_not_allowed, Status::method_not_allowed, "method_not_allowed"},
      {Errc::conflict, Status::conflict, "conflict"},
      {Errc::payload_too_large, Status::payload_too_large, "payload_too_large"},
      {Errc::upstream_auth_failed, Status::failed_dependency, "upstream_auth_failed"},
      {Errc::internal, Status::internal_server_error, "internal"},
      {Errc::action_failed, Status::internal_server_error, "action_failed"},
      {Errc::upstream_unreachable, Status::bad_gateway, "upstream_unreachable"},
      {Errc::unavailable, Status::service_unavailable, "unavailable"},
      {Errc::upstream_timeout, Status::gateway_timeout, "upstream_timeout"},
      {Errc::config_invalid, Status::internal_server_error, "config_invalid"},
      {Errc::storage_corrupt, Status::internal_server_error, "storage_corrupt"},
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
