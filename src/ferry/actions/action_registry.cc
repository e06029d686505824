#include "ferry/actions/action_registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "ferry/actions/action_loader.h"
#include "ferry/observe/log.h"

namespace ferry::actions {
namespace {

bool is_valid_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos;
}

std::string display(const std::string& integration, const std::string& name) {
  return integration + "/" + name;
}

}  // namespace

ActionRegistry::ActionRegistry(std::filesystem::path integrations_dir)
    : dir_(std::move(integrations_dir)) {}

Status ActionRegistry::register_native(std::string integration, std::string name,
                                       NativeAction action) {
  if (!is_valid_name(integration) || !is_valid_name(name)) {
    return Error{Errc::invalid_argument,
                 "a native action needs a non-empty integration and name without '/'"};
  }
  if (!action) return Error{Errc::invalid_argument, "a native action needs a function"};
  auto definition = std::make_shared<ActionDefinition>();
  definition->integration = integration;
  definition->name = name;
  definition->native = std::move(action);
  std::lock_guard lock(mu_);
  Key key{std::move(integration), std::move(name)};
  if (native_.contains(key)) {
    return Error{Errc::conflict, fmt::format("the native action {} is already registered",
                                             display(key.first, key.second))};
  }
  native_.emplace(std::move(key), std::move(definition));
  return ok();
}

ReloadReport ActionRegistry::reload() {
  std::lock_guard reloading(reload_mu_);
  Table current;
  {
    std::lock_guard lock(mu_);
    current = scripts_;
  }
  ReloadReport report;
  Table next;
  std::map<Key, std::string, std::less<>> unloadable;
  for (const ActionFile& file : scan_action_files(dir_)) {
    Key key{file.integration, file.name};
    auto previous = current.find(key);
    const bool existed = previous != current.end();
    auto source = read_action_file(file);
    if (source && existed && previous->second->script->source == *source) {
      next.emplace(key, previous->second);
      continue;
    }
    Status compiled = source ? check_lua_syntax(*source, file.file) : Status(source.error());
    if (!compiled) {
      // Log a broken file once, not on every poll; the previous version keeps serving.
      const std::string seen = source ? *source : std::string();
      if (auto it = rejected_.find(file.file); it == rejected_.end() || it->second != seen) {
        observe::error("action {} not {}: {}{}", display(key.first, key.second),
                       existed ? "reloaded" : "loaded", compiled.error().message,
                       existed ? "; the previous version keeps serving" : "");
        rejected_[file.file] = seen;
      }
      report.errors.push_back(compiled.error());
      if (existed) {
        next.emplace(key, previous->second);
      } else {
        unloadable.emplace(key, compiled.error().message);
      }
      continue;
    }
    rejected_.erase(file.file);
    auto script = std::make_shared<LuaScript>();
    script->integration = file.integration;
    script->name = file.name;
    script->file = file.file;
    script->source = std::move(*source);
    auto definition = std::make_shared<ActionDefinition>();
    definition->integration = file.integration;
    definition->name = file.name;
    definition->script = std::move(script);
    (existed ? report.changed : report.added).push_back(display(key.first, key.second));
    next.emplace(std::move(key), std::move(definition));
  }
  for (const auto& [key, definition] : current) {
    if (!next.contains(key)) report.removed.push_back(display(key.first, key.second));
  }
  for (const auto& name : report.added) observe::info("action {} loaded", name);
  for (const auto& name : report.changed) observe::info("action {} reloaded", name);
  for (const auto& name : report.removed) observe::info("action {} removed", name);
  std::lock_guard lock(mu_);
  scripts_ = std::move(next);
  unloadable_ = std::move(unloadable);
  return report;
}

std::optional<std::string> ActionRegistry::load_error(std::string_view integration,
                                                      std::string_view name) const {
  Key key{std::string(integration), std::string(name)};
  std::lock_guard lock(mu_);
  if (auto it = unloadable_.find(key); it != unloadable_.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> ActionRegistry::load_errors() const {
  std::vector<std::string> errors;
  std::lock_guard lock(mu_);
  for (const auto& [key, message] : unloadable_) errors.push_back(message);
  return errors;
}

std::shared_ptr<const ActionDefinition> ActionRegistry::find(std::string_view integration,
                                                             std::string_view name) const {
  Key key{std::string(integration), std::string(name)};
  std::lock_guard lock(mu_);
  if (auto it = native_.find(key); it != native_.end()) return it->second;
  if (auto it = scripts_.find(key); it != scripts_.end()) return it->second;
  return nullptr;
}

std::vector<std::string> ActionRegistry::list() const {
  std::vector<std::string> names;
  std::lock_guard lock(mu_);
  for (const Table* table : {&native_, &scripts_}) {
    for (const auto& [key, definition] : *table) {
      std::string name = display(key.first, key.second);
      if (table == &scripts_ && native_.contains(key)) continue;
      names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ferry::actions
