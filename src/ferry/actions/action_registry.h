#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/actions/action_context.h"
#include "ferry/core/result.h"

namespace ferry::actions {

// One action file's text, immutable once loaded. Runs hold it by shared_ptr, so a reload
// never changes a run in flight.
struct LuaScript {
  std::string integration;
  std::string name;
  std::string file;    // "jira/create-issue.action.lua": relative to the integrations folder
  std::string source;
};

// A registered action: Lua (`script` set) or native (`native` set).
struct ActionDefinition {
  std::string integration;
  std::string name;
  std::shared_ptr<const LuaScript> script;
  NativeAction native;
};

// What one reload() changed. Names are "<integration>/<action>".
struct ReloadReport {
  std::vector<std::string> added;
  std::vector<std::string> changed;
  std::vector<std::string> removed;
  // Files not (re)loaded, each "<file>:<line>: <message>" for a syntax error. Each problem is
  // also logged once (again only when the file changes).
  std::vector<Error> errors;
};

// The actions Ferry can run: Lua files under the integrations folder
// (<integration>/<name>.action.lua) and native actions registered by an embedding program.
// A native action wins over a file with the same integration and name.
// Thread-safe: find() may run on any thread while reload() swaps in a new set.
class ActionRegistry {
 public:
  // Lua actions are read from `integrations_dir` by reload(); an empty path means native
  // actions only. Nothing is read by the constructor.
  explicit ActionRegistry(std::filesystem::path integrations_dir = {});

  // Registers `action` as `<integration>/<name>`. Errc::invalid_argument when a name is
  // empty or holds '/'; Errc::conflict when a native action already has that name.
  Status register_native(std::string integration, std::string name, NativeAction action);

  // Scans the folder: loads new files, replaces changed ones, drops deleted ones. A file
  // that fails to read or to compile is reported and logged with file:line, and its
  // previous version (if any) keeps serving. Blocks on file I/O; callers serialise.
  ReloadReport reload();

  // The action, or nullptr. The definition stays valid as long as the caller holds it.
  std::shared_ptr<const ActionDefinition> find(std::string_view integration,
                                               std::string_view name) const;

  // Why the file of action `name` could not be loaded, when it exists but has never
  // compiled (a file that compiled once keeps serving its previous version instead), or
  // nullopt. The message names the file and line.
  std::optional<std::string> load_error(std::string_view integration,
                                        std::string_view name) const;

  // Every action as "<integration>/<name>", sorted.
  std::vector<std::string> list() const;

  // Why each action file that has never compiled could not be loaded ("<file>:<line>: ..."),
  // sorted by integration and name.
  std::vector<std::string> load_errors() const;

 private:
  using Key = std::pair<std::string, std::string>;
  using Table = std::map<Key, std::shared_ptr<const ActionDefinition>, std::less<>>;

  const std::filesystem::path dir_;
  mutable std::mutex mu_;
  Table native_;   // GUARDED_BY(mu_)
  Table scripts_;  // GUARDED_BY(mu_)
  std::map<Key, std::string, std::less<>> unloadable_;  // GUARDED_BY(mu_): key -> error
  std::mutex reload_mu_;
  std::map<std::string, std::string> rejected_;  // GUARDED_BY(reload_mu_): file -> source
};

}  // namespace ferry::actions
