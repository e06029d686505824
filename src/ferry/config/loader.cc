#include "ferry/config/loader.h"

#include <memory>
#include <set>

#include "ferry/config/catalog.h"
#include "ferry/config/field_reader.h"
#include "ferry/config/placeholder_credentials.h"
#include "ferry/config/server_config.h"
#include "ferry/config/settings.h"
#include "ferry/config/source_tree.h"

namespace ferry::config {
namespace {

// `dir` made absolute and normalized, without a trailing separator; or the error saying
// it is not a readable folder.
Result<std::filesystem::path> folder_of(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(dir, ec).lexically_normal();
  if (!abs.has_filename() && abs.has_parent_path()) abs = abs.parent_path();
  if (!std::filesystem::exists(abs, ec)) {
    return Error{Errc::config_invalid, abs.string() + ": cannot read: no such directory"};
  }
  if (!std::filesystem::is_directory(abs, ec)) {
    return Error{Errc::config_invalid, abs.string() + ": cannot read: not a directory"};
  }
  return abs;
}

// Everything an integration entry is read against.
struct Context {
  const Catalog& catalog;
  const std::set<std::string>& broken;  // blueprints whose own problems are already reported
  Problems& problems;
  const LoadOptions& options;
};

// Placeholder credentials fail the load, or, when the options allow it and nothing else is
// wrong with the entry, leave the integration out. True when it is left out.
bool is_skipped_for_placeholders(const Problems& placeholders, std::size_t other_problems,
                                 const Context& ctx, Project& project) {
  if (placeholders.empty()) return false;
  if (!ctx.options.skip_placeholder_integrations || other_problems != 0) {
    ctx.problems.append(placeholders);
    return false;
  }
  const auto& lines = placeholders.lines();
  project.skipped_integrations.insert(project.skipped_integrations.end(), lines.begin(),
                                      lines.end());
  return true;
}

// Reads one `integrations.<key>` entry; nullopt when it has problems or is skipped.
std::optional<Integration> read_integration(const SourceNode& entry, const Context& ctx,
                                            Project& project) {
  const std::string path = "integrations." + entry.key;
  const std::size_t before = ctx.problems.size();
  if (!entry.is_null() && !entry.is_map()) {
    report_type(entry, path, "a map of settings", ctx.problems);
    return std::nullopt;
  }
  if (!is_config_name(entry.key)) {
    ctx.problems.add(entry.key_location, path,
                     "expected an integration name made of letters, digits, '-', '_' or '.'");
  }
  Integration integration;
  integration.key = entry.key;
  integration.source = "integrations.yaml:" + std::to_string(entry.key_location.line) + ":" +
                       std::to_string(entry.key_location.column);
  MapReader r(&entry, path, ctx.problems);
  std::string spec;
  std::optional<ResolvedBlueprint> base;
  Problems placeholders;
  if (r.read_nonempty_string("extends_blueprint", spec)) {
    auto resolved = ctx.catalog.resolve(spec);
    if (resolved) {
      base = *resolved;
    } else if (ctx.broken.count(spec.substr(0, spec.find(':'))) == 0) {
      r.report("extends_blueprint", resolved.error().message);
    }
  }
  if (!base) {
    // Without its blueprint the entry can still be checked on its own.
    read_settings(entry, path, SettingsSource::integration, integration, ctx.problems);
    if (spec.empty()) check_required(integration, entry, entry.key_location, path, ctx.problems);
    check_placeholder_credentials(integration, entry, path, placeholders);
  } else {
    integration.provider = base->blueprint->name;
    integration.blueprint_version = base->version->name;
    SourceNode merged = merge(base->version->tree, entry);
    read_settings(merged, path, SettingsSource::integration, integration, ctx.problems);
    check_required(integration, merged, entry.key_location, path, ctx.problems);
    check_placeholder_credentials(integration, merged, path, placeholders);
  }
  if (is_skipped_for_placeholders(placeholders, ctx.problems.size() - before, ctx, project)) {
    return std::nullopt;
  }
  if (ctx.problems.size() != before || (!spec.empty() && !base)) return std::nullopt;
  // Lists replace: the whole list comes either from the entry or from its blueprint.
  const SourceNode* own_list = entry.find("deprecated_endpoints");
  const std::string listed_by = !base || (own_list != nullptr && !own_list->is_null())
                                    ? "integration " + entry.key
                                    : integration.provider + ":" + integration.blueprint_version;
  for (auto& endpoint : integration.deprecated_endpoints) endpoint.listed_by = listed_by;
  return integration;
}

void read_integrations(const std::filesystem::path& dir, const Environment& env,
                       const Context& ctx, Project& project) {
  std::filesystem::path file = dir / "integrations.yaml";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    ctx.problems.add_file(file.string(),
                          "cannot read: no such file (every integrations folder needs one; "
                          "`ferry init` creates it)");
    return;
  }
  std::optional<SourceNode> root = read_yaml_file(file, ctx.problems);
  if (!root) return;
  substitute_env(*root, env, "", ctx.problems);
  MapReader top(&*root, "", ctx.problems);
  top.reject_unknown({"integrations"});
  const SourceNode* entries = top.get("integrations");
  if (entries == nullptr) return;
  if (!entries->is_map()) {
    report_type(*entries, "integrations", "a map of integration names to settings",
                ctx.problems);
    return;
  }
  for (const SourceNode& entry : entries->children) {
    if (auto integration = read_integration(entry, ctx, project)) {
      project.integrations.emplace(entry.key, std::move(*integration));
    }
  }
}

}  // namespace

Result<Project> load_project(const std::filesystem::path& dir, const Environment& env) {
  return load_project(dir, env, LoadOptions{});
}

Result<Project> load_project(const std::filesystem::path& dir, const Environment& env,
                             const LoadOptions& options) {
  auto folder = folder_of(dir);
  if (!folder) return folder.error();
  Problems problems;
  Project project;
  project.dir = *folder;
  project.server = read_server_config(*folder, env, problems);
  std::set<std::string> broken;
  auto catalog = std::make_shared<const Catalog>(
      Catalog::load_collecting(*folder / "blueprints", problems, broken));
  read_integrations(*folder, env, Context{*catalog, broken, problems, options}, project);
  if (!problems.empty()) return problems.to_error();
  project.catalog = std::move(catalog);
  return project;
}

Result<Project> load_project(const std::filesystem::path& dir) {
  auto folder = folder_of(dir);
  if (!folder) return folder.error();
  auto env = Environment::from_process_and_dotenv(*folder);
  if (!env) return env.error();
  return load_project(*folder, *env);
}

Result<ServerConfig> load_server_config(const std::filesystem::path& dir,
                                        const Environment& env) {
  auto folder = folder_of(dir);
  if (!folder) return folder.error();
  Problems problems;
  ServerConfig server = read_server_config(*folder, env, problems);
  if (!problems.empty()) return problems.to_error();
  return server;
}

}  // namespace ferry::config
