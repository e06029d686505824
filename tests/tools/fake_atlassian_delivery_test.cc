// fake-atlassian: Jira's webhook deliveries (POST /__admin/webhooks/deliver) to a loopback
// receiver: which webhooks fire, the HS256 JWT that signs them and the body they carry.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fake_atlassian_fixture.h"
#include "ferry/core/clock.h"
#include "ferry/core/crypto.h"
#include "temp_folder.h"
#include "test_certificates.h"
#include "test_upstream.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using testing::TestUpstream;

constexpr const char* kClientSecret = "fake-client-secret";

json entry(const std::string& jql, const json& events) {
  return {{"jqlFilter", jql}, {"events", events}};
}

// HMAC-SHA256 straight from OpenSSL, so the check does not share the fake's code.
std::string openssl_hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// A compact JWT taken apart.
struct Jwt {
  json header;
  json claims;
  std::string signing_input;  // "header.claims" as sent
  std::string signature;      // raw bytes
};

Jwt parse_jwt(const std::string& token) {
  Jwt jwt;
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  EXPECT_NE(second, std::string::npos) << token;
  if (second == std::string::npos) return jwt;
  EXPECT_EQ(token.find('.', second + 1), std::string::npos) << token;
  EXPECT_EQ(token.find('='), std::string::npos) << "base64url without padding: " << token;
  auto header = base64url_decode(token.substr(0, first));
  auto claims = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  EXPECT_TRUE(header && claims && signature) << token;
  if (!header || !claims || !signature) return jwt;
  jwt.header = json::parse(*header);
  jwt.claims = json::parse(*claims);
  jwt.signing_input = token.substr(0, second);
  jwt.signature = *signature;
  return jwt;
}

class FakeDeliveryTest : public FakeAtlassianTest {
 protected:
  void SetUp() override {
    FakeAtlassianTest::SetUp();
    receiver_ = TestUpstream::start();
    // The fake clock runs five days ahead of the wall clock: deliveries must use it.
    admin("POST", "clock", {{"advance_seconds", 5 * 86400}});
  }

  // The receiver's URL for `path` ("echo/jira").
  std::string receiver_url(const std::string& path) const { return receiver_->base_url() + path; }

  json register_at(const std::string& token, const std::string& url, const json& entries,
                   const std::string& cloud = kSiteA) {
    auto reply = post_json(webhook(cloud), {{"url", url}, {"webhooks", entries}}, token);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body)["webhookRegistrationResult"];
  }
  testing::HttpReply deliver(const json& body) {
    return post_json("/__admin/webhooks/deliver", body);
  }
  json delivered(const json& body) {
    auto reply = deliver(body);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body)["deliveries"];
  }
  std::int64_t fake_seconds() {
    auto now = parse_iso8601(admin("GET", "clock")["now"].get<std::string>());
    EXPECT_TRUE(now);
    return now ? std::chrono::duration_cast<seconds>(now->time_since_epoch()).count() : 0;
  }
  // The JWT of the receiver's last request.
  Jwt last_jwt() {
    const std::string authorization = header_of(receiver_->last(), "authorization");
    EXPECT_EQ(authorization.rfind("Bearer ", 0), 0u) << authorization;
    return parse_jwt(authorization.substr(std::min<std::size_t>(7, authorization.size())));
  }
  static std::string header_of(const TestUpstream::Seen& seen, const std::string& name) {
    auto it = seen.headers.find(name);
    return it == seen.headers.end() ? std::string() : it->second;
  }

  std::unique_ptr<TestUpstream> receiver_;
};

