// Routing and the API key are checked on the request header, before the body is read: an
// unauthenticated or misrouted client cannot make the server wait for, or buffer, a body.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

constexpr const char* kSecret = "e2e-refused-before-body-secret";

class RefusedBeforeBody : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-body");
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret + "\n");
    write_file(dir_ + "/integrations.yaml", "integrations: {}\n");
    server_ = std::make_unique<RunningFerry>(dir_);
    ASSERT_NE(server_->port(), 0);
  }

  // A request header announcing `length` bytes of body, with no body sent.
  static std::string header_only(const std::string& request_line, std::size_t length,
                                 const std::string& extra_headers = "") {
    return request_line + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           extra_headers + "Content-Length: " + std::to_string(length) + "\r\n\r\n";
  }

  std::string code_of(const HttpReply& reply) {
    auto body = nlohmann::json::parse(reply.body, nullptr, false);
    return body.is_object() ? body["error"].value("code", "") : "";
  }

  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

// Before, the server waited (up to its two-minute I/O timeout) for a body it would then
// refuse; the client's read timed out first.
TEST_F(RefusedBeforeBody, AMissingKeyIsRefusedWithoutWaitingForTheBody) {
  HttpClient client("127.0.0.1", server_->port());
  auto reply = client.raw(header_only("POST /connections", 5'000'000));
  EXPECT_EQ(reply.status, 401) << reply.body;
  EXPECT_EQ(code_of(reply), "unauthorized");
  EXPECT_TRUE(client.server_closed());
}

TEST_F(RefusedBeforeBody, AWrongKeyIsRefusedWithoutWaitingForTheBody) {
  HttpClient client("127.0.0.1", server_->port());
  auto reply = client.raw(header_only("POST /action/trigger", 8'000'000,
                                      "Authorization: Bearer not-the-key\r\n"));
  EXPECT_EQ(reply.status, 401) << reply.body;
  EXPECT_TRUE(client.server_closed());
}

TEST_F(RefusedBeforeBody, UnknownRoutesAndMethodsAreAnsweredWithoutWaitingForTheBody) {
  HttpClient unknown("127.0.0.1", server_->port());
  auto missing = unknown.raw(header_only("POST /no/such/route", 3'000'000));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(code_of(missing), "not_found");
  HttpClient wrong("127.0.0.1", server_->port());
  auto not_allowed = wrong.raw(header_only("PUT /health", 3'000'000));
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(not_allowed.header("allow"), "GET");
}

// A client that sent its whole body before reading still gets the refusal: the server drains
// what arrives for a moment instead of resetting the connection under the response.
TEST_F(RefusedBeforeBody, AClientThatSentItsWholeBodyStillReadsTheRefusal) {
  const std::string body = "{\"padding\":\"" + std::string(600'000, 'x') + "\"}";
  HttpClient client("127.0.0.1", server_->port());
  auto reply = client.raw(header_only("POST /connections", body.size()) + body);
  EXPECT_EQ(reply.status, 401) << reply.body;
  // The server is fine afterwards, and an authorised request with a body still works.
  auto health = server_->client().get("/health");
  EXPECT_EQ(health.status, 200);
  auto bad = server_->client().request(
      "POST", "/connections", {{"Authorization", std::string("Bearer ") + kSecret}}, "{}");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

}  // namespace
}  // namespace ferry::testing
