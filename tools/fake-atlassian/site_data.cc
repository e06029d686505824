#include "site_data.h"

#include <algorithm>

namespace ferry::fake_atlassian {
namespace {

nlohmann::json paragraph_document(const std::string& text) {
  nlohmann::json text_node = {{"type", "text"}, {"text", text}};
  nlohmann::json paragraph = {{"type", "paragraph"},
                              {"content", nlohmann::json::array({text_node})}};
  return {{"type", "doc"}, {"version", 1}, {"content", nlohmann::json::array({paragraph})}};
}

int next_number_in(const std::vector<Issue>& issues, const std::string& project_key) {
  int highest = 0;
  const std::string prefix = project_key + "-";
  for (const auto& issue : issues) {
    if (issue.key.rfind(prefix, 0) != 0) continue;
    highest = std::max(highest, std::stoi(issue.key.substr(prefix.size())));
  }
  return highest + 1;
}

}  // namespace

const Project* SiteData::find_project(std::string_view id_or_key) const {
  for (const auto& p : projects) {
    if (p.id == id_or_key || p.key == id_or_key) return &p;
  }
  return nullptr;
}

const Project* SiteData::find_space(std::string_view id) const {
  for (const auto& s : spaces) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Issue* SiteData::find_issue(std::string_view id_or_key) const {
  for (const auto& issue : issues) {
    if (issue.id == id_or_key || issue.key == id_or_key) return &issue;
  }
  return nullptr;
}

const Page* SiteData::find_page(std::string_view id) const {
  for (const auto& page : pages) {
    if (page.id == id) return &page;
  }
  return nullptr;
}

const Issue& SiteData::add_issue(Issue issue) {
  issue.id = std::to_string(next_issue_id++);
  issue.key = issue.project_key + "-" + std::to_string(next_number_in(issues, issue.project_key));
  issues.push_back(std::move(issue));
  return issues.back();
}

const Page& SiteData::add_page(Page page) {
  page.id = std::to_string(next_page_id++);
  pages.push_back(std::move(page));
  return pages.back();
}

SiteData seed_site_data(TimePoint epoch) {
  SiteData data;
  data.projects = {{"10000", "PROJ", "Project"}};
  data.spaces = {{"456", "ENG", "Engineering"}, {"457", "DOCS", "Documentation"}};
  static const char* kStatuses[] = {"To Do", "In Progress", "Done"};
  for (int i = 1; i <= kSeedIssues; ++i) {
    Issue issue;
    issue.project_key = "PROJ";
    issue.summary = "Seed issue " + std::to_string(i);
    issue.issue_type = i % 5 == 0 ? "Bug" : "Task";
    issue.status = kStatuses[i % 3];
    issue.description = paragraph_document("Description of seed issue " + std::to_string(i));
    issue.created = epoch + std::chrono::hours(i);
    data.add_issue(std::move(issue));
  }
  for (int i = 1; i <= kSeedPages; ++i) {
    Page page;
    page.status = "current";
    page.title = "Seed page " + std::to_string(i);
    page.space_id = i % 3 == 0 ? "457" : "456";
    page.representation = "storage";
    page.body = "<p>Body of seed page " + std::to_string(i) + "</p>";
    page.created = epoch + std::chrono::hours(i);
    data.add_page(std::move(page));
  }
  return data;
}

}  // namespace ferry::fake_atlassian
