#include "ferry/config/catalog.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ferry/config/embedded_catalog.h"
#include "ferry/config/field_reader.h"
#include "ferry/config/settings.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

const std::vector<std::string> kBlueprintKeys = {"name",       "maintainer", "docs_url",
                                                 "categories", "sources",    "versions"};

// "v12" -> 12; anything else -> -1.
int version_number(std::string_view name) {
  if (name.size() < 2 || name.size() > 6 || name.front() != 'v') return -1;
  int n = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// "# Jira and Confluence ..." on the first line -> "Jira and Confluence ...".
std::string first_line_comment(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (line.empty() || line.front() != '#') return "";
  return std::string(trim(line.substr(1)));
}

// A version is usable only with these; an integration may still override their values.
// Presence is checked, not validity: read_settings() already reported bad values.
void check_version_required(const SourceNode& node, const AuthConfig& auth,
                            const std::string& path, Problems& problems) {
  MapReader r(&node, path, problems);
  MapReader auth_keys = r.section("auth");
  auto require = [&](bool present, std::string_view key, std::string_view why) {
    if (!present) {
      problems.add(node.key_location, child_path(path, key), "required" + std::string(why));
    }
  };
  require(r.get("comment") != nullptr, "comment", ": what the version covers, in prose");
  require(auth_keys.get("auth_mode") != nullptr, "auth.auth_mode", "");
  require(r.section("requests").get("base_url") != nullptr, "requests.base_url", "");
  std::string mode = " for auth_mode " + std::string(auth_mode_name(auth.auth_mode));
  bool oauth1 = auth.auth_mode == AuthMode::oauth1;
  bool oauth2 = auth.auth_mode == AuthMode::oauth2;
  if (oauth1 || oauth2) require(auth_keys.get("token_url") != nullptr, "auth.token_url", mode);
  if (oauth1 || (oauth2 && auth.grant_type != GrantType::client_credentials)) {
    require(auth_keys.get("authorization_url") != nullptr, "auth.authorization_url", mode);
  }
  if (oauth1) require(auth_keys.get("request_url") != nullptr, "auth.request_url", mode);
}

std::optional<BlueprintVersion> read_version(const SourceNode& node, const std::string& blueprint,
                                             const std::string& label, Problems& problems) {
  const std::string path = child_path("versions", node.key);
  BlueprintVersion version;
  version.name = node.key;
  version.number = version_number(node.key);
  version.source = label;
  if (version.number < 0) {
    problems.add(node.key_location, path, "expected a version name like v0, v1, ...");
    return std::nullopt;
  }
  if (!node.is_map()) {
    report_type(node, path, "a map of settings", problems);
    return std::nullopt;
  }
  MapReader(&node, path, problems).read_string("comment", version.comment);
  version.settings.provider = blueprint;
  version.settings.blueprint_version = version.name;
  read_settings(node, path, SettingsSource::blueprint_version, version.settings, problems);
  for (auto& endpoint : version.settings.deprecated_endpoints) {
    endpoint.listed_by = blueprint + ":" + version.name;
  }
  check_version_required(node, version.settings.auth, path, problems);
  version.tree = node;
  auto& children = version.tree.children;
  children.erase(std::remove_if(children.begin(), children.end(),
                                [](const SourceNode& c) { return c.key == "comment"; }),
                 children.end());
  version.yaml = to_yaml(node);
  return version;
}

// `categories`: names from blueprint_categories(), each once.
void read_categories(const MapReader& r, std::vector<std::string>& out) {
  if (!r.read_string_list("categories", out)) return;
  const auto& known = blueprint_categories();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& category = out[i];
    if (std::find(known.begin(), known.end(), category) == known.end()) {
      std::string what = "unknown category `" + category + "`";
      std::string suggestion = closest_match(category, known);
      if (!suggestion.empty()) what += " (did you mean " + suggestion + "?)";
      r.report("categories", what + "; expected one of: " + join(known, ", "));
    } else if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), category) !=
               out.begin() + static_cast<std::ptrdiff_t>(i)) {
      r.report("categories", "category `" + category + "` is listed twice");
    }
  }
}

// `sources`: https URLs of public documentation.
void read_sources(const MapReader& r, std::vector<std::string>& out) {
  if (!r.read_string_list("sources", out)) return;
  for (const auto& source : out) {
    if (source.rfind("https://", 0) != 0 || source.size() <= 8 ||
        source.find_first_of(" \t\r\n") != std::string::npos) {
      r.report("sources", "expected https URLs of the provider's documentation, got `" +
                              source.substr(0, 80) + "`");
    }
  }
}

