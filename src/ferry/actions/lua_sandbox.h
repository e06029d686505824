#pragma once

#include <cstddef>

struct lua_State;

namespace ferry::actions {

// The pieces of a run's Lua state. Internal to LuaRun; see lua_run.h for the rules every
// Lua C function here follows.

// The lua_Alloc of a run: refuses allocations past `ud`'s MemoryBudget limit.
void* budget_alloc(void* ud, void* ptr, std::size_t old_size, std::size_t new_size);

// Opens the safe standard libraries (base, table, string, math, utf8, coroutine), then
// pushes a fresh environment table holding only safe globals:
//   assert error getmetatable ipairs next pairs pcall rawequal rawget rawlen select
//   tonumber tostring type xpcall _VERSION string table math utf8 coroutine, and
//   setmetatable (refuses __gc and protected metatables), rawset (refuses locked tables),
//   load (text chunks only, this environment by default), print (to the action log at
//   info), collectgarbage ("count" and "collect" only).
// string.find/match/gmatch/gsub are the budgeted ones (lua_pattern.h), string.rep and
// table.move the bounded ones (install_bounded_library_calls); the string
// metatable is locked (lua_lock.h). No os, io, debug, package/require, dofile, loadfile,
// string.dump. Raises on memory errors: call inside lua_pcall.
//
// Together these keep finalizers out: no Lua code can give an object a metatable with a
// __gc field, nor add one to a metatable the sandbox's C code sets.
void push_sandbox_environment(lua_State* L);

// Before lua_close: removes any __gc from the metatables the sandbox's C code hands out
// (the string metatable, the JSON markers), so that closing the state can never run a
// script's finalizer, which would run with hooks off. Nothing should have put one there;
// this is the last line of defence. Call with memory to spare (it may allocate); false if
// it could not run.
bool neutralise_finalizers(lua_State* L);

// The instruction-count hook that enforces the CPU time, wall time and memory limits.
void install_limit_hook(lua_State* co);

// Wraps string.rep and table.move of the opened libraries so that their C loops, which
// can run without allocating (string.rep("", 1e12), table.move({}, 1, 1e12, 2)), stay
// within `limits` (lua_bounded_calls.cc). Raises on memory errors.
struct PatternLimits;
void install_bounded_library_calls(lua_State* L, const PatternLimits* limits);

// Pushes the `nango` object (lua_nango.cc). Raises on memory errors: call inside lua_pcall.
void push_nango(lua_State* L);

}  // namespace ferry::actions
