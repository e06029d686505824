// Jira's post-connection step: which site's cloudId a new connection gets.
#include <gtest/gtest.h>

#include "ferry/auth/post_connection/atlassian_accessible_resources.h"

namespace ferry::auth::post_connection {
namespace {

using nlohmann::json;

constexpr const char* kAcme = "1324a887-45db-1bf4-1e99-ef0ff456d421";
constexpr const char* kGlobex = "8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64";

json site(const char* id, const char* name, json scopes = json::array({"read:jira-work"})) {
  return {{"id", id},
          {"name", name},
          {"url", std::string("https://") + name + ".atlassian.net"},
          {"scopes", std::move(scopes)},
          {"avatarUrl", "https://avatars.example/flag.png"}};
}

TEST(AtlassianSite, TheSubdomainPicksTheSiteElseTheFirstOne) {
  const json two = json::array({site(kAcme, "acme"), site(kGlobex, "globex")});
  struct Case {
    std::string subdomain;
    const char* cloud_id;
    const char* base_url;
    bool warns;
  };
  for (const Case& c : {Case{"", kAcme, "https://acme.atlassian.net", false},
                        Case{"globex", kGlobex, "https://globex.atlassian.net", false},
                        Case{"GLOBEX", kGlobex, "https://globex.atlassian.net", false},
                        Case{"acme", kAcme, "https://acme.atlassian.net", false},
                        Case{"initech", kAcme, "https://acme.atlassian.net", true}}) {
    auto out = choose_atlassian_site(two, c.subdomain);
    ASSERT_TRUE(out) << c.subdomain << ": " << out.error().message;
    EXPECT_EQ(out->connection_config["cloudId"], c.cloud_id) << c.subdomain;
    EXPECT_EQ(out->connection_config["baseUrl"], c.base_url) << c.subdomain;
    EXPECT_EQ(out->connection_config["sites"], two) << c.subdomain;
    EXPECT_EQ(out->warnings.size(), c.warns ? 1u : 0u) << c.subdomain;
    if (c.warns) {
      EXPECT_NE(out->warnings[0].find("initech"), std::string::npos);
    }
  }
}

TEST(AtlassianSite, ASiteUrlWithATrailingSlashStillMatches) {
  json s = site(kGlobex, "globex");
  s["url"] = "https://Globex.atlassian.net/";
  auto out = choose_atlassian_site(json::array({site(kAcme, "acme"), s}), "globex");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->connection_config["cloudId"], kGlobex);
}

TEST(AtlassianSite, ASiteListedOncePerProductIsKeptOnceWithAllItsScopes) {
  const json resources = json::array({site(kAcme, "acme", {"read:jira-work"}),
                                      site(kGlobex, "globex"),
                                      site(kAcme, "acme", {"read:page:confluence", "read:jira-work"})});
  auto out = choose_atlassian_site(resources, "");
  ASSERT_TRUE(out);
  const json& sites = out->connection_config["sites"];
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0]["id"], kAcme);
  EXPECT_EQ(sites[0]["scopes"], json::array({"read:jira-work", "read:page:confluence"}));
  EXPECT_EQ(sites[1]["id"], kGlobex);
}

TEST(AtlassianSite, UnusableAnswersAreErrors) {
  struct Case {
    json resources;
    Errc code;
  };
  const Case cases[] = {
      {json::array(), Errc::not_found},
      {json::object({{"id", kAcme}}), Errc::upstream_unreachable},
      {json("<html>"), Errc::upstream_unreachable},
      {json::array({json::object({{"name", "no id"}})}), Errc::upstream_unreachable},
      {json::array({json(42)}), Errc::upstream_unreachable},
  };
  for (const Case& c : cases) {
    auto out = choose_atlassian_site(c.resources, "");
    ASSERT_FALSE(out) << c.resources.dump();
    EXPECT_EQ(out.error().code, c.code) << c.resources.dump();
  }
}

TEST(PostConnectionSteps, TheJiraStepIsKnownByName) {
  EXPECT_NE(find_step("atlassian_accessible_resources"), nullptr);
  EXPECT_EQ(find_step("no_such_step"), nullptr);
}

TEST(AtlassianSite, AskingLeavesSeveralSitesUnchosenUnlessSomethingNamesOne) {
  const json two = json::array({site(kAcme, "acme"), site(kGlobex, "globex")});
  SiteRequest ask;
  ask.ask = true;
  auto open = choose_atlassian_site(two, ask);
  ASSERT_TRUE(open) << open.error().message;
  EXPECT_FALSE(open->connection_config.contains("cloudId"));
  EXPECT_EQ(open->removed_keys, (std::vector<std::string>{"cloudId", "baseUrl"}));
  EXPECT_EQ(open->connection_config["sites"].size(), 2u);

  // One site is no choice.
  auto one = choose_atlassian_site(json::array({site(kGlobex, "globex")}), ask);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->connection_config["cloudId"], kGlobex);

  // Named by cloud id, by subdomain, or kept from before the reconnect.
  SiteRequest by_id = ask;
  by_id.cloud_id = kGlobex;
  EXPECT_EQ(choose_atlassian_site(two, by_id)->connection_config["cloudId"], kGlobex);
  SiteRequest by_subdomain = ask;
  by_subdomain.subdomain = "globex";
  EXPECT_EQ(choose_atlassian_site(two, by_subdomain)->connection_config["cloudId"], kGlobex);
  SiteRequest kept = ask;
  kept.current_cloud_id = kGlobex;
  EXPECT_EQ(choose_atlassian_site(two, kept)->connection_config["cloudId"], kGlobex);

  // A name that matches nothing: asked, with a warning.
  SiteRequest unknown = ask;
  unknown.cloud_id = "nope";
  auto asked = choose_atlassian_site(two, unknown);
  ASSERT_TRUE(asked);
  EXPECT_FALSE(asked->connection_config.contains("cloudId"));
  EXPECT_EQ(asked->warnings.size(), 1u);

  // site_selection: first takes the first.
  SiteRequest first;
  EXPECT_EQ(choose_atlassian_site(two, first)->connection_config["cloudId"], kAcme);
}

}  // namespace
}  // namespace ferry::auth::post_connection
