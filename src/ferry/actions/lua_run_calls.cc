// The LuaRun members the nango bindings call. They never raise a Lua error and never let a
// C++ exception out: failures come back as text for the binding to raise.

#include <fmt/format.h>
#include <lua.hpp>

#include <algorithm>

#include "ferry/actions/lua_json.h"
#include "ferry/actions/lua_run.h"
#include "ferry/actions/request_options.h"
#include "ferry/core/strings.h"

namespace ferry::actions {
namespace {

using nlohmann::json;

void merge_header(std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& name, const std::string& value) {
  std::string lower = to_lower(name);
  for (auto& [existing, text] : headers) {
    if (existing == lower) {
      text += ", " + value;
      return;
    }
  }
  headers.emplace_back(std::move(lower), value);
}

}  // namespace

const char* LuaRun::keep_message(std::string message) {
  message_ = std::move(message);
  return message_.c_str();
}

const char* LuaRun::check_can_call(lua_State* L, const char* what) {
  if (L != co_) {
    return keep_message(fmt::format("{} cannot be made inside a coroutine the action created",
                                    what));
  }
  if (lua_isyieldable(L) == 0) {
    return keep_message(fmt::format("{} cannot be made here (inside a metamethod or a callback "
                                    "of a C function such as table.sort)",
                                    what));
  }
  return nullptr;
}

const char* LuaRun::prepare_call(lua_State* L, int index, std::string_view method) {
  if (const char* refused = check_can_call(L, "HTTP calls")) return refused;
  try {
    auto options = lua_to_json(L, index, "request", limits_.memory_bytes);
    if (!options) return keep_message(options.error().message);
    auto request = request_from_options(*options, method);
    if (!request) return keep_message(fmt::format("nango:{}: {}", to_lower(method),
                                                  request.error().message));
    request_ = std::move(*request);
    pending_ = Pending::call;
    return nullptr;
  } catch (const std::exception& e) {
    return keep_message(e.what());
  }
}

int LuaRun::create_paginator(lua_State* L, int index, const char** error) {
  try {
    auto options = lua_to_json(L, index, "request", limits_.memory_bytes);
    if (!options) {
      *error = keep_message(options.error().message);
      return -1;
    }
    auto parsed = paginated_request_from_options(*options, pagination_defaults_);
    if (!parsed) {
      *error = keep_message("nango:paginate: " + parsed.error().message);
      return -1;
    }
    paginators_.push_back(std::make_unique<Paginator>(std::move(parsed->request),
                                                      std::move(parsed->options), base_url_));
    return static_cast<int>(paginators_.size() - 1);
  } catch (const std::exception& e) {
    *error = keep_message(e.what());
    return -1;
  }
}

int LuaRun::prepare_page(lua_State* L, int paginator, const char** error) {
  if (paginator < 0 || static_cast<std::size_t>(paginator) >= paginators_.size()) {
    *error = "unknown paginator";
    return -1;
  }
  if (const char* refused = check_can_call(L, "HTTP calls")) {
    *error = refused;
    return -1;
  }
  try {
    auto next = paginators_[paginator]->next_request();
    if (!next) return 0;
    request_ = std::move(*next);
    pending_ = Pending::page;
    pending_paginator_ = paginator;
    return 1;
  } catch (const std::exception& e) {
    *error = keep_message(e.what());
    return -1;
  }
}

void LuaRun::prepare_answer(Result<ActionResponse> result) {
  const Pending kind = pending_;
  pending_ = Pending::none;
  answer_ = PreparedAnswer{};
  try {
    if (!result) {
      answer_.error = fmt::format("{} failed: {}", call_what_, result.error().message);
      return;
    }
    ActionResponse& response = *result;
    answer_.status = response.status;
    for (const auto& [name, value] : response.headers) merge_header(answer_.headers, name, value);
    if (!response.body.empty()) answer_.json = json::parse(response.body, nullptr, false);
    if (kind == Pending::page) {
      auto records = paginators_[pending_paginator_]->take_response(response, answer_.json);
      if (!records) {
        answer_.error = records.error().message;
        return;
      }
      answer_.records = std::move(*records);
    }
    answer_.body = std::move(response.body);
  } catch (const std::exception& e) {
    answer_.error = fmt::format("the answer could not be read: {}", e.what());
  }
}

const char* LuaRun::prepare_metadata(lua_State* L, int index, bool merge) {
  if (const char* refused = check_can_call(L, "metadata writes")) return refused;
  try {
    auto metadata = lua_to_json(L, index, "metadata", limits_.memory_bytes);
    if (!metadata) return keep_message(metadata.error().message);
    metadata_ = std::move(*metadata);
    merge_metadata_ = merge;
    pending_ = Pending::metadata;
    return nullptr;
  } catch (const std::exception& e) {
    return keep_message(e.what());
  }
}

const char* LuaRun::prepare_webhooks(lua_State* L, int index) {
  if (const char* refused = check_can_call(L, "webhook registrations")) return refused;
  try {
    auto spec = lua_to_json(L, index, "webhooks", limits_.memory_bytes);
    if (!spec) return keep_message(spec.error().message);
    metadata_ = std::move(*spec);
    pending_ = Pending::webhooks;
    return nullptr;
  } catch (const std::exception& e) {
    return keep_message(e.what());
  }
}

boost::asio::awaitable<void> LuaRun::register_pending_webhooks() {
  pending_ = Pending::none;
  answer_ = PreparedAnswer{};
  auto registered = co_await context_.register_webhooks(std::move(metadata_));
  if (!registered) {
    answer_.error = fmt::format("nango:register_jira_webhooks: {}", registered.error().message);
    co_return;
  }
  answer_.json = std::move(*registered);
}

boost::asio::awaitable<void> LuaRun::write_pending_metadata() {
  pending_ = Pending::none;
  answer_ = PreparedAnswer{};
  Status written = merge_metadata_ ? co_await context_.update_metadata(std::move(metadata_))
                                   : co_await context_.set_metadata(std::move(metadata_));
  if (!written) {
    answer_.error = fmt::format("nango:{}: {}", merge_metadata_ ? "update_metadata" : "set_metadata",
                                written.error().message);
  }
}

const char* LuaRun::encode_json(lua_State* L, int index, const char** error) {
  try {
    auto value = lua_to_json(L, index, "value", limits_.memory_bytes);
    if (!value) {
      *error = keep_message(value.error().message);
      return nullptr;
    }
    text_ = value->dump();
    return text_.c_str();
  } catch (const std::exception& e) {
    *error = keep_message(e.what());
    return nullptr;
  }
}

const json* LuaRun::decode_json(std::string_view text, const char** error) {
  // The parsed copy lives outside the Lua allocator and is several times the text's size;
  // text that could never fit in what the run has left is refused before parsing.
  if (text.size() > budget_.limit - std::min(budget_.used, budget_.limit)) {
    *error = "nango.json.decode: the text is larger than the action's remaining memory";
    return nullptr;
  }
  try {
    decoded_ = json::parse(text, nullptr, false);
    if (decoded_.is_discarded()) {
      *error = "nango.json.decode: the text is not JSON";
      return nullptr;
    }
    return &decoded_;
  } catch (const std::exception& e) {
    *error = keep_message(e.what());
    return nullptr;
  }
}

void LuaRun::log(observe::Level level, std::string_view message) noexcept {
  try {
    context_.log(level, message);
  } catch (...) {
    // A log line that cannot be written must not fail the action.
  }
}

}  // namespace ferry::actions
