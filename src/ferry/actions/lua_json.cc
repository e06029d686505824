#include "ferry/actions/lua_json.h"

#include <fmt/format.h>
#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "ferry/actions/lua_lock.h"

namespace ferry::actions {
namespace {

using nlohmann::json;

// Addresses used as registry keys and as the null sentinel; their values are never read.
char g_null_sentinel;
char g_array_marker_key;
char g_object_marker_key;

// --- JSON -> Lua. Every function here may raise, so locals stay trivially destructible.

// `depth` counts the arrays and objects around `value`: the 200th nested one is at 199.
void check_depth(lua_State* L, int depth) {
  if (depth >= kMaxJsonDepth) luaL_error(L, "JSON nested deeper than %d levels", kMaxJsonDepth);
}

void push_value(lua_State* L, const json& value, int depth) {
  luaL_checkstack(L, 4, "JSON nested too deeply");
  switch (value.type()) {
    case json::value_t::boolean:
      lua_pushboolean(L, value.get<bool>() ? 1 : 0);
      return;
    case json::value_t::number_integer:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<json::number_integer_t>()));
      return;
    case json::value_t::number_unsigned: {
      auto n = value.get<json::number_unsigned_t>();
      if (n <= static_cast<json::number_unsigned_t>(LUA_MAXINTEGER)) {
        lua_pushinteger(L, static_cast<lua_Integer>(n));
      } else {
        lua_pushnumber(L, static_cast<lua_Number>(n));
      }
      return;
    }
    case json::value_t::number_float:
      lua_pushnumber(L, value.get<json::number_float_t>());
      return;
    case json::value_t::string: {
      const auto& text = value.get_ref<const json::string_t&>();
      lua_pushlstring(L, text.data(), text.size());
      return;
    }
    case json::value_t::array: {
      check_depth(L, depth);
      const auto& items = value.get_ref<const json::array_t&>();
      lua_createtable(L, static_cast<int>(std::min<std::size_t>(items.size(), INT_MAX)), 0);
      lua_Integer i = 1;
      for (const json& item : items) {
        push_value(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      push_array_marker(L);
      lua_setmetatable(L, -2);
      return;
    }
    case json::value_t::object: {
      check_depth(L, depth);
      const auto& fields = value.get_ref<const json::object_t&>();
      lua_createtable(L, 0, static_cast<int>(std::min<std::size_t>(fields.size(), INT_MAX)));
      for (const auto& field : fields) {
        lua_pushlstring(L, field.first.data(), field.first.size());
        push_value(L, field.second, depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
    default:  // null, discarded, binary
      push_json_null(L);
      return;
  }
}

// --- Lua -> JSON. Only non-raising Lua calls; C++ failures come back as Status.

bool is_identifier(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string quote_key(const std::string& key) {
  return json(key).dump(-1, ' ', false, json::error_handler_t::replace);
}

enum class Marker { none, array, object };

// What one JSON value costs in C++ memory beyond its text, roughly (the value, a container
// slot or map node). Used to refuse values far larger than the run may allocate in Lua.
constexpr std::size_t kValueOverheadBytes = 32;
constexpr std::size_t kKeyOverheadBytes = 48;

class ToJson {
 public:
  ToJson(lua_State* L, std::string_view root, std::size_t max_bytes)
      : L_(L), path_(root), bytes_left_(max_bytes) {}

  Status convert(int index, json& out, int depth) {
    if (!spend(kValueOverheadBytes)) return too_large();
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        out = nullptr;
        return ok();
      case LUA_TBOOLEAN:
        out = lua_toboolean(L_, index) != 0;
        return ok();
      case LUA_TNUMBER:
        return number(index, out);
      case LUA_TSTRING: {
        std::size_t size = 0;
        const char* text = lua_tolstring(L_, index, &size);
        if (!is_utf8({text, size})) return fail("a string that is not valid UTF-8");
        if (!spend(size)) return too_large();
        out = std::string(text, size);
        return ok();
      }
      case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L_, index) == &g_null_sentinel) {
          out = nullptr;
          return ok();
        }
        return fail("a light userdata");
      case LUA_TTABLE:
        return table(index, out, depth);
      case LUA_TFUNCTION:
        return fail("a function");
      case LUA_TTHREAD:
        return fail("a coroutine");
      default:
        return fail("a userdata");
    }
  }

 private:
  bool spend(std::size_t bytes) {
    if (bytes > bytes_left_) return false;
    bytes_left_ -= bytes;
    return true;
  }

  Status too_large() const {
    return Error{Errc::invalid_argument,
                 fmt::format("{} is too large to convert to JSON (past the action's memory limit)",
                             root_name())};
  }

  std::string_view root_name() const {
    const std::size_t end = path_.find_first_of(".[");
    return std::string_view(path_).substr(0, end);
  }

  Status fail(std::string_view what) const {
    return Error{Errc::invalid_argument,
                 fmt::format("{} is not serialisable to JSON: {}", path_, what)};
  }

  Status number(int index, json& out) {
    if (lua_isinteger(L_, index)) {
      out = static_cast<std::int64_t>(lua_tointeger(L_, index));
      return ok();
    }
    double value = lua_tonumber(L_, index);
    if (!std::isfinite(value)) return fail("NaN or an infinite number");
    out = value;
    return ok();
  }

  Marker marker_of(int index) {
    if (!lua_getmetatable(L_, index)) return Marker::none;
    Marker found = Marker::none;
    lua_rawgetp(L_, LUA_REGISTRYINDEX, &g_array_marker_key);
    if (lua_rawequal(L_, -1, -2)) found = Marker::array;
    lua_pop(L_, 1);
    lua_rawgetp(L_, LUA_REGISTRYINDEX, &g_object_marker_key);
    if (lua_rawequal(L_, -1, -2)) found = Marker::object;
    lua_pop(L_, 2);
    return found;
  }

  struct KeyCensus {
    std::size_t strings = 0;
    std::size_t integers = 0;
    lua_Integer max_index = 0;
  };

  Status census(int index, KeyCensus& keys) {
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      if (lua_type(L_, -2) == LUA_TSTRING) {
        ++keys.strings;
      } else if (lua_isinteger(L_, -2) && lua_tointeger(L_, -2) >= 1) {
        ++keys.integers;
        keys.max_index = std::max(keys.max_index, lua_tointeger(L_, -2));
      } else {
        lua_pop(L_, 2);
        return fail("a table key that is neither a string nor a positive integer");
      }
      lua_pop(L_, 1);
    }
    return ok();
  }

  Status table(int index, json& out, int depth) {
    if (depth >= kMaxJsonDepth) return fail("nested deeper than 200 levels");
    if (!lua_checkstack(L_, 6)) return fail("nested too deeply");
    index = lua_absindex(L_, index);
    const void* identity = lua_topointer(L_, index);
    if (std::find(visiting_.begin(), visiting_.end(), identity) != visiting_.end()) {
      return fail("a cyclic table (it contains itself)");
    }
    const Marker marker = marker_of(index);
    KeyCensus keys;
    if (Status counted = census(index, keys); !counted) return counted;
    visiting_.push_back(identity);
    Status done = ok();
    if (marker == Marker::object) {
      done = object(index, out, depth);
    } else if (marker == Marker::array || keys.integers > 0) {
      if (keys.strings > 0) {
        done = fail("a table with both string keys and array indices");
      } else {
        done = array(index, keys, out, depth);
      }
    } else {
      done = object(index, out, depth);
    }
    visiting_.pop_back();
    return done;
  }

  Status array(int index, const KeyCensus& keys, json& out, int depth) {
    // Holes become null, but a table like {[1e9] = 1} must not become a billion nulls.
    if (static_cast<std::size_t>(keys.max_index) > 2 * keys.integers) {
      return fail(fmt::format("a sparse array (indices up to {} but {} values); use "
                              "nango.json.null for missing values",
                              keys.max_index, keys.integers));
    }
    out = json::array();
    for (lua_Integer i = 1; i <= keys.max_index; ++i) {
      lua_rawgeti(L_, index, i);
      const std::size_t mark = path_.size();
      path_ += fmt::format("[{}]", i);
      json item;
      Status converted = convert(-1, item, depth + 1);
      path_.resize(mark);
      lua_pop(L_, 1);
      if (!converted) return converted;
      out.push_back(std::move(item));
    }
    return ok();
  }

  Status object(int index, json& out, int depth) {
    out = json::object();
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      std::string key;
      if (lua_type(L_, -2) == LUA_TSTRING) {
        std::size_t size = 0;
        const char* text = lua_tolstring(L_, -2, &size);  // a string already: no conversion
        key.assign(text, size);
      } else {
        key = std::to_string(lua_tointeger(L_, -2));  // never lua_tolstring: it would
      }                                                // change the key under lua_next
      const std::size_t mark = path_.size();
      path_ += is_identifier(key) ? "." + key : "[" + quote_key(key) + "]";
      Status converted = is_utf8(key) ? ok() : fail("a key that is not valid UTF-8");
      if (converted && !spend(key.size() + kKeyOverheadBytes)) converted = too_large();
      json item;
      if (converted) converted = convert(-1, item, depth + 1);
      path_.resize(mark);
      if (!converted) {
        lua_pop(L_, 2);
        return converted;
      }
      out[key] = std::move(item);
      lua_pop(L_, 1);
    }
    return ok();
  }

