#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/config/problems.h"
#include "ferry/config/source_tree.h"
#include "ferry/core/result.h"

namespace ferry::config {

// One version ("v0") of a blueprint.
struct BlueprintVersion {
  std::string name;       // "v0"
  int number = 0;         // 0 for "v0"; the latest version has the highest number
  std::string comment;
  Integration settings;   // the validated template (provider and blueprint_version set)
  SourceNode tree;        // the settings as written (without `comment`), merged under entries
  std::string yaml;       // the version as YAML, for display
  std::string source;     // the file it comes from (see Blueprint::source)
};

// A provider's blueprint: its description and versions.
struct Blueprint {
  std::string name;        // "jira"
  std::string maintainer;
  std::string docs_url;
  // What the provider is, from kBlueprintCategories ("crm", "support", ...); may be empty
  // for a folder's own blueprint (the built-in catalog's tests require at least one).
  std::vector<std::string> categories;
  // The public pages the blueprint's facts were taken from (https URLs), for whoever
  // checks or updates it; may be empty for a folder's own blueprint.
  std::vector<std::string> sources;
  std::string description;  // the file's first line when it is a `#` comment, without the `#`
  std::string source;      // "blueprint jira.yaml" (embedded) or the folder file's absolute path
  std::vector<BlueprintVersion> versions;  // ascending by number; never empty

  const BlueprintVersion* find_version(std::string_view version) const;
  const BlueprintVersion* latest() const { return &versions.back(); }
};

// The categories a blueprint may name, in the order `ferry blueprints` groups them.
const std::vector<std::string>& blueprint_categories();

// What `extends_blueprint: name[:version]` names. Pointers into the Catalog.
struct ResolvedBlueprint {
  const Blueprint* blueprint;
  const BlueprintVersion* version;
};

// The blueprints integrations can extend: those compiled into the binary, then those of
// the folder's blueprints/ directory. A folder file with a new name adds a blueprint; one
// with a catalog name adds its versions to it, replacing same-named versions whole, and
// its maintainer, docs_url and description win. Each file is `<name>.yaml` and holds
// name, maintainer, docs_url and versions (each with comment, auth.auth_mode and
// requests.base_url). Immutable once loaded; safe to read from any thread.
class Catalog {
 public:
  // Loads embedded_blueprints() and then `folder_blueprints_dir`/*.yaml (the directory may
  // not exist). Errc::config_invalid listing every problem, one "file:line:col: path: what"
  // line each (embedded files are labelled "blueprint <file>").
  static Result<Catalog> load(const std::filesystem::path& folder_blueprints_dir);

  // Like load() but never fails: problems are appended to `problems`, and the names of
  // blueprints that had any are added to `broken` (those blueprints are left out).
  static Catalog load_collecting(const std::filesystem::path& folder_blueprints_dir,
                                 Problems& problems, std::set<std::string>& broken);

  // A catalog of only the given files, as (label, YAML text) pairs; each label ends in
  // "<name>.yaml". Errc::config_invalid as for load().
  static Result<Catalog> from_texts(const std::vector<std::pair<std::string, std::string>>& files);

  // Every blueprint name, sorted.
  std::vector<std::string> names() const;
  // The blueprint called `name`, or nullptr.
  const Blueprint* find(std::string_view name) const;
  // `spec` is "name" (latest version) or "name:version". Errc::not_found with a message
  // naming the available blueprints, or the blueprint's available versions.
  Result<ResolvedBlueprint> resolve(std::string_view spec) const;

 private:
  // Parses one file; when valid adds its blueprint, or its versions to an existing one.
  // `seen` maps the names defined earlier by the same source to their files, to catch
  // duplicates; `expected_name` is the file name without ".yaml".
  void add_file(const std::string& label, std::string_view expected_name, std::string_view text,
                Problems& problems, std::set<std::string>& broken,
                std::map<std::string, std::string>& seen);

  std::map<std::string, Blueprint, std::less<>> blueprints_;
};

// The blueprint for the API (`GET /providers/{name}`): name, maintainer, docs_url,
// description, latest_version, and versions.<v> = {comment, auth_mode, authorization_url,
// authorization_params, token_url, token_params, refresh_url, scope_separator, ...,
// base_url, headers, params, oauth_scopes, retry, post_connection, deprecated_endpoints,
// deprecated_endpoint_policy, site_selection, yaml}.
nlohmann::json blueprint_to_json(const Blueprint& blueprint);

}  // namespace ferry::config
