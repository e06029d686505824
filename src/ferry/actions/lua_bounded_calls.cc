// string.rep and table.move, wrapped so that their C loops stay within the run's limits.
//
// Both loop in C, out of the instruction hook's reach, and can do so without allocating:
// string.rep("", 1e12) copies nothing a trillion times, table.move({}, 1, 1e12, 2) moves a
// trillion nils. Measured with stock Lua 5.4: 1e8 iterations take about 0.2 s, so either
// would hold a thread for hours. Every other iteration of theirs allocates, which the memory
// limit bounds.
//
// Every lua_CFunction here keeps only trivially destructible locals: a Lua error longjmps
// over its frame.

#include <lua.hpp>

#include "ferry/actions/lua_pattern.h"
#include "ferry/actions/lua_sandbox.h"

namespace ferry::actions {
namespace {

// Elements one call of the stock table.move handles before the limits are asked again.
constexpr lua_Integer kMoveChunk = 1 << 16;

// Calls the stock function (upvalue 1) with this call's arguments; returns its `results`.
int call_stock(lua_State* L, int results) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, results);
  return results;
}

// string.rep(s, n [, sep]): the stock one, except that an empty result is made at once.
int bounded_rep(lua_State* L) {
  std::size_t size = 0;
  std::size_t separator = 0;
  luaL_checklstring(L, 1, &size);
  const lua_Integer count = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &separator);
  if (count > 0 && size == 0 && separator == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  return call_stock(L, 1);
}

// table.move(a1, f, e, t [, a2]): long moves go to the stock function in chunks, in the
// order it would take them itself, with the limits asked between chunks. Upvalue 2: the
// PatternLimits.
int bounded_move(lua_State* L) {
  const lua_Integer first = luaL_checkinteger(L, 2);
  const lua_Integer last = luaL_checkinteger(L, 3);
  const lua_Integer target = luaL_checkinteger(L, 4);
  // Unsigned: last - first may not fit in a lua_Integer (the check below refuses that).
  if (last < first ||
      static_cast<lua_Unsigned>(last) - static_cast<lua_Unsigned>(first) <
          static_cast<lua_Unsigned>(kMoveChunk)) {
    return call_stock(L, 1);
  }
  // The stock function's own checks, which it would make on the whole range.
  luaL_argcheck(L, first > 0 || last < LUA_MAXINTEGER + first, 3, "too many elements to move");
  const lua_Integer count = last - first + 1;
  luaL_argcheck(L, target <= LUA_MAXINTEGER - count + 1, 4, "destination wrap around");
  const int destination = lua_isnoneornil(L, 5) ? 1 : 5;
  // Moving up within one table, the end goes first so nothing is overwritten before it moved.
  const bool upwards_overlap = target > first && target <= last &&
                               (destination == 1 || lua_compare(L, 1, destination, LUA_OPEQ));
  const auto* limits = static_cast<const PatternLimits*>(lua_touserdata(L, lua_upvalueindex(2)));
  for (lua_Integer done = 0; done < count; done += kMoveChunk) {
    const lua_Integer size = count - done < kMoveChunk ? count - done : kMoveChunk;
    const lua_Integer offset = upwards_overlap ? count - done - size : done;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushinteger(L, first + offset);
    lua_pushinteger(L, first + offset + size - 1);
    lua_pushinteger(L, target + offset);
    lua_pushvalue(L, destination);
    lua_call(L, 5, 0);
    if (limits != nullptr && limits->stop != nullptr) {
      if (const char* reason = limits->stop(L)) return luaL_error(L, "%s", reason);
    }
  }
  lua_pushvalue(L, destination);
  return 1;
}

void wrap(lua_State* L, const char* library, const char* name, lua_CFunction wrapper,
          const PatternLimits* limits) {
  lua_getglobal(L, library);
  lua_getfield(L, -1, name);
  lua_pushlightuserdata(L, const_cast<PatternLimits*>(limits));
  lua_pushcclosure(L, wrapper, 2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

}  // namespace

void install_bounded_library_calls(lua_State* L, const PatternLimits* limits) {
  wrap(L, LUA_STRLIBNAME, "rep", bounded_rep, limits);
  wrap(L, LUA_TABLIBNAME, "move", bounded_move, limits);
}

}  // namespace ferry::actions
