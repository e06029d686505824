#include "ferry/api/connect_session_request.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

bool known(const std::string& key) { return key == "jira" || key == "slack"; }

TEST(ConnectSessionRequest, AcceptsNangosFullBodyAndFerrysConnectionId) {
  const json body = json::parse(R"({
    "end_user": {"id": "eu-1", "email": "a@example.com", "display_name": "Ada", "tags": {"plan": "pro"}},
    "organization": {"id": "org-1", "display_name": "Acme"},
    "allowed_integrations": ["jira"],
    "integrations_config_defaults": {"jira": {"user_scopes": ["x"], "authorization_params": {"prompt": "login"},
                                              "connection_config": {"subdomain": "acme", "oauth_scopes_override": "a b"}}},
    "tags": {"team": "blue"},
    "overrides": {"jira": {"docs_connect": "https://docs.example.com"}},
    "webhook_url_override": "https://hooks.example.com",
    "connection_id": "user-1"
  })");
  auto request = parse_connect_session(body, known);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->allowed_integrations, std::vector<std::string>{"jira"});
  EXPECT_EQ(request->connection_id, "user-1");
  EXPECT_EQ(request->body, body);
  EXPECT_EQ(end_user_record(body),
            (json{{"id", "eu-1"}, {"email", "a@example.com"}, {"display_name", "Ada"},
                  {"tags", {{"plan", "pro"}}},
                  {"organization", {{"id", "org-1"}, {"display_name", "Acme"}}}}));
  // Tags alone identify a session, as in Nango.
  EXPECT_TRUE(parse_connect_session(json{{"tags", {{"team", "blue"}}}}, known));
  EXPECT_TRUE(end_user_record(json{{"tags", {{"team", "blue"}}}}).is_null());
}

TEST(ConnectSessionRequest, EveryMalformedFieldIsNamed) {
  struct Case {
    const char* body;
    const char* says;
  };
  const Case cases[] = {
      {R"([])", "JSON object"},
      {R"({})", "end_user is required"},
      {R"({"end_user": "eu-1"})", "end_user must be an object"},
      {R"({"end_user": {"email": "a@b.c"}})", "end_user.id is required"},
      {R"({"end_user": {"id": ""}})", "end_user.id must not be empty"},
      {R"({"end_user": {"id": 7}})", "end_user.id must be a string"},
      {R"({"end_user": {"id": "a\nb"}})", "end_user.id must not contain control characters"},
      {R"({"end_user": {"id": "u", "email": "nope"}})", "end_user.email must be an email"},
      {R"({"end_user": {"id": "u", "nickname": "x"}})", "end_user: \"nickname\" is not a known field"},
      {R"({"end_user": {"id": "u", "tags": {"a": 1}}})", "end_user.tags.a must be a string"},
      {R"({"end_user": {"id": "u"}, "organization": {}})", "organization.id is required"},
      {R"({"end_user": {"id": "u"}, "allowed_integrations": "jira"})", "allowed_integrations must be an array"},
      {R"({"end_user": {"id": "u"}, "allowed_integrations": []})", "at least one integration"},
      {R"({"end_user": {"id": "u"}, "allowed_integrations": ["nope"]})", "unknown integration \"nope\""},
      {R"({"end_user": {"id": "u"}, "integrations_config_defaults": {"nope": {}}})", "unknown integration \"nope\""},
      {R"({"end_user": {"id": "u"}, "integrations_config_defaults": {"jira": {"scopes": "x"}}})",
       "integrations_config_defaults.jira: \"scopes\" is not a known field"},
      {R"({"end_user": {"id": "u"}, "integrations_config_defaults": {"jira": {"connection_config": []}}})",
       "integrations_config_defaults.jira.connection_config must be an object"},
      {R"({"end_user": {"id": "u"}, "integrations_config_defaults": {"jira": {"authorization_params": {"a": 1}}}})",
       "authorization_params.a must be a string"},
      {R"({"end_user": {"id": "u"}, "integrations_config_defaults": {"jira": {"user_scopes": 3}}})",
       "user_scopes must be a string or an array of strings"},
      {R"({"end_user": {"id": "u"}, "tags": ["a"]})", "tags must be an object"},
      {R"({"end_user": {"id": "u"}, "connection_id": ""})", "connection_id must not be empty"},
      {R"({"end_user": {"id": "u"}, "allowed_integration": ["jira"]})", "\"allowed_integration\" is not a known field"},
      {R"({"end_user": {"id": "u"}, "webhook_url_override": 1})", "webhook_url_override must be a string"},
  };
  for (const Case& c : cases) {
    auto request = parse_connect_session(json::parse(c.body), known);
    ASSERT_FALSE(request) << c.body;
    EXPECT_EQ(request.error().code, Errc::invalid_argument);
    EXPECT_NE(request.error().message.find(c.says), std::string::npos)
        << c.body << " -> " << request.error().message;
  }
  const json long_id = {{"end_user", {{"id", std::string(256, 'x')}}}};
  EXPECT_FALSE(parse_connect_session(long_id, known));
  json many_tags = {{"end_user", {{"id", "u"}}}, {"tags", json::object()}};
  for (int i = 0; i < 65; ++i) many_tags["tags"]["t" + std::to_string(i)] = "v";
  EXPECT_FALSE(parse_connect_session(many_tags, known));
}

TEST(ReconnectSessionRequest, NeedsTheConnectionAndAKnownIntegration) {
  auto request = parse_reconnect_session(
      json{{"connection_id", "user-1"}, {"integration_id", "jira"},
           {"end_user", {{"id", "eu-1"}}}},
      known);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->allowed_integrations, std::vector<std::string>{"jira"});
  EXPECT_EQ(request->connection_id, "user-1");

  struct Case {
    const char* body;
    const char* says;
  };
  const Case cases[] = {
      {R"({"integration_id": "jira"})", "connection_id is required"},
      {R"({"connection_id": "u"})", "integration_id is required"},
      {R"({"connection_id": "u", "integration_id": "nope"})", "unknown integration \"nope\""},
      {R"({"connection_id": 1, "integration_id": "jira"})", "connection_id must be a string"},
      {R"({"connection_id": "u", "integration_id": "jira", "end_user": {}})", "end_user.id is required"},
      {R"({"connection_id": "u", "integration_id": "jira", "allowed_integrations": ["jira"]})",
       "\"allowed_integrations\" is not a known field"},
  };
  for (const Case& c : cases) {
    auto refused = parse_reconnect_session(json::parse(c.body), known);
    ASSERT_FALSE(refused) << c.body;
    EXPECT_NE(refused.error().message.find(c.says), std::string::npos)
        << c.body << " -> " << refused.error().message;
  }
}

}  // namespace
}  // namespace ferry::api
