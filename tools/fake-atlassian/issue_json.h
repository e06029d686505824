#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "jql.h"
#include "site_data.h"

namespace ferry::fake_atlassian {

// JSON shapes of the Jira subset (reference §4). Pure functions. `base_url` is the gateway
// prefix "http://<host>/ex/jira/<cloudId>" that `self` links start with.

// A time as Jira writes it: "2026-01-01T01:00:00.000+0000".
std::string jira_time(TimePoint t);

// GET /rest/api/3/myself for the fake account.
nlohmann::json myself_json(const std::string& base_url);

// An issue as search and GET issue return it: {"id"} alone when `fields` is id-only, else
// {"id","key","self","fields":{...selected...}}.
nlohmann::json issue_json(const Issue& issue, const FieldSelection& fields,
                          const std::string& base_url);

// An issue as a webhook delivery carries it: {"id","key","self","fields":{"summary","project",
// "issuetype","status"}}, links on `site_url` ("https://acme.atlassian.net", REST v2 paths).
nlohmann::json webhook_issue_json(const Issue& issue, const Project& project,
                                  const std::string& site_url);

// The issue a POST /rest/api/3/issue body describes (id and key not yet assigned), or the
// ErrorCollection "errors" object naming each bad field: project, summary, issuetype, and a
// description that is not an ADF document (v3 takes ADF only).
std::variant<Issue, nlohmann::json> issue_from_request(const nlohmann::json& body,
                                                       const SiteData& data, TimePoint now);

}  // namespace ferry::fake_atlassian
