#include "ferry/actions/lua_lock.h"

#include <lua.hpp>

namespace ferry::actions {
namespace {

char g_lock_metatable_key;  // registry slot of the shared lock metatable

int refuse_write(lua_State* L) { return luaL_error(L, "%s", kLockedTableMessage); }

// Pushes the state's lock metatable, creating it on first use.
void push_lock_metatable(lua_State* L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &g_lock_metatable_key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, refuse_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &g_lock_metatable_key);
}

}  // namespace

void lock_table(lua_State* L, int index) {
  index = lua_absindex(L, index);
  push_lock_metatable(L);
  lua_setmetatable(L, index);
}

bool is_locked_table(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TTABLE || !lua_getmetatable(L, index)) return false;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &g_lock_metatable_key);
  const bool locked = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return locked;
}

}  // namespace ferry::actions
