#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::fake_atlassian {

// One Atlassian Cloud site a grant can reach. The fake knows three, with fixed cloud ids so
// test failures are reproducible: "acme" (Jira and Confluence), "globex" and "initech" (Jira
// only).
struct Site {
  std::string id;  // the cloudId
  std::string name;
  std::string url;
  std::string avatar_url;
  bool has_confluence = false;
};

// How many sites the fake knows: a grant reaches the first 1..kSiteCount of them.
inline constexpr int kSiteCount = 3;

// The first `count` known sites (1..kSiteCount; clamped).
std::vector<Site> first_sites(int count);

// The known site with cloud id `id`, or nullptr.
const Site* find_site(std::string_view id);

// The user every token acts as (one account is enough for a fake).
struct Account {
  std::string account_id;
  std::string display_name;
  std::string email;
  std::string time_zone;
};
const Account& fake_account();

// True when `scope` belongs to Jira / to Confluence (by its name, e.g. "read:jira-work",
// "read:page:confluence", "read:confluence-user").
bool is_jira_scope(std::string_view scope);
bool is_confluence_scope(std::string_view scope);

}  // namespace ferry::fake_atlassian