TEST_F(FakeDeliveryTest, ADeliveryIsSignedWithTheClientSecretAndCarriesTheIssue) {
  const std::string token = connect().access;
  const std::string url = receiver_url("echo/jira");
  register_at(token, url,
              json::array({entry("project = PROJ", {"jira:issue_created"}),
                           entry("key = PROJ-7", {"jira:issue_created", "jira:issue_updated"}),
                           entry("key = PROJ-8", {"jira:issue_created"}),
                           entry("project = PROJ", {"jira:issue_deleted"})}));
  const std::int64_t now = fake_seconds();
  auto deliveries =
      delivered({{"cloud_id", kSiteA}, {"event", "jira:issue_created"}, {"issue_key", "PROJ-7"}});
  EXPECT_EQ(deliveries,
            json::parse(R"([{"url":")" + url + R"(","status":200,"webhook_ids":[10000,10001]}])"));

  ASSERT_EQ(receiver_->count(), 1u);  // one POST per URL, however many webhooks match
  const TestUpstream::Seen seen = receiver_->last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/echo/jira");
  EXPECT_EQ(header_of(seen, "content-type"), "application/json");

  const Jwt jwt = last_jwt();
  EXPECT_EQ(jwt.header, json({{"alg", "HS256"}, {"typ", "JWT"}}));
  EXPECT_EQ(jwt.signature, openssl_hmac_sha256(kClientSecret, jwt.signing_input));
  EXPECT_NE(jwt.signature, openssl_hmac_sha256("another-secret", jwt.signing_input));
  EXPECT_EQ(jwt.claims["iss"], "fake-client-id");
  const std::int64_t iat = jwt.claims["iat"];
  EXPECT_LE(std::abs(iat - now), 5) << "iat follows the fake clock";
  EXPECT_EQ(jwt.claims["exp"].get<std::int64_t>(), iat + 180);

  const json body = json::parse(seen.body);
  EXPECT_LE(std::abs(body["timestamp"].get<std::int64_t>() - now * 1000), 5000);
  EXPECT_EQ(body["webhookEvent"], "jira:issue_created");
  EXPECT_EQ(body["issue_event_type_name"], "issue_created");
  EXPECT_EQ(body["matchedWebhookIds"], json({10000, 10001}));
  const std::string account = body["user"]["accountId"];
  EXPECT_FALSE(account.empty());
  EXPECT_EQ(body["user"]["self"],
            "https://acme.atlassian.net/rest/api/2/user?accountId=" + account);
  EXPECT_EQ(body["user"]["displayName"], "Fake User");
  const json& issue = body["issue"];
  EXPECT_EQ(issue["id"], "10007");
  EXPECT_EQ(issue["key"], "PROJ-7");
  EXPECT_EQ(issue["self"], "https://acme.atlassian.net/rest/api/2/issue/10007");
  EXPECT_EQ(issue["fields"]["summary"], "Seed issue 7");
  EXPECT_EQ(issue["fields"]["project"]["key"], "PROJ");
  EXPECT_EQ(issue["fields"]["project"]["id"], "10000");
  EXPECT_EQ(issue["fields"]["issuetype"]["name"], "Task");
  EXPECT_FALSE(issue["fields"]["status"]["name"].get<std::string>().empty());
}

TEST_F(FakeDeliveryTest, UnsignedWrongSecretAndExpiredOptionsForNegativeTests) {
  const std::string token = connect().access;
  register_at(token, receiver_url("echo/hook"),
              json::array({entry("project = PROJ", {"jira:issue_updated"})}));
  const json base = {
      {"cloud_id", kSiteA}, {"event", "jira:issue_updated"}, {"issue_key", "PROJ-1"}};

  json unsigned_request = base;
  unsigned_request["unsigned"] = true;
  EXPECT_EQ(delivered(unsigned_request)[0]["status"], 200);
  EXPECT_EQ(receiver_->last().headers.count("authorization"), 0u);

  json wrong = base;
  wrong["secret"] = "not-the-client-secret";
  EXPECT_EQ(delivered(wrong)[0]["status"], 200);
  Jwt jwt = last_jwt();
  EXPECT_NE(jwt.signature, openssl_hmac_sha256(kClientSecret, jwt.signing_input));
  EXPECT_EQ(jwt.signature, openssl_hmac_sha256("not-the-client-secret", jwt.signing_input));

  json expired = base;
  expired["expired"] = true;
  const std::int64_t now = fake_seconds();
  EXPECT_EQ(delivered(expired)[0]["status"], 200);
  jwt = last_jwt();
  EXPECT_EQ(jwt.signature, openssl_hmac_sha256(kClientSecret, jwt.signing_input));
  EXPECT_LT(jwt.claims["exp"].get<std::int64_t>(), now);
  EXPECT_EQ(jwt.claims["exp"].get<std::int64_t>(), jwt.claims["iat"].get<std::int64_t>() + 180);

  EXPECT_EQ(delivered(base)[0]["status"], 200);
  jwt = last_jwt();
  EXPECT_EQ(jwt.signature, openssl_hmac_sha256(kClientSecret, jwt.signing_input));
  EXPECT_GT(jwt.claims["exp"].get<std::int64_t>(), now);
  EXPECT_EQ(receiver_->count(), 4u);
}

