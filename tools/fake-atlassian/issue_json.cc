#include "issue_json.h"

#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

struct IssueType {
  const char* id;
  const char* name;
};
constexpr IssueType kIssueTypes[] = {
    {"10001", "Task"}, {"10002", "Story"}, {"10003", "Epic"}, {"10004", "Bug"}};

const IssueType* find_issue_type(const json& spec) {
  for (const auto& type : kIssueTypes) {
    if (spec.contains("id") && spec["id"] == type.id) return &type;
    if (spec.contains("name") && spec["name"] == type.name) return &type;
  }
  return nullptr;
}

std::string status_category(const std::string& status) {
  if (status == "Done") return "done";
  if (status == "In Progress") return "indeterminate";
  return "new";
}

json user_json(const std::string& base_url) {
  const Account& account = fake_account();
  return {{"self", base_url + "/rest/api/3/user?accountId=" + account.account_id},
          {"accountId", account.account_id},
          {"accountType", "atlassian"},
          {"displayName", account.display_name},
          {"active", true}};
}

json status_json(const Issue& issue) {
  return {{"name", issue.status}, {"statusCategory", {{"key", status_category(issue.status)}}}};
}

json issue_type_json(const Issue& issue) {
  const IssueType* type = find_issue_type({{"name", issue.issue_type}});
  return {{"id", type ? type->id : "10001"}, {"name", issue.issue_type}};
}

json all_fields(const Issue& issue, const std::string& base_url) {
  return {{"summary", issue.summary},
          {"status", status_json(issue)},
          {"issuetype", issue_type_json(issue)},
          {"project",
           {{"id", "10000"},
            {"key", issue.project_key},
            {"self", base_url + "/rest/api/3/project/10000"}}},
          {"created", jira_time(issue.created)},
          {"updated", jira_time(issue.created)},
          {"description", issue.description},
          {"labels", json::array()},
          {"assignee", nullptr},
          {"reporter", user_json(base_url)}};
}

}  // namespace

std::string jira_time(TimePoint t) {
  std::string iso = format_iso8601(t);
  return iso.substr(0, iso.size() - 1) + "+0000";
}

json myself_json(const std::string& base_url) {
  const Account& account = fake_account();
  json out = user_json(base_url);
  out["emailAddress"] = account.email;
  out["avatarUrls"] = {{"48x48", "https://avatar-management.example/48.png"},
                       {"24x24", "https://avatar-management.example/24.png"},
                       {"16x16", "https://avatar-management.example/16.png"},
                       {"32x32", "https://avatar-management.example/32.png"}};
  out["timeZone"] = account.time_zone;
  out["locale"] = "en_US";
  out["groups"] = {{"size", 1}, {"items", json::array()}};
  out["applicationRoles"] = {{"size", 1}, {"items", json::array()}};
  out["expand"] = "groups,applicationRoles";
  return out;
}

json issue_json(const Issue& issue, const FieldSelection& fields, const std::string& base_url) {
  json out = {{"id", issue.id}};
  if (fields.id_only()) return out;
  out["key"] = issue.key;
  out["self"] = base_url + "/rest/api/3/issue/" + issue.id;
  json selected = json::object();
  const json every = all_fields(issue, base_url);
  for (const auto& [name, value] : every.items()) {
    if (fields.exclude.count(name)) continue;
    if (fields.all || fields.include.count(name)) selected[name] = value;
  }
  out["fields"] = std::move(selected);
  return out;
}

json webhook_issue_json(const Issue& issue, const Project& project, const std::string& site_url) {
  const json fields = {{"summary", issue.summary},
                       {"project",
                        {{"id", project.id},
                         {"key", project.key},
                         {"name", project.name},
                         {"self", site_url + "/rest/api/2/project/" + project.id}}},
                       {"issuetype", issue_type_json(issue)},
                       {"status", status_json(issue)}};
  return {{"id", issue.id},
          {"key", issue.key},
          {"self", site_url + "/rest/api/2/issue/" + issue.id},
          {"fields", fields}};
}

std::variant<Issue, json> issue_from_request(const json& body, const SiteData& data,
                                             TimePoint now) {
  const json fields =
      body.contains("fields") && body["fields"].is_object() ? body["fields"] : json::object();
  json errors = json::object();
  Issue issue;
  const json project = fields.value("project", json::object());
  const std::string project_ref =
      project.is_object() ? project.value("key", project.value("id", "")) : std::string();
  const Project* found = project_ref.empty() ? nullptr : data.find_project(project_ref);
  if (project_ref.empty()) {
    errors["project"] = "Specify a valid project ID or key";
  } else if (!found) {
    errors["project"] = "valid project is required";
  } else {
    issue.project_key = found->key;
  }
  if (!fields.contains("summary") || !fields["summary"].is_string() ||
      fields["summary"].get<std::string>().empty()) {
    errors["summary"] = "You must specify a summary of the issue.";
  } else {
    issue.summary = fields["summary"];
  }
  const json type_spec = fields.value("issuetype", json::object());
  const IssueType* type = type_spec.is_object() ? find_issue_type(type_spec) : nullptr;
  if (!type_spec.is_object() || type_spec.empty()) {
    errors["issuetype"] = "Specify an issue type";
  } else if (!type) {
    errors["issuetype"] = "The issue type selected is invalid.";
  } else {
    issue.issue_type = type->name;
  }
  if (fields.contains("description") && !fields["description"].is_null()) {
    const json& description = fields["description"];
    if (!description.is_object() || description.value("type", "") != "doc") {
      errors["description"] =
          "Operation value must be an Atlassian Document (see the Atlassian "
          "Document Format)";
    } else {
      issue.description = description;
    }
  }
  if (!errors.empty()) return errors;
  issue.status = "To Do";
  issue.created = now;
  return issue;
}

}  // namespace ferry::fake_atlassian
