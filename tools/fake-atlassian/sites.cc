#include "sites.h"

#include <algorithm>

namespace ferry::fake_atlassian {
namespace {

const std::vector<Site>& known_sites() {
  static const std::vector<Site> sites = {
      {"1324a887-45db-1bf4-1e99-ef0ff456d421", "acme", "https://acme.atlassian.net",
       "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png", true},
      {"8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64", "globex", "https://globex.atlassian.net",
       "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png", false},
      {"5d1c7b3e-2f8a-4c69-9e04-7a3b6d2c8f15", "initech", "https://initech.atlassian.net",
       "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/lightbulb.png", false},
  };
  return sites;
}

}  // namespace

std::vector<Site> first_sites(int count) {
  const auto& all = known_sites();
  auto n = static_cast<std::size_t>(std::clamp(count, 1, static_cast<int>(all.size())));
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)};
}

const Site* find_site(std::string_view id) {
  for (const auto& site : known_sites()) {
    if (site.id == id) return &site;
  }
  return nullptr;
}

const Account& fake_account() {
  static const Account account{"5b10ac8d82e05b22cc7d4ef5", "Fake User", "fake.user@example.com",
                               "Europe/Berlin"};
  return account;
}

bool is_jira_scope(std::string_view scope) { return scope.find("jira") != scope.npos; }

bool is_confluence_scope(std::string_view scope) { return scope.find("confluence") != scope.npos; }

}  // namespace ferry::fake_atlassian
