#pragma once

#include <filesystem>

#include "ferry/config/environment.h"
#include "ferry/config/model.h"
#include "ferry/core/result.h"

namespace ferry::config {

// Loads and validates the integrations folder `dir` (DESIGN.md §1):
//  - ferry.yaml, optional (see load_server_config);
//  - the blueprint catalog: the embedded one, then `dir`/blueprints/*.yaml;
//  - integrations.yaml, required: each entry is laid over the blueprint it extends
//    (maps merge key by key, lists and scalars replace), then validated.
// ${VAR} placeholders in both files are filled from `env`.
// On success every Integration has a base URL and, for OAuth, its client credentials
// (never the placeholders `ferry init` writes: see placeholder_credentials.h) and
// endpoints; Project::catalog is set. Otherwise Errc::config_invalid whose message
// lists every problem found, one per line: "file:line:col: key.path: what was expected"
// (values inherited from an embedded blueprint name "blueprint <name>.yaml:line:col").
Result<Project> load_project(const std::filesystem::path& dir, const Environment& env);

// What load_project() may forgive.
struct LoadOptions {
  // An integration whose only problems are placeholder credentials (placeholder_credentials.h)
  // is left out of Project::integrations instead of failing the load; its problems go to
  // Project::skipped_integrations. For serving `ferry init`'s example before it has real
  // credentials: a left-out integration cannot send anyone to its provider.
  bool skip_placeholder_integrations = false;
};
Result<Project> load_project(const std::filesystem::path& dir, const Environment& env,
                             const LoadOptions& options);

// load_project() with Environment::from_process_and_dotenv(dir).
Result<Project> load_project(const std::filesystem::path& dir);

// Reads `dir`/ferry.yaml; a missing file means every default. Relative database and log
// paths are resolved against `dir` ("sqlite:///abs/dir/ferry.db"), and a random secret and
// public key are generated (with the *_generated flags set) when not configured.
// Errc::config_invalid as for load_project().
Result<ServerConfig> load_server_config(const std::filesystem::path& dir,
                                        const Environment& env);

}  // namespace ferry::config
