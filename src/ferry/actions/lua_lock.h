#pragma once

struct lua_State;

namespace ferry::actions {

// Read-only tables for the metatables a run's sandbox hands out (the string metatable,
// nango.json.array_mt and object_mt).
//
// Why: a metatable the script can write to is a way to give a `__gc` finalizer to objects
// that C code creates with it, and finalizers run with hooks off, out of every limit. A
// locked table has a shared metatable whose __newindex refuses every write and whose
// __metatable hides it, and the sandbox's rawset refuses locked tables, so no Lua code can
// change one. C code (lua_rawset) still can: only the sandbox's setup does.

// The message a write to a locked table raises.
inline constexpr const char* kLockedTableMessage =
    "this table belongs to the sandbox and is read-only";

// Gives the table at `index` the lock metatable. Raises on memory errors: call inside a
// protected call.
void lock_table(lua_State* L, int index);

// True when the value at `index` is a locked table. Never raises.
bool is_locked_table(lua_State* L, int index);

}  // namespace ferry::actions
