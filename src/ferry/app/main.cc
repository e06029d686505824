// The `ferry` command line: serve, init, check, migrate, blueprints, version.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "ferry/app/commands.h"

int main(int argc, char** argv) {
  CLI::App cli{"Ferry: a self-hosted server for native integrations (OAuth, token refresh, "
               "retries, proxy and actions)."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string(ferry::app::kVersion));

  std::string serve_dir = ".";
  int port = -1;  // -1: ferry.yaml decides
  auto* serve = cli.add_subcommand("serve", "Run the server for an integrations folder.");
  serve->add_option("DIR", serve_dir, "The integrations folder (default: current directory)");
  serve->add_option("--port", port, "Listen on this port instead of ferry.yaml's server_port")
      ->check(CLI::Range(0, 65535));
  bool skip_placeholder_integrations = false;
  serve->add_flag("--skip-placeholder-integrations", skip_placeholder_integrations,
                  "Leave out the integrations whose OAuth client id or secret is still a "
                  "`ferry init` placeholder (each is named at start) instead of refusing to "
                  "start");

  std::string init_dir = ".";
  auto* init = cli.add_subcommand("init", "Create an integrations folder with a Jira example.");
  init->add_option("DIR", init_dir, "The folder to create (default: current directory)");

  std::string check_dir = ".";
  auto* check = cli.add_subcommand(
      "check", "Load and validate a folder; print every integration resolved, secrets masked.");
  check->add_option("DIR", check_dir, "The integrations folder (default: current directory)");

  std::string migrate_dir = ".";
  auto* migrate = cli.add_subcommand(
      "migrate", "Apply the database's pending schema migrations (serve also does at start).");
  migrate->add_option("DIR", migrate_dir, "The integrations folder (default: current directory)");

  std::string blueprint_name;
  std::string blueprints_dir;
  auto* blueprints = cli.add_subcommand("blueprints", "List the blueprint catalog, or show one.");
  blueprints->add_option("NAME", blueprint_name, "A blueprint as name or name:version");
  blueprints->add_option("--dir", blueprints_dir,
                         "Include the blueprints/ of this integrations folder");
  std::string blueprint_search;
  std::string blueprint_category;
  blueprints->add_option("--search", blueprint_search,
                         "List only blueprints whose name, description, categories or auth "
                         "mode contain every word of this text");
  blueprints->add_option("--category", blueprint_category,
                         "List only blueprints of this category (an unknown one lists them)");

  auto* version = cli.add_subcommand("version", "Print Ferry's version.");

  CLI11_PARSE(cli, argc, argv);

  if (*serve) return ferry::app::run_serve(serve_dir, port, skip_placeholder_integrations);
  if (*init) return ferry::app::run_init(init_dir);
  if (*check) return ferry::app::run_check(check_dir);
  if (*migrate) return ferry::app::run_migrate(migrate_dir);
  if (*blueprints) {
    return ferry::app::run_blueprints(blueprint_name, blueprints_dir,
                                      {blueprint_search, blueprint_category});
  }
  if (*version) {
    fmt::print("ferry {}\n", ferry::app::kVersion);
    return 0;
  }
  return 2;
}
