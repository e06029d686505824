#include "ferry/actions/lua_sandbox.h"

#include <lua.hpp>

#include <cstdlib>
#include <cstring>

#include "ferry/actions/lua_json.h"
#include "ferry/actions/lua_lock.h"
#include "ferry/actions/lua_pattern.h"
#include "ferry/actions/lua_run.h"

// Every lua_CFunction below keeps only trivially destructible locals: a Lua error longjmps
// over its frame (see lua_run.h).

namespace ferry::actions {
namespace {

// The hook runs every kHookInstructions VM instructions while the run is within its limits,
// then on every instruction so a script cannot pcall its way past the stop.
constexpr int kHookInstructions = 1000;

constexpr const char* kSafeGlobals[] = {
    "assert",   "error",  "getmetatable", "ipairs",   "next",  "pairs",  "pcall",
    "rawequal", "rawget", "rawlen",       "select", "tonumber", "tostring",
    "type",     "xpcall", "_VERSION",     "string",   "table", "math",   "utf8",
    "coroutine",
};

// Pattern matching runs in C, out of the hook's reach: it asks the run itself.
const char* run_limit_reason(lua_State* L) { return LuaRun::of(L)->check_limits(); }
constexpr PatternLimits kRunPatternLimits{run_limit_reason};

void limit_hook(lua_State* L, lua_Debug*) {
  const char* reason = LuaRun::of(L)->check_limits();
  if (reason == nullptr) return;
  lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", reason);
}

int sandbox_setmetatable(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const int type = lua_type(L, 2);
  luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
    return luaL_error(L, "cannot change a protected metatable");
  }
  if (type == LUA_TTABLE) {
    // Finalizers would run Lua code inside the collector, outside the run's control.
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "__gc metamethods are not available in actions");
    }
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// rawset(table, key, value), refusing the sandbox's locked tables (lua_lock.h).
int sandbox_rawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (is_locked_table(L, 1)) return luaL_error(L, "rawset: %s", kLockedTableMessage);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// The string metatable is shared by every string of the state: hidden (getmetatable("")
// answers "locked") and read-only.
void lock_string_metatable(lua_State* L) {
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lock_table(L, -1);
  lua_pop(L, 2);
}

// Removes any __gc from the table on the top of the stack, raw.
void clear_finalizer(lua_State* L) {
  lua_pushliteral(L, "__gc");
  lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

int neutralise(lua_State* L) {
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) clear_finalizer(L);
  push_array_marker(L);
  if (lua_istable(L, -1)) clear_finalizer(L);
  push_object_marker(L);
  if (lua_istable(L, -1)) clear_finalizer(L);
  return 0;
}

// load(chunk [, chunkname [, mode [, env]]]): text only, never bytecode; the run's
// environment unless `env` is given.
int sandbox_load(lua_State* L) {
  if (lua_type(L, 1) != LUA_TSTRING) {
    return luaL_argerror(L, 1, "load in actions takes a string");
  }
  std::size_t size = 0;
  const char* text = lua_tolstring(L, 1, &size);
  const char* name = luaL_optstring(L, 2, "=(load)");
  const bool has_env = !lua_isnone(L, 4);
  if (luaL_loadbufferx(L, text, size, name, "t") != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;  // nil, message
  }
  if (has_env) {
    lua_pushvalue(L, 4);
  } else {
    lua_pushvalue(L, lua_upvalueindex(1));
  }
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  return 1;
}

int sandbox_print(lua_State* L) {
  const int count = lua_gettop(L);
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  for (int i = 1; i <= count; ++i) {
    if (i > 1) luaL_addchar(&buffer, '\t');
    luaL_tolstring(L, i, nullptr);
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  std::size_t size = 0;
  const char* line = lua_tolstring(L, -1, &size);
  LuaRun::of(L)->log(observe::Level::info, std::string_view(line, size));
  return 0;
}

int sandbox_collectgarbage(lua_State* L) {
  const char* option = luaL_optstring(L, 1, "collect");
  if (std::strcmp(option, "count") == 0) {
    const int kib = lua_gc(L, LUA_GCCOUNT);
    const int rest = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, static_cast<lua_Number>(kib) + static_cast<lua_Number>(rest) / 1024.0);
    return 1;
  }
  if (std::strcmp(option, "collect") == 0) {
    lua_gc(L, LUA_GCCOLLECT);
    lua_pushinteger(L, 0);
    return 1;
  }
  return luaL_error(L, "collectgarbage(\"%s\") is not available in actions", option);
}

void open_library(lua_State* L, const char* name, lua_CFunction open) {
  luaL_requiref(L, name, open, 1);
  lua_pop(L, 1);
}

}  // namespace

void* budget_alloc(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
  auto* budget = static_cast<MemoryBudget*>(ud);
  // With ptr == nullptr, old_size encodes the kind of object, not a size (lua_Alloc).
  const std::size_t old = ptr != nullptr ? old_size : 0;
  if (new_size == 0) {
    std::free(ptr);
    budget->used -= old;
    return nullptr;
  }
  if (new_size > old && budget->used - old + new_size > budget->limit) {
    if (budget->refused_once && budget->refused_size == new_size) budget->exceeded = true;
    budget->refused_once = true;
    budget->refused_size = new_size;
    return nullptr;  // Lua collects and retries once, then raises "not enough memory"
  }
  void* block = std::realloc(ptr, new_size);
  if (block == nullptr) return nullptr;
  budget->used = budget->used - old + new_size;
  if (new_size > old) budget->refused_once = false;
  return block;
}

void push_sandbox_environment(lua_State* L) {
  open_library(L, LUA_GNAME, luaopen_base);
  open_library(L, LUA_TABLIBNAME, luaopen_table);
  open_library(L, LUA_STRLIBNAME, luaopen_string);
  open_library(L, LUA_MATHLIBNAME, luaopen_math);
  open_library(L, LUA_UTF8LIBNAME, luaopen_utf8);
  open_library(L, LUA_COLIBNAME, luaopen_coroutine);
  lua_getglobal(L, LUA_STRLIBNAME);
  install_budgeted_patterns(L, -1, &kRunPatternLimits);
  install_bounded_library_calls(L, &kRunPatternLimits);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");  // bytecode out is as unwanted as bytecode in
  lua_pop(L, 1);

  lua_createtable(L, 0, 32);
  const int env = lua_gettop(L);
  for (const char* name : kSafeGlobals) {
    lua_getglobal(L, name);
    lua_setfield(L, env, name);
  }
  lock_string_metatable(L);
  lua_pushcfunction(L, sandbox_rawset);
  lua_setfield(L, env, "rawset");
  lua_pushcfunction(L, sandbox_setmetatable);
  lua_setfield(L, env, "setmetatable");
  lua_pushvalue(L, env);
  lua_pushcclosure(L, sandbox_load, 1);
  lua_setfield(L, env, "load");
  lua_pushcfunction(L, sandbox_print);
  lua_setfield(L, env, "print");
  lua_pushcfunction(L, sandbox_collectgarbage);
  lua_setfield(L, env, "collectgarbage");
  lua_pushvalue(L, env);
  lua_setfield(L, env, LUA_GNAME);
}

bool neutralise_finalizers(lua_State* L) {
  lua_pushcfunction(L, neutralise);
  const bool done = lua_pcall(L, 0, 0, 0) == LUA_OK;
  if (!done) lua_pop(L, 1);
  return done;
}

void install_limit_hook(lua_State* co) {
  lua_sethook(co, limit_hook, LUA_MASKCOUNT, kHookInstructions);
}

}  // namespace ferry::actions