void read_header(const MapReader& r, const SourceLocation& start, std::string_view expected_name,
                 Blueprint& blueprint) {
  Problems& problems = r.problems();
  for (std::string_view key : {"name", "maintainer", "docs_url", "versions"}) {
    if (r.get(key) == nullptr) problems.add(start, key, "required");
  }
  if (r.read_nonempty_string("name", blueprint.name) && blueprint.name != expected_name) {
    r.report("name", "expected `" + std::string(expected_name) +
                         "`: a blueprint's name is its file name without .yaml");
  }
  r.read_nonempty_string("maintainer", blueprint.maintainer);
  r.read_url("docs_url", blueprint.docs_url);
  read_categories(r, blueprint.categories);
  read_sources(r, blueprint.sources);
}

// The blueprint in `root`; problems are added for anything invalid.
Blueprint read_blueprint(const SourceNode& root, const std::string& label,
                         std::string_view expected_name, Problems& problems) {
  Blueprint blueprint;
  blueprint.source = label;
  MapReader r(&root, "", problems);
  if (!root.is_map()) return blueprint;  // reported by MapReader
  r.reject_unknown(kBlueprintKeys);
  read_header(r, root.location, expected_name, blueprint);
  const SourceNode* versions = r.get("versions");
  if (versions == nullptr) return blueprint;
  if (!versions->is_map()) {
    report_type(*versions, "versions", "a map of versions (v0: {...})", problems);
    return blueprint;
  }
  if (versions->children.empty()) {
    problems.add(versions->location, "versions", "expected at least one version (v0: {...})");
    return blueprint;
  }
  for (const auto& node : versions->children) {
    auto version = read_version(node, blueprint.name, label, problems);
    if (version) blueprint.versions.push_back(std::move(*version));
  }
  std::sort(blueprint.versions.begin(), blueprint.versions.end(),
            [](const auto& a, const auto& b) { return a.number < b.number; });
  return blueprint;
}

// `overlay`'s versions added to `base`, replacing same-named ones whole.
void overlay_versions(Blueprint& base, Blueprint overlay) {
  for (auto& version : overlay.versions) {
    auto same = std::find_if(base.versions.begin(), base.versions.end(),
                             [&](const auto& v) { return v.name == version.name; });
    if (same != base.versions.end()) {
      *same = std::move(version);
    } else {
      base.versions.push_back(std::move(version));
    }
  }
  std::sort(base.versions.begin(), base.versions.end(),
            [](const auto& a, const auto& b) { return a.number < b.number; });
  base.maintainer = std::move(overlay.maintainer);
  base.docs_url = std::move(overlay.docs_url);
  if (!overlay.categories.empty()) base.categories = std::move(overlay.categories);
  if (!overlay.sources.empty()) base.sources = std::move(overlay.sources);
  base.description = std::move(overlay.description);
  base.source = std::move(overlay.source);
}

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir,
                                              Problems& problems) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return files;
  std::string label = std::filesystem::absolute(dir).lexically_normal().string();
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) {
    problems.add_file(label, "cannot read: " + ec.message());
    return files;
  }
  for (; it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "blueprint jira.yaml" or "/dir/jira.yaml" -> "jira".
std::string_view stem_of(std::string_view file_name) {
  std::size_t slash = file_name.find_last_of("/ ");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  if (file_name.size() > 5 && file_name.substr(file_name.size() - 5) == ".yaml") {
    file_name.remove_suffix(5);
  }
  return file_name;
}

}  // namespace

const std::vector<std::string>& blueprint_categories() {
  static const std::vector<std::string> categories = {
      "accounting",   "analytics",   "ats",        "calendar",        "communication",
      "crm",          "design",      "dev-tools",  "e-commerce",      "email",
      "file-storage", "forms",       "hr",         "knowledge-base",  "marketing",
      "payments",     "productivity", "project-management", "signature", "social",
      "support",      "ticketing",   "video"};
  return categories;
}

const BlueprintVersion* Blueprint::find_version(std::string_view version) const {
  for (const auto& v : versions) {
    if (v.name == version) return &v;
  }
  return nullptr;
}

