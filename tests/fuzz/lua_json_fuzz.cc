// Fuzzes the JSON <-> Lua bridge of actions (actions/lua_json.h) the way nango.json.decode
// and nango.json.encode use it: JSON text parsed as LuaRun::decode_json parses it, pushed
// into a fresh sandboxed lua_State with the run's memory-budget allocator, read back with
// lua_to_json, and dumped as text.
//
// Input: JSON text (anything else is skipped, as decode refuses it).
// Oracle: no crash or sanitizer report; the push either succeeds or raises a Lua error
// (nesting, memory) caught by lua_pcall; a pushed value converts back to JSON equal to the
// input (null, empty arrays and objects, integer and float kinds survive; only an
// infinity, which "1e999" parses to, is refused) and dumps as text without throwing.
#include <lua.hpp>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "ferry/actions/lua_json.h"
#include "ferry/actions/lua_run.h"
#include "ferry/actions/lua_sandbox.h"
#include "fuzz_check.h"

namespace {

// Runs inside lua_pcall, as the bindings do: only trivially destructible locals here.
int push_decoded(lua_State* L) {
  const auto* value = static_cast<const nlohmann::json*>(lua_touserdata(L, 1));
  ferry::actions::register_json_markers(L);
  ferry::actions::push_sandbox_environment(L);
  lua_pop(L, 1);
  ferry::actions::push_json(L, *value);
  return 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto value = nlohmann::json::parse(data, data + size, nullptr, false);
  if (value.is_discarded()) return 0;

  ferry::actions::MemoryBudget budget;
  budget.limit = 64 * 1024 * 1024;  // ActionLimits' default
  lua_State* L = lua_newstate(ferry::actions::budget_alloc, &budget);
  FERRY_FUZZ_CHECK(L != nullptr, "cannot create a Lua state");
  lua_pushcfunction(L, push_decoded);
  lua_pushlightuserdata(L, const_cast<nlohmann::json*>(&value));
  if (lua_pcall(L, 1, 1, 0) == LUA_OK) {
    auto back = ferry::actions::lua_to_json(L, -1, "value");
    if (back) {
      FERRY_FUZZ_CHECK(*back == value, "the round trip changed the value");
      (void)back->dump();  // throws on a string that is not UTF-8
    } else {
      // The parser reads "1e999" as infinity, which JSON cannot carry back: refused by name.
      FERRY_FUZZ_CHECK(back.error().message.find("infinite") != std::string::npos,
                       "a decoded value does not encode back");
    }
  }
  lua_close(L);
  return 0;
}
