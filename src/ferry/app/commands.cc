#include "ferry/app/commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "ferry/app/serve.h"
#include "ferry/config/catalog.h"
#include "ferry/config/environment.h"
#include "ferry/config/loader.h"
#include "ferry/config/placeholder_credentials.h"
#include "ferry/config/render.h"
#include "ferry/config/scaffold.h"
#include "ferry/observe/log.h"
#include "ferry/store/open_store.h"

namespace ferry::app {
namespace fs = std::filesystem;

namespace {

int fail(const Error& error) {
  fmt::print(stderr, "{}\n", error.message);
  return 1;
}

Result<config::Project> load(const std::string& dir, const config::LoadOptions& options = {}) {
  auto env = config::Environment::from_process_and_dotenv(fs::path(dir));
  if (!env) return env.error();
  return config::load_project(fs::path(dir), *env, options);
}

}  // namespace

int run_serve(const std::string& dir, int port, bool skip_placeholder_integrations) {
  auto project = load(dir, {.skip_placeholder_integrations = skip_placeholder_integrations});
  if (!project) return fail(project.error());
  if (port >= 0) project->server.server_port = port;
  observe::LogOptions log_options;
  log_options.level = project->server.main_server_log_level;
  log_options.file = project->server.log_file;
  log_options.format = project->server.log_format;
  if (auto logging = observe::init_logging(log_options); !logging) return fail(logging.error());
  for (const auto& skipped : project->skipped_integrations) {
    observe::warn("not serving this integration until it is fixed: {}", skipped);
  }
  return serve(std::make_shared<const config::Project>(std::move(project).value()));
}

int run_init(const std::string& dir) {
  if (auto created = config::scaffold_project(fs::path(dir)); !created) {
    return fail(created.error());
  }
  fmt::print("Created {} with a Jira example.\n", dir);
  // The scaffold's placeholders, which check and serve refuse: say what to set, and where.
  fmt::print(
      "Set your Atlassian OAuth 2.0 app's credentials "
      "(https://developer.atlassian.com/console/myapps/) in place of two placeholders:\n"
      "  client id      {}: oauth_client_id: {} (jira and confluence)\n"
      "  client secret  {}: {}={}\n"
      "Until then `ferry check` and `ferry serve` refuse them. Then: `ferry check {}` and "
      "`ferry serve {}`.\n",
      (fs::path(dir) / "integrations.yaml").string(), config::kPlaceholderClientId,
      (fs::path(dir) / ".env").string(), config::kClientSecretVariable,
      config::kPlaceholderClientSecret, dir, dir);
  return 0;
}

int run_check(const std::string& dir) {
  auto project = load(dir);
  if (!project) return fail(project.error());
  fmt::print("{}", config::describe_project(*project));
  return 0;
}

int run_migrate(const std::string& dir) {
  auto project = load(dir);
  if (!project) return fail(project.error());
  // Each migration applied is an info line on the terminal, and in the log file.
  if (auto logging = observe::init_logging(
          {observe::Level::info, project->server.log_file, true, project->server.log_format});
      !logging) {
    return fail(logging.error());
  }
  const auto& server = project->server;
  auto opened = store::open_store(server.database_url, server.encryption_key);
  if (!opened) return fail(opened.error());
  fmt::print("The database's schema is up to date.\n");
  return 0;
}

int run_blueprints(const std::string& name, const std::string& folder,
                   const config::CatalogQuery& query) {
  fs::path folder_blueprints = folder.empty() ? fs::path() : fs::path(folder) / "blueprints";
  auto catalog = config::Catalog::load(folder_blueprints);
  if (!catalog) return fail(catalog.error());
  if (name.empty()) {
    auto found = config::find_blueprints(*catalog, query);
    if (!found) return fail(found.error());
    fmt::print("{}", config::catalog_lines(*found));
    return found->empty() ? 1 : 0;
  }
  if (!query.search.empty() || !query.category.empty()) {
    return fail(Error{Errc::invalid_argument,
                      "--search and --category list blueprints; they take no NAME"});
  }
  auto text = config::describe_blueprint(*catalog, name);
  if (!text) return fail(text.error());
  fmt::print("{}", *text);
  return 0;
}

}  // namespace ferry::app
