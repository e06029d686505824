// The `nango` object handed to every action. Each lua_CFunction keeps only trivially
// destructible locals (a Lua error longjmps over its frame) and leaves C++ work to LuaRun.

#include <lua.hpp>

#include "ferry/actions/lua_json.h"
#include "ferry/actions/lua_lock.h"
#include "ferry/actions/lua_run.h"
#include "ferry/actions/lua_sandbox.h"

namespace ferry::actions {
namespace {

char g_nango_key;  // registry slot of the nango table, to recognise nango:f() calls

// nango:get{...} passes the nango table first; nango.get{...} does not.
int options_index(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &g_nango_key);
  const bool is_method_call = lua_rawequal(L, 1, -1) != 0;
  lua_pop(L, 1);
  return is_method_call ? 2 : 1;
}

int raise(lua_State* L, const char* message) { return luaL_error(L, "%s", message); }

void push_string(lua_State* L, const std::string& text) {
  lua_pushlstring(L, text.data(), text.size());
}

// {status =, headers =, data =, json =}
void push_answer(lua_State* L, const PreparedAnswer& answer) {
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, answer.status);
  lua_setfield(L, -2, "status");
  lua_createtable(L, 0, static_cast<int>(answer.headers.size()));
  for (const auto& header : answer.headers) {
    push_string(L, header.first);
    push_string(L, header.second);
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "headers");
  push_string(L, answer.body);
  lua_setfield(L, -2, "data");
  if (!answer.json.is_discarded() && !answer.json.is_null()) {
    push_json(L, answer.json);
    lua_setfield(L, -2, "json");
  }
}

// Continuations: run when execute() resumes the coroutine with the answer.
int after_call(lua_State* L, int, lua_KContext) {
  const PreparedAnswer& answer = LuaRun::of(L)->answer();
  if (!answer.error.empty()) return raise(L, answer.error.c_str());
  push_answer(L, answer);
  return 1;
}

int after_page(lua_State* L, int, lua_KContext) {
  const PreparedAnswer& answer = LuaRun::of(L)->answer();
  if (!answer.error.empty()) return raise(L, answer.error.c_str());
  push_json(L, answer.records);
  push_answer(L, answer);
  return 2;
}

int call(lua_State* L, const char* method) {
  const int index = options_index(L);
  luaL_checktype(L, index, LUA_TTABLE);
  if (const char* error = LuaRun::of(L)->prepare_call(L, index, method)) return raise(L, error);
  return lua_yieldk(L, 0, 0, after_call);
}

int nango_get(lua_State* L) { return call(L, "GET"); }
int nango_post(lua_State* L) { return call(L, "POST"); }
int nango_put(lua_State* L) { return call(L, "PUT"); }
int nango_patch(lua_State* L) { return call(L, "PATCH"); }
int nango_delete(lua_State* L) { return call(L, "DELETE"); }

int next_page(lua_State* L) {
  const int paginator = static_cast<int>(lua_tointeger(L, lua_upvalueindex(1)));
  const char* error = nullptr;
  const int state = LuaRun::of(L)->prepare_page(L, paginator, &error);
  if (state < 0) return raise(L, error);
  if (state == 0) return 0;  // nil ends the for loop
  return lua_yieldk(L, 0, 0, after_page);
}

int nango_paginate(lua_State* L) {
  const int index = options_index(L);
  luaL_checktype(L, index, LUA_TTABLE);
  const char* error = nullptr;
  const int paginator = LuaRun::of(L)->create_paginator(L, index, &error);
  if (paginator < 0) return raise(L, error);
  lua_pushinteger(L, paginator);
  lua_pushcclosure(L, next_page, 1);
  return 1;
}

int nango_connection(lua_State* L) {
  push_json(L, LuaRun::of(L)->context().connection_view());
  return 1;
}

int after_metadata(lua_State* L, int, lua_KContext) {
  const PreparedAnswer& answer = LuaRun::of(L)->answer();
  if (!answer.error.empty()) return raise(L, answer.error.c_str());
  lua_pushboolean(L, 1);
  return 1;
}

// The write goes to the store off the I/O thread: the coroutine yields until it is done.
int write_metadata(lua_State* L, bool merge) {
  const int index = options_index(L);
  luaL_checktype(L, index, LUA_TTABLE);
  if (const char* error = LuaRun::of(L)->prepare_metadata(L, index, merge)) return raise(L, error);
  return lua_yieldk(L, 0, 0, after_metadata);
}

int after_webhooks(lua_State* L, int, lua_KContext) {
  const PreparedAnswer& answer = LuaRun::of(L)->answer();
  if (!answer.error.empty()) return raise(L, answer.error.c_str());
  push_json(L, answer.json);
  return 1;
}

// nango:register_jira_webhooks{webhooks = {{events = {...}, jqlFilter = "..."}}} (or one
// spec): registers them for the run's connection; returns {webhooks = {...}} as the REST
// route does.
int nango_register_jira_webhooks(lua_State* L) {
  const int index = options_index(L);
  luaL_checktype(L, index, LUA_TTABLE);
  if (const char* error = LuaRun::of(L)->prepare_webhooks(L, index)) return raise(L, error);
  return lua_yieldk(L, 0, 0, after_webhooks);
}

