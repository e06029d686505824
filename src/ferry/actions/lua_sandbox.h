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
//   assert error getmetatable ipairs next pairs pcall rawequal rawget rawlen rawset select
//   tonumber tostring type xpcall _VERSION string table math utf8 coroutine, and
//   setmetatable (refuses __gc), load (text chunks only, this environment by default),
//   print (to the action log at info), collectgarbage ("count" and "collect" only).
// No os, io, debug, package/require, dofile, loadfile, string.dump. Raises on memory
// errors: call inside lua_pcall.
void push_sandbox_environment(lua_State* L);

// The instruction-count hook that enforces the CPU time, wall time and memory limits.
void install_limit_hook(lua_State* co);

// Pushes the `nango` object (lua_nango.cc). Raises on memory errors: call inside lua_pcall.
void push_nango(lua_State* L);

}  // namespace ferry::actions