void Catalog::add_file(const std::string& label, std::string_view expected_name,
                       std::string_view text, Problems& problems, std::set<std::string>& broken,
                       std::map<std::string, std::string>& seen) {
  Problems mine;
  std::optional<SourceNode> root = parse_yaml(text, label, mine);
  Blueprint blueprint;
  if (root) blueprint = read_blueprint(*root, label, expected_name, mine);
  blueprint.description = first_line_comment(text);
  if (!blueprint.name.empty()) {
    auto [it, inserted] = seen.emplace(blueprint.name, label);
    if (!inserted) {
      mine.add(root->find("name")->location, "name",
               "blueprint `" + blueprint.name + "` is already defined in " + it->second);
    }
  }
  problems.append(mine);
  if (!mine.empty()) {
    broken.insert(blueprint.name.empty() ? std::string(expected_name) : blueprint.name);
    return;
  }
  auto existing = blueprints_.find(blueprint.name);
  if (existing != blueprints_.end()) {
    overlay_versions(existing->second, std::move(blueprint));
  } else {
    std::string name = blueprint.name;
    blueprints_.emplace(std::move(name), std::move(blueprint));
  }
}

Catalog Catalog::load_collecting(const std::filesystem::path& folder_blueprints_dir,
                                 Problems& problems, std::set<std::string>& broken) {
  Catalog catalog;
  std::map<std::string, std::string> seen;
  for (const auto& file : embedded_blueprints()) {
    catalog.add_file("blueprint " + file.name, stem_of(file.name), file.text, problems, broken,
                     seen);
  }
  // The folder's files may name catalog blueprints again: that is how they override.
  seen.clear();
  for (const auto& path : yaml_files(folder_blueprints_dir, problems)) {
    std::string label = std::filesystem::absolute(path).lexically_normal().string();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) {
      problems.add_file(label, "cannot read: " + std::string(std::strerror(errno)));
      broken.insert(path.stem().string());
      continue;
    }
    catalog.add_file(label, path.stem().string(), text.str(), problems, broken, seen);
  }
  return catalog;
}

Result<Catalog> Catalog::load(const std::filesystem::path& folder_blueprints_dir) {
  Problems problems;
  std::set<std::string> broken;
  Catalog catalog = load_collecting(folder_blueprints_dir, problems, broken);
  if (!problems.empty()) return problems.to_error();
  return catalog;
}

Result<Catalog> Catalog::from_texts(
    const std::vector<std::pair<std::string, std::string>>& files) {
  Catalog catalog;
  Problems problems;
  std::set<std::string> broken;
  std::map<std::string, std::string> seen;
  for (const auto& [label, text] : files) {
    catalog.add_file(label, stem_of(label), text, problems, broken, seen);
  }
  if (!problems.empty()) return problems.to_error();
  return catalog;
}

std::vector<std::string> Catalog::names() const {
  std::vector<std::string> out;
  for (const auto& [name, blueprint] : blueprints_) out.push_back(name);
  return out;
}

const Blueprint* Catalog::find(std::string_view name) const {
  auto it = blueprints_.find(name);
  return it == blueprints_.end() ? nullptr : &it->second;
}

Result<ResolvedBlueprint> Catalog::resolve(std::string_view spec) const {
  std::size_t colon = spec.find(':');
  std::string_view name = spec.substr(0, colon);
  const Blueprint* blueprint = find(name);
  if (blueprint == nullptr) {
    std::string message = "unknown blueprint `" + std::string(name) + "`";
    std::string suggestion = closest_match(name, names());
    if (!suggestion.empty()) message += "; did you mean `" + suggestion + "`?";
    message += " (available: " + (blueprints_.empty() ? "none" : join(names(), ", ")) + ")";
    return Error{Errc::not_found, message};
  }
  if (colon == std::string_view::npos) return ResolvedBlueprint{blueprint, blueprint->latest()};
  std::string_view version = spec.substr(colon + 1);
  if (const BlueprintVersion* v = blueprint->find_version(version)) {
    return ResolvedBlueprint{blueprint, v};
  }
  std::vector<std::string> versions;
  for (const auto& v : blueprint->versions) versions.push_back(v.name);
  return Error{Errc::not_found, "blueprint `" + blueprint->name + "` has no version `" +
                                    std::string(version) + "` (available: " +
                                    join(versions, ", ") + ")"};
}

}  // namespace ferry::config
