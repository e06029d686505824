#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/clock.h"

namespace ferry::fake_atlassian {

// A Jira issue as the fake stores it.
struct Issue {
  std::string id;   // "10001"
  std::string key;  // "PROJ-1"
  std::string project_key;
  std::string summary;
  std::string issue_type;
  std::string status;
  nlohmann::json description;  // ADF document or null
  TimePoint created;
};

// A Confluence page as the fake stores it.
struct Page {
  std::string id;
  std::string status;  // current | draft
  std::string title;
  std::string space_id;
  std::string parent_id;
  std::string representation;  // storage | atlas_doc_format | wiki
  std::string body;
  TimePoint created;
};

// A Jira project or a Confluence space.
struct Project {
  std::string id;
  std::string key;
  std::string name;
};

// One site's content. Not thread-safe: the State's mutex guards it.
struct SiteData {
  std::vector<Project> projects;  // Jira
  std::vector<Project> spaces;    // Confluence
  std::vector<Issue> issues;      // in creation order
  std::vector<Page> pages;        // in creation order
  int next_issue_id = 10001;
  int next_page_id = 100001;

  const Project* find_project(std::string_view id_or_key) const;
  const Project* find_space(std::string_view id) const;
  const Issue* find_issue(std::string_view id_or_key) const;
  const Page* find_page(std::string_view id) const;
  // Adds an issue with the next id and the next key of its project; returns it.
  const Issue& add_issue(Issue issue);
  // Adds a page with the next id; returns it.
  const Page& add_page(Page page);
};

// The seed content of every site: project PROJ with kSeedIssues issues, spaces ENG and DOCS
// with kSeedPages pages between them. `epoch` is the creation time of the first item.
inline constexpr int kSeedIssues = 120;
inline constexpr int kSeedPages = 60;
SiteData seed_site_data(TimePoint epoch);

}  // namespace ferry::fake_atlassian