int nango_set_metadata(lua_State* L) { return write_metadata(L, false); }
int nango_update_metadata(lua_State* L) { return write_metadata(L, true); }

// nango:error{...}: fails the run with that payload, like error{...}.
int nango_error(lua_State* L) {
  const int index = options_index(L);
  if (lua_type(L, index) == LUA_TSTRING) return raise(L, lua_tostring(L, index));
  lua_settop(L, index);
  return lua_error(L);
}

// nango.log.info(...): upvalue 1 is the level, upvalue 2 the log table (skipped when the
// function is called as log:info(...)).
int nango_log(lua_State* L) {
  const auto level = static_cast<observe::Level>(lua_tointeger(L, lua_upvalueindex(1)));
  LuaRun* run = LuaRun::of(L);
  if (!run->context().log_enabled(level)) return 0;
  const int count = lua_gettop(L);
  const int first = count >= 1 && lua_rawequal(L, 1, lua_upvalueindex(2)) ? 2 : 1;
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  for (int i = first; i <= count; ++i) {
    if (i > first) luaL_addchar(&buffer, ' ');
    const char* text = nullptr;
    if (lua_type(L, i) == LUA_TTABLE) {
      const char* error = nullptr;
      text = run->encode_json(L, i, &error);
    }
    if (text != nullptr) {
      luaL_addstring(&buffer, text);
    } else {
      luaL_tolstring(L, i, nullptr);
      luaL_addvalue(&buffer);
    }
  }
  luaL_pushresult(&buffer);
  std::size_t size = 0;
  const char* line = lua_tolstring(L, -1, &size);
  run->log(level, std::string_view(line, size));
  return 0;
}

int mark_table(lua_State* L, void (*push_marker)(lua_State*)) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    // A locked table's metatable is what keeps it read-only.
    if (is_locked_table(L, 1)) return raise(L, "cannot change a protected metatable");
    lua_settop(L, 1);
  }
  push_marker(L);
  lua_setmetatable(L, 1);
  return 1;
}

int json_array(lua_State* L) { return mark_table(L, push_array_marker); }
int json_object(lua_State* L) { return mark_table(L, push_object_marker); }

int json_encode(lua_State* L) {
  luaL_checkany(L, 1);
  const char* error = nullptr;
  const char* text = LuaRun::of(L)->encode_json(L, 1, &error);
  if (text == nullptr) return raise(L, error);
  lua_pushstring(L, text);
  return 1;
}

int json_decode(lua_State* L) {
  std::size_t size = 0;
  const char* text = luaL_checklstring(L, 1, &size);
  const char* error = nullptr;
  const nlohmann::json* value = LuaRun::of(L)->decode_json(std::string_view(text, size), &error);
  if (value == nullptr) return raise(L, error);
  push_json(L, *value);
  return 1;
}

void set_function(lua_State* L, const char* name, lua_CFunction function) {
  lua_pushcfunction(L, function);
  lua_setfield(L, -2, name);
}

void push_log_table(lua_State* L) {
  lua_createtable(L, 0, 4);
  const struct {
    const char* name;
    observe::Level level;
  } levels[] = {{"debug", observe::Level::debug},
                {"info", observe::Level::info},
                {"warn", observe::Level::warn},
                {"error", observe::Level::error}};
  for (const auto& entry : levels) {
    lua_pushinteger(L, static_cast<lua_Integer>(entry.level));
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, nango_log, 2);
    lua_setfield(L, -2, entry.name);
  }
}

void push_json_table(lua_State* L) {
  lua_createtable(L, 0, 7);
  push_json_null(L);
  lua_setfield(L, -2, "null");
  push_array_marker(L);
  lua_setfield(L, -2, "array_mt");
  push_object_marker(L);
  lua_setfield(L, -2, "object_mt");
  set_function(L, "array", json_array);
  set_function(L, "object", json_object);
  set_function(L, "encode", json_encode);
  set_function(L, "decode", json_decode);
}

}  // namespace

void push_nango(lua_State* L) {
  ActionContext& context = LuaRun::of(L)->context();
  lua_createtable(L, 0, 20);
  set_function(L, "get", nango_get);
  set_function(L, "post", nango_post);
  set_function(L, "put", nango_put);
  set_function(L, "patch", nango_patch);
  set_function(L, "delete", nango_delete);
  set_function(L, "paginate", nango_paginate);
  set_function(L, "connection", nango_connection);
  set_function(L, "set_metadata", nango_set_metadata);
  set_function(L, "register_jira_webhooks", nango_register_jira_webhooks);
  set_function(L, "update_metadata", nango_update_metadata);
  set_function(L, "error", nango_error);
  push_log_table(L);
  lua_setfield(L, -2, "log");
  push_json_table(L);
  lua_setfield(L, -2, "json");
  push_string(L, context.connection_id());
  lua_setfield(L, -2, "connection_id");
  push_string(L, context.integration());
  lua_setfield(L, -2, "provider_config_key");
  push_string(L, context.action_name());
  lua_setfield(L, -2, "action_name");
  push_string(L, context.exec_id());
  lua_setfield(L, -2, "exec_id");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &g_nango_key);
}

}  // namespace ferry::actions
