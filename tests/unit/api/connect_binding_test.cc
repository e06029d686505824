#include "ferry/api/connect_binding.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

std::string fresh_id() { return "generated-id"; }

BrowserRequest with_id(std::string connection_id) {
  BrowserRequest browser;
  browser.connection_id = std::move(connection_id);
  return browser;
}

FlowBinding bound(const std::variant<FlowBinding, ConnectFailure>& outcome) {
  if (const auto* failure = std::get_if<ConnectFailure>(&outcome)) {
    ADD_FAILURE() << "refused: " << failure->type << ": " << failure->message;
    return {};
  }
  return std::get<FlowBinding>(outcome);
}

ConnectFailure refused(const std::variant<FlowBinding, ConnectFailure>& outcome) {
  if (const auto* failure = std::get_if<ConnectFailure>(&outcome)) return *failure;
  ADD_FAILURE() << "bound to " << std::get<FlowBinding>(outcome).connection_id;
  return {};
}

store::ConnectSession session_with(json request, std::string connection_id = "",
                                   bool reconnect = false) {
  store::ConnectSession s;
  s.token_hash = "h";
  s.request = std::move(request);
  s.connection_id = std::move(connection_id);
  s.is_reconnect = reconnect;
  return s;
}

TEST(BindFlow, APublicKeyFlowTakesTheBrowsersIdAndParamsAndMayOnlyCreate) {
  BrowserRequest browser{"user-1", {{"subdomain", "acme"}}, "chat:write"};
  FlowBinding b = bound(bind_flow(nullptr, "jira", browser, fresh_id));
  EXPECT_EQ(b.connection_id, "user-1");
  EXPECT_EQ(b.connection_config, (json{{"subdomain", "acme"}}));
  EXPECT_EQ(b.user_scope, "chat:write");
  EXPECT_FALSE(b.may_overwrite);
  EXPECT_TRUE(b.end_user.is_null());

  EXPECT_EQ(bound(bind_flow(nullptr, "jira", {}, fresh_id)).connection_id, "generated-id");
}

TEST(BindFlow, ASessionWithoutAFixedIdGeneratesOneAndRefusesTheBrowsers) {
  const auto session = session_with({{"end_user", {{"id", "eu-1"}, {"email", "a@b.c"}}},
                                     {"organization", {{"id", "org-1"}}},
                                     {"tags", {{"team", "blue"}}}});
  FlowBinding b = bound(bind_flow(&session, "jira", {}, fresh_id));
  EXPECT_EQ(b.connection_id, "generated-id");
  EXPECT_FALSE(b.may_overwrite);
  EXPECT_EQ(b.end_user["id"], "eu-1");
  EXPECT_EQ(b.end_user["email"], "a@b.c");
  EXPECT_TRUE(b.end_user["display_name"].is_null());
  EXPECT_EQ(b.end_user["organization"]["id"], "org-1");
  // The session's tags, and the end user's reserved keys the SDK's tags filter uses.
  EXPECT_EQ(b.tags, (json{{"team", "blue"},
                          {"end_user_id", "eu-1"},
                          {"end_user_email", "a@b.c"},
                          {"organization_id", "org-1"}}));

  ConnectFailure f = refused(bind_flow(&session, "jira", with_id("someone-else"), fresh_id));
  EXPECT_EQ(f.status, http::StatusCode::bad_request);
  EXPECT_EQ(f.type, "connection_id_not_allowed");
  EXPECT_NE(f.message.find("leave connection_id out"), std::string::npos) << f.message;
}

TEST(BindFlow, AFixedIdIsTheOnlyOneAllowed) {
  const auto session = session_with({{"end_user", {{"id", "eu-1"}}}}, "user-7");
  EXPECT_EQ(bound(bind_flow(&session, "jira", {}, fresh_id)).connection_id, "user-7");
  EXPECT_EQ(bound(bind_flow(&session, "jira", with_id("user-7"), fresh_id)).connection_id, "user-7");
  ConnectFailure f = refused(bind_flow(&session, "jira", with_id("user-8"), fresh_id));
  EXPECT_EQ(f.type, "connection_id_not_allowed");
  EXPECT_NE(f.message.find("\"user-7\""), std::string::npos) << f.message;
}

TEST(BindFlow, OnlyAReconnectSessionMayOverwrite) {
  const auto session = session_with({{"connection_id", "user-7"}, {"integration_id", "jira"}},
                                    "user-7", /*reconnect=*/true);
  FlowBinding b = bound(bind_flow(&session, "jira", {}, fresh_id));
  EXPECT_EQ(b.connection_id, "user-7");
  EXPECT_TRUE(b.may_overwrite);
  EXPECT_TRUE(b.end_user.is_null());  // none given: the stored one stays
}

TEST(BindFlow, BrowserParamsAddToTheBackendsButNeverChangeThem) {
  const auto session = session_with(
      {{"end_user", {{"id", "eu-1"}}},
       {"integrations_config_defaults",
        {{"jira",
          {{"connection_config", {{"subdomain", "acme"}}},
           {"authorization_params", {{"prompt", "login"}}},
           {"user_scopes", {"a", "b"}}}}}}});
  BrowserRequest extra{"", {{"subdomain", "acme"}, {"region", "eu"}}, std::nullopt};
  FlowBinding b = bound(bind_flow(&session, "jira", extra, fresh_id));
  EXPECT_EQ(b.connection_config, (json{{"subdomain", "acme"}, {"region", "eu"}}));
  EXPECT_EQ(b.authorization_params, (std::map<std::string, std::string>{{"prompt", "login"}}));
  EXPECT_EQ(b.user_scope, "a,b");

  BrowserRequest override_config{"", {{"subdomain", "evil"}}, std::nullopt};
  ConnectFailure f = refused(bind_flow(&session, "jira", override_config, fresh_id));
  EXPECT_EQ(f.type, "param_not_allowed");
  EXPECT_NE(f.message.find("params[subdomain]"), std::string::npos) << f.message;

  BrowserRequest override_scope{"", json::object(), "admin"};
  EXPECT_EQ(refused(bind_flow(&session, "jira", override_scope, fresh_id)).type,
            "param_not_allowed");
  // Another integration's defaults do not apply.
  EXPECT_EQ(bound(bind_flow(&session, "slack", override_config, fresh_id)).connection_config,
            (json{{"subdomain", "evil"}}));
}

}  // namespace
}  // namespace ferry::api
