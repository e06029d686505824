#pragma once

#include <string>
#include <string_view>

#include "ferry/config/catalog_listing.h"

namespace ferry::app {

inline constexpr std::string_view kVersion = FERRY_VERSION;

// Each `ferry` subcommand; returns the process exit code. Errors are printed to stderr as
// one line per problem ("file:line:col: key.path: what was expected") and give exit code 1.

// Loads `dir`, then serves it (see serve.h). `port` overrides server_port when >= 0
// (0 = any free port). Placeholder credentials left by `ferry init` refuse the start, unless
// `skip_placeholder_integrations`: then the integrations holding them are left out, each
// named in a warning (config::LoadOptions).
int run_serve(const std::string& dir, int port, bool skip_placeholder_integrations = false);
// Scaffolds a new integrations folder (never overwrites an existing one).
int run_init(const std::string& dir);
// Loads and validates `dir`; prints every integration resolved, secrets masked.
int run_check(const std::string& dir);
// Opens the folder's database and applies its pending schema migrations (one line per
// migration applied), as serve does at start; for operators who migrate before rolling out
// new instances.
int run_migrate(const std::string& dir);
// Lists the catalog (the blueprints matching `query`, one line each), or prints blueprint
// `name` ("jira" or "jira:v0") resolved. `folder` optionally adds an integrations folder's
// own blueprints/. A query that matches nothing prints nothing and exits 1.
int run_blueprints(const std::string& name, const std::string& folder,
                   const config::CatalogQuery& query);

}  // namespace ferry::app
