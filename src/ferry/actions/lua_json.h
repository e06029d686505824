#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "ferry/core/result.h"

struct lua_State;

namespace ferry::actions {

// JSON <-> Lua values, both ways, with the choices made deliberately:
//   null     <-> nango.json.null (a light userdata), so object keys and array slots survive;
//   array    <-> a table whose metatable is nango.json.array_mt (empty arrays stay arrays);
//                an unmarked table with keys 1..n (n > 0) is an array too;
//   object   <-> a table with string keys; an unmarked empty table is an object; a table
//                marked with nango.json.object_mt is an object whose integer keys become
//                strings;
//   integer  <-> Lua integer, float <-> Lua float (1 and 1.0 stay distinct).
// Nesting deeper than kMaxJsonDepth arrays and objects is refused both ways (200 nested
// containers are fine, 201 are not).
inline constexpr int kMaxJsonDepth = 200;

// Registers the marker metatables and the null sentinel in `L`'s registry. Call once per
// state, inside a protected call (it allocates).
void register_json_markers(lua_State* L);

// Pushes nango.json.null, array_mt and object_mt. May raise a Lua error (memory): call only
// from a protected C function whose frames hold no objects with destructors.
void push_json_null(lua_State* L);
void push_array_marker(lua_State* L);
void push_object_marker(lua_State* L);

// Pushes `value` as a Lua value (see above). May raise a Lua error (memory, nesting): call
// only from a protected C function whose frames hold no objects with destructors. `value`
// must outlive the call.
void push_json(lua_State* L, const nlohmann::json& value);

// The value at `index` as JSON. Never raises a Lua error and never allocates in Lua, so it
// is safe from any C++ frame. Errc::invalid_argument naming the place, below `root`
// ("output", "output.fields[2].name"), of the first value that is not serialisable: a
// function, userdata, thread, a cyclic table, a table mixing key kinds or with holes, a
// NaN/infinite number, a string that is not UTF-8, or nesting past kMaxJsonDepth; also
// when the result would take more than about `max_bytes` of memory (an action passes its
// memory limit: the C++ copy lives outside the Lua state's allocator).
Result<nlohmann::json> lua_to_json(lua_State* L, int index, std::string_view root,
                                   std::size_t max_bytes = SIZE_MAX);

// True when `text` is valid UTF-8.
bool is_utf8(std::string_view text);

}  // namespace ferry::actions