TEST_F(FakeDeliveryTest, OnlyTheSitesLiveWebhooksForTheEventAndIssueFire) {
  admin("POST", "config", {{"sites", 2}});
  const std::string token = connect().access;
  const std::string acme = receiver_url("echo/acme");
  const std::string globex = receiver_url("echo/globex");
  register_at(token, acme, json::array({entry("project = PROJ", {"jira:issue_updated"})}));
  register_at(token, globex,
              json::array({entry("key = PROJ-3", {"jira:issue_updated", "comment_created"}),
                           entry("not a filter the fake reads", {"issue_property_set"})}),
              kSiteB);

  // Another event, another issue: nothing is sent.
  EXPECT_TRUE(
      delivered({{"cloud_id", kSiteA}, {"event", "jira:issue_created"}, {"issue_key", "PROJ-3"}})
          .empty());
  EXPECT_TRUE(
      delivered({{"cloud_id", kSiteB}, {"event", "jira:issue_updated"}, {"issue_key", "PROJ-4"}})
          .empty());
  EXPECT_EQ(receiver_->count(), 0u);

  auto deliveries =
      delivered({{"cloud_id", kSiteB}, {"event", "jira:issue_updated"}, {"issue_key", "PROJ-3"}});
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0]["url"], globex);
  EXPECT_EQ(deliveries[0]["webhook_ids"], json({10001}));
  json body = json::parse(receiver_->last().body);
  EXPECT_EQ(receiver_->last().target, "/echo/globex");
  EXPECT_EQ(body["issue"]["self"], "https://globex.atlassian.net/rest/api/2/issue/10003");
  EXPECT_EQ(body["issue_event_type_name"], "issue_updated");

  delivered({{"cloud_id", kSiteB}, {"event", "comment_created"}, {"issue_key", "PROJ-3"}});
  body = json::parse(receiver_->last().body);
  EXPECT_EQ(body["webhookEvent"], "comment_created");
  EXPECT_EQ(body["issue_event_type_name"], "issue_commented");
  // A filter the fake cannot evaluate matches every issue.
  deliveries =
      delivered({{"cloud_id", kSiteB}, {"event", "issue_property_set"}, {"issue_key", "PROJ-90"}});
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0]["webhook_ids"], json({10002}));
  EXPECT_FALSE(json::parse(receiver_->last().body).contains("issue_event_type_name"));
  EXPECT_EQ(receiver_->count(), 3u);

  // Expired webhooks are never delivered.
  admin("POST", "clock", {{"advance_seconds", 31 * 86400}});
  EXPECT_TRUE(
      delivered({{"cloud_id", kSiteA}, {"event", "jira:issue_updated"}, {"issue_key", "PROJ-3"}})
          .empty());
  EXPECT_EQ(receiver_->count(), 3u);
}

TEST_F(FakeDeliveryTest, EachReceiverStatusIsReportedAndAnUnreachableOneIsZero) {
  admin("POST", "config", {{"sites", 3}});
  const std::string token = connect().access;
  const json hooks = json::array({entry("project = PROJ", {"jira:issue_deleted"})});
  register_at(token, receiver_url("status/503"), hooks, kSiteA);
  std::string gone;
  {
    auto closed = TestUpstream::start();
    gone = closed->base_url() + "hook";
  }
  register_at(token, gone, hooks, kSiteB);
  testing::TempFolder folder;
  const auto certs = testing::TestCertificates::generate(folder.path().string());
  auto tls = TestUpstream::start({true, certs.server_cert, certs.server_key});
  register_at(token, tls->base_url() + "echo/tls", hooks, kSiteC);

  auto failing =
      delivered({{"cloud_id", kSiteA}, {"event", "jira:issue_deleted"}, {"issue_key", "PROJ-1"}});
  ASSERT_EQ(failing.size(), 1u);
  EXPECT_EQ(failing[0]["status"], 503);
  EXPECT_FALSE(failing[0].contains("error"));

  auto unreachable =
      delivered({{"cloud_id", kSiteB}, {"event", "jira:issue_deleted"}, {"issue_key", "PROJ-1"}});
  ASSERT_EQ(unreachable.size(), 1u);
  EXPECT_EQ(unreachable[0]["status"], 0);
  EXPECT_FALSE(unreachable[0]["error"].get<std::string>().empty());

  // A certificate the system does not trust: no delivery, and the reason.
  auto untrusted =
      delivered({{"cloud_id", kSiteC}, {"event", "jira:issue_deleted"}, {"issue_key", "PROJ-1"}});
  ASSERT_EQ(untrusted.size(), 1u);
  EXPECT_EQ(untrusted[0]["status"], 0);
  EXPECT_FALSE(untrusted[0]["error"].get<std::string>().empty());
  EXPECT_EQ(tls->count(), 0u);
}

TEST_F(FakeDeliveryTest, DeliverRejectsBadRequests) {
  const std::vector<std::string> bodies = {
      "not json",
      "[]",
      R"({"event":"jira:issue_created","issue_key":"PROJ-1"})",
      json(
          {{"cloud_id", "no-such-cloud"}, {"event", "jira:issue_created"}, {"issue_key", "PROJ-1"}})
          .dump(),
      json({{"cloud_id", kSiteA}, {"event", "sprint_started"}, {"issue_key", "PROJ-1"}}).dump(),
      json({{"cloud_id", kSiteA}, {"event", "jira:issue_created"}, {"issue_key", "PROJ-999"}})
          .dump(),
      json({{"cloud_id", kSiteA}, {"event", "jira:issue_created"}}).dump(),
      json({{"cloud_id", kSiteA},
            {"event", "jira:issue_created"},
            {"issue_key", "PROJ-1"},
            {"unsigned", "yes"}})
          .dump(),
      json({{"cloud_id", kSiteA},
            {"event", "jira:issue_created"},
            {"issue_key", "PROJ-1"},
            {"signed", false}})
          .dump(),
  };
  for (const auto& body : bodies) {
    auto reply = request("POST", "/__admin/webhooks/deliver", {}, body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_FALSE(json::parse(reply.body)["error"].get<std::string>().empty()) << body;
  }
  EXPECT_EQ(receiver_->count(), 0u);
}

}  // namespace
}  // namespace ferry::fake_atlassian
