// string.find, string.match, string.gmatch and string.gsub on PatternMatcher: Lua 5.4's
// behaviour (arguments, results, errors), with matching that stops at the run's limits.
//
// Every lua_CFunction here keeps only trivially destructible locals: a Lua error longjmps
// over its frame.

#include <lua.hpp>

#include <cctype>
#include <cstring>
#include <string_view>

#include "ferry/actions/lua_pattern.h"

namespace ferry::actions {
namespace {

const PatternLimits* limits_of(lua_State* L, int upvalue) {
  return static_cast<const PatternLimits*>(lua_touserdata(L, lua_upvalueindex(upvalue)));
}

// A 1-based start position as Lua reads it: negative counts from the end; 0 and anything
// before the start mean 1. May exceed length + 1 (the caller checks).
std::size_t start_position(lua_Integer position, std::size_t length) {
  if (position > 0) return static_cast<std::size_t>(position);
  if (position == 0) return 1;
  if (position < -static_cast<lua_Integer>(length)) return 1;
  return length + static_cast<std::size_t>(position) + 1;  // position is in [-length, -1]
}

// True when the pattern needs the matcher: it holds one of Lua's special characters.
bool has_specials(const char* pattern, std::size_t size) {
  return std::string_view(pattern, size).find_first_of("^$*+?.([%-") != std::string_view::npos;
}

int find_or_match(lua_State* L, bool find) {
  std::size_t subject_size = 0;
  std::size_t pattern_size = 0;
  const char* subject = luaL_checklstring(L, 1, &subject_size);
  const char* pattern = luaL_checklstring(L, 2, &pattern_size);
  const std::size_t init = start_position(luaL_optinteger(L, 3, 1), subject_size) - 1;
  if (init > subject_size) {  // starts after the subject's end: nothing to find
    luaL_pushfail(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || !has_specials(pattern, pattern_size))) {
    // A plain search; glibc's memmem is linear in the subject.
    const void* found = memmem(subject + init, subject_size - init, pattern, pattern_size);
    if (found == nullptr) {
      luaL_pushfail(L);
      return 1;
    }
    const auto offset = static_cast<const char*>(found) - subject;
    lua_pushinteger(L, offset + 1);
    lua_pushinteger(L, offset + static_cast<lua_Integer>(pattern_size));
    return 2;
  }
  const bool anchored = pattern_size > 0 && pattern[0] == '^';
  PatternMatcher matcher(L, subject, subject_size, pattern + anchored, pattern_size - anchored,
                         limits_of(L, 1));
  const char* start = subject + init;
  do {
    if (const char* end = matcher.match_at(start)) {
      if (!find) return matcher.push_captures(start, end);
      lua_pushinteger(L, start - subject + 1);
      lua_pushinteger(L, end - subject);
      return matcher.push_captures(nullptr, nullptr) + 2;
    }
  } while (start++ < matcher.subject_end() && !anchored);
  luaL_pushfail(L);
  return 1;
}

int pattern_find(lua_State* L) { return find_or_match(L, true); }
int pattern_match(lua_State* L) { return find_or_match(L, false); }

// The iterator gmatch returns. Upvalues: subject, pattern, next start offset, end offset of
// the last match (-1: none yet), limits.
int gmatch_step(lua_State* L) {
  std::size_t subject_size = 0;
  std::size_t pattern_size = 0;
  const char* subject = lua_tolstring(L, lua_upvalueindex(1), &subject_size);
  const char* pattern = lua_tolstring(L, lua_upvalueindex(2), &pattern_size);
  const lua_Integer from = lua_tointeger(L, lua_upvalueindex(3));
  const lua_Integer last_end = lua_tointeger(L, lua_upvalueindex(4));
  // No anchor here: as in Lua, a leading '^' would stop the iteration, so it is a plain '^'.
  PatternMatcher matcher(L, subject, subject_size, pattern, pattern_size, limits_of(L, 5));
  for (lua_Integer at = from; at <= static_cast<lua_Integer>(subject_size); ++at) {
    const char* end = matcher.match_at(subject + at);
    if (end != nullptr && end - subject != last_end) {
      lua_pushinteger(L, end - subject);
      lua_copy(L, -1, lua_upvalueindex(4));
      lua_replace(L, lua_upvalueindex(3));
      return matcher.push_captures(subject + at, end);
    }
  }
  return 0;  // nil ends the loop
}

int pattern_gmatch(lua_State* L) {
  std::size_t subject_size = 0;
  luaL_checklstring(L, 1, &subject_size);
  luaL_checkstring(L, 2);
  std::size_t init = start_position(luaL_optinteger(L, 3, 1), subject_size) - 1;
  if (init > subject_size) init = subject_size + 1;  // nothing left to match
  lua_settop(L, 2);
  lua_pushinteger(L, static_cast<lua_Integer>(init));
  lua_pushinteger(L, -1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushcclosure(L, gmatch_step, 5);
  return 1;
}

// Appends the replacement string (argument 3) for match [s, e): %0-%9 are captures, %% is
// '%'; any other escape is an error.
void add_template(lua_State* L, PatternMatcher& matcher, luaL_Buffer* buffer, const char* s,
                  const char* e) {
  std::size_t size = 0;
  const char* text = lua_tolstring(L, 3, &size);
  const char* end = text + size;
  for (;;) {
    const auto* escape = static_cast<const char*>(std::memchr(text, '%', end - text));
    if (escape == nullptr) break;
    luaL_addlstring(buffer, text, escape - text);
    const char next = escape + 1 < end ? escape[1] : '\0';
    if (next == '%') {
      luaL_addchar(buffer, '%');
    } else if (next == '0') {
      luaL_addlstring(buffer, s, e - s);
    } else if (std::isdigit(static_cast<unsigned char>(next))) {
      matcher.push_capture(next - '1', s, e);
      luaL_addvalue(buffer);
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", '%');
    }
    text = escape + 2;
  }
  luaL_addlstring(buffer, text, end - text);
}

// Appends the replacement for match [s, e) by the kind of argument 3. True when it changed
// the text (a false or nil from a table or function keeps the match).
bool add_replacement(lua_State* L, PatternMatcher& matcher, luaL_Buffer* buffer, const char* s,
                     const char* e, int kind) {
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    const int count = matcher.push_captures(s, e);
    lua_call(L, count, 1);
  } else if (kind == LUA_TTABLE) {
    matcher.push_capture(0, s, e);
    lua_gettable(L, 3);
  } else {
    add_template(L, matcher, buffer, s, e);
    return true;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(buffer, s, e - s);
    return false;
  }
  if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  }
  luaL_addvalue(buffer);
  return true;
}

int pattern_gsub(lua_State* L) {
  std::size_t subject_size = 0;
  std::size_t pattern_size = 0;
  const char* subject = luaL_checklstring(L, 1, &subject_size);
  const char* pattern = luaL_checklstring(L, 2, &pattern_size);
  const int kind = lua_type(L, 3);
  const lua_Integer max_replacements =
      luaL_optinteger(L, 4, static_cast<lua_Integer>(subject_size) + 1);
  luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                          kind == LUA_TTABLE,
                   3, "string/function/table");
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  const bool anchored = pattern_size > 0 && pattern[0] == '^';
  PatternMatcher matcher(L, subject, subject_size, pattern + anchored, pattern_size - anchored,
                         limits_of(L, 1));
  const char* at = subject;
  const char* last_end = nullptr;
  lua_Integer count = 0;
  bool changed = false;
  while (count < max_replacements) {
    const char* end = matcher.match_at(at);
    if (end != nullptr && end != last_end) {
      ++count;
      changed = add_replacement(L, matcher, &buffer, at, end, kind) || changed;
      at = last_end = end;
    } else if (at < matcher.subject_end()) {
      luaL_addchar(&buffer, *at++);
    } else {
      break;
    }
    if (anchored) break;
  }
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&buffer, at, matcher.subject_end() - at);
    luaL_pushresult(&buffer);
  }
  lua_pushinteger(L, count);
  return 2;
}

}  // namespace

void install_budgeted_patterns(lua_State* L, int index, const PatternLimits* limits) {
  index = lua_absindex(L, index);
  const struct {
    const char* name;
    lua_CFunction function;
  } functions[] = {{"find", pattern_find},
                   {"match", pattern_match},
                   {"gmatch", pattern_gmatch},
                   {"gsub", pattern_gsub}};
  for (const auto& entry : functions) {
    lua_pushlightuserdata(L, const_cast<PatternLimits*>(limits));
    lua_pushcclosure(L, entry.function, 1);
    lua_setfield(L, index, entry.name);
  }
}

}  // namespace ferry::actions