  lua_State* L_;
  std::string path_;
  std::size_t bytes_left_;
  std::vector<const void*> visiting_;
};

// A marker is a metatable scripts can reach (nango.json.array_mt), so it is locked: were it
// writable, a `__gc` put there would make every table C code marks with it finalizable.
// Its __metatable is itself, so getmetatable(t) still answers the marker, and setmetatable
// cannot move a marked table to another metatable (nango.json.array/object can).
void register_marker(lua_State* L, const char* name, const void* key) {
  lua_createtable(L, 0, 2);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__metatable");
  lock_table(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

}  // namespace

void register_json_markers(lua_State* L) {
  register_marker(L, "json.array", &g_array_marker_key);
  register_marker(L, "json.object", &g_object_marker_key);
}

void push_json_null(lua_State* L) { lua_pushlightuserdata(L, &g_null_sentinel); }

void push_array_marker(lua_State* L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &g_array_marker_key); }

void push_object_marker(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &g_object_marker_key);
}

void push_json(lua_State* L, const json& value) { push_value(L, value, 0); }

Result<json> lua_to_json(lua_State* L, int index, std::string_view root, std::size_t max_bytes) {
  const int top = lua_gettop(L);
  index = lua_absindex(L, index);
  json out;
  Status converted = ok();
  try {
    ToJson converter(L, root, max_bytes);
    converted = converter.convert(index, out, 0);
  } catch (const std::exception& e) {
    converted = Error{Errc::invalid_argument,
                      fmt::format("{} could not be converted to JSON: {}", root, e.what())};
  }
  lua_settop(L, top);
  if (!converted) return std::move(converted).error();
  return out;
}

bool is_utf8(std::string_view text) {
  // RFC 3629 §4: no overlong forms, no surrogates, nothing past U+10FFFF.
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t extra = c < 0x80                   ? 0
                              : (c >= 0xc2 && c <= 0xdf) ? 1
                              : (c & 0xf0) == 0xe0       ? 2
                              : (c >= 0xf0 && c <= 0xf4) ? 3
                                                         : 4;
    if (extra == 4 || i + extra >= text.size()) return false;  // bad lead byte, truncated
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    if (extra >= 2) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
          (c == 0xf4 && c1 >= 0x90)) {
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace ferry::actions
