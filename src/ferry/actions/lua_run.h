#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ferry/actions/action_context.h"
#include "ferry/actions/action_outcome.h"
#include "ferry/actions/action_registry.h"
#include "ferry/actions/pagination.h"

struct lua_State;

namespace ferry {
class BlockingPool;
}

namespace ferry::actions {

// What the Lua allocator of one run has handed out, against the run's limit.
struct MemoryBudget {
  std::size_t used = 0;
  std::size_t limit = 0;
  // Lua retries a refused allocation once after an emergency collection; only a refusal of
  // that retry raises "not enough memory", and only that one marks the run as over.
  bool refused_once = false;
  std::size_t refused_size = 0;
  bool exceeded = false;
};

// An answer prepared in C++ for the Lua continuation that resumes after an HTTP call: the
// continuation only pushes it (or raises `error`), so no C++ object lives in Lua's frames.
struct PreparedAnswer {
  std::string error;  // non-empty: the call failed with this message
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, merged
  std::string body;
  nlohmann::json json = nlohmann::json(nlohmann::json::value_t::discarded);
  nlohmann::json records;  // a page's records (paginate only)
};

// One run of one Lua action, in a lua_State of its own.
//
// Why a state per run: it is the simplest complete isolation (globals, the shared string
// metatable, library tables) and makes the memory limit exact; creating one and compiling a
// small action costs tens of microseconds, small next to any upstream call.
//
// The run is a Lua coroutine on that state. An HTTP call made by the script stores its
// request here and yields; execute() co_awaits ActionContext::send and resumes the
// coroutine with the answer. With `lua_threads`, every step that runs Lua (starting,
// each resume, reading the output) runs there and execute() resumes on its own executor
// afterwards, so a computing script never holds an I/O thread; without, everything runs on
// the caller's executor. The steps never overlap, so the state is used by one thread at a
// time, each hand-off ordering its memory.
//
// The C boundary: Lua reports errors with longjmp, so C++ objects with destructors never
// live in a frame a Lua error can cross. Lua C functions (the nango bindings) keep only
// trivially destructible locals and leave C++ work to members of this class that never
// raise; every raising Lua call happens inside lua_pcall or lua_resume. C++ exceptions are
// caught before they reach a Lua frame.
//
// Not thread-safe: used by one coroutine at a time.
class LuaRun {
 public:
  // `lua_threads` may be null (see above); it must outlive the run.
  LuaRun(ActionContext& context, std::shared_ptr<const LuaScript> script, ActionLimits limits,
         std::string base_url, BlockingPool* lua_threads = nullptr,
         std::map<std::string, std::string> pagination_defaults = {});
  ~LuaRun();
  LuaRun(const LuaRun&) = delete;
  LuaRun& operator=(const LuaRun&) = delete;

  // Runs the action with `input` to its end. Suspends on each HTTP call. Returns the
  // output, or a failure with Errc::action_failed (error{...} with its payload, a runtime or
  // syntax error, a limit, an output that is not JSON). Call once.
  boost::asio::awaitable<std::variant<nlohmann::json, ActionFailure>> execute(
      const nlohmann::json& input);

  // --- For the Lua C functions of this run (lua_nango.cc, lua_sandbox.cc). None raises a
  // Lua error; each returns what the binding needs to raise or push.

  static LuaRun* of(lua_State* L);
  ActionContext& context() { return context_; }
  const LuaScript& script() const { return *script_; }
  const nlohmann::json& input() const { return *input_; }
  const std::string& chunk_name() const { return chunk_name_; }

  // Keeps `message` until the next call and returns it, for luaL_error("%s", ...).
  const char* keep_message(std::string message);

  // Reads the request table at `index` and stores it as the call to make at the next yield.
  // nullptr on success, else the message to raise.
  const char* prepare_call(lua_State* L, int index, std::string_view method);
  // Creates a paginator from the table at `index`; its id (>= 0), or -1 with `*error` set.
  int create_paginator(lua_State* L, int index, const char** error);
  // Stores the paginator's next request as the call to make. 1: a call is pending; 0: the
  // walk is over; -1: `*error` is set.
  int prepare_page(lua_State* L, int paginator, const char** error);
  // The answer to the last call, for the continuation.
  const PreparedAnswer& answer() const { return answer_; }

  // Reads the metadata table at `index` and stores it as the write to make at the next
  // yield. nullptr on success, else the message to raise.
  const char* prepare_metadata(lua_State* L, int index, bool merge);
  // Reads the webhook spec table at `index` and stores it as the registration to make at
  // the next yield; its answer is answer().json. nullptr on success, else the message.
  const char* prepare_webhooks(lua_State* L, int index);
  // The value at `index` as JSON text; nullptr with `*error` set when not serialisable.
  const char* encode_json(lua_State* L, int index, const char** error);
  // `text` parsed as JSON (kept until the next call); nullptr with `*error` set.
  const nlohmann::json* decode_json(std::string_view text, const char** error);
  // Logs `message` at `level` with the run's prefix. Never throws.
  void log(observe::Level level, std::string_view message) noexcept;

  // Called by the instruction hook: nullptr while the run is within its CPU time, wall time
  // and memory, else the reason to stop it (from then on, always the same reason).
  const char* check_limits();

 private:
  enum class Pending { none, call, page, metadata, webhooks };

  Result<std::monostate> start(const nlohmann::json& input);
  // Resumes the coroutine with `arguments` values on its stack; on a yield, drops what it
  // yielded. The lua_resume status.
  int resume(int arguments);
  // Runs `step` (Lua work) on lua_threads_, or inline without them.
  template <class Step>
  boost::asio::awaitable<std::invoke_result_t<Step&>> run_lua(Step step);
  // nullptr when `L` may yield for a call, else why `what` cannot be made here.
  const char* check_can_call(lua_State* L, const char* what);
  void prepare_answer(Result<ActionResponse> result);
  boost::asio::awaitable<void> write_pending_metadata();
  boost::asio::awaitable<void> register_pending_webhooks();
  std::variant<nlohmann::json, ActionFailure> finish(int status);
  ActionFailure failure_from_error(int status);
  // A failure for a run stopped by `limit` (an ActionFailure::limit name, or "" for none).
  ActionFailure killed(std::string message, std::string_view limit) const;

  ActionContext& context_;
  std::shared_ptr<const LuaScript> script_;
  ActionLimits limits_;
  std::string base_url_;
  std::map<std::string, std::string> pagination_defaults_;  // the integration's `pagination`
  BlockingPool* lua_threads_;
  std::string chunk_name_;  // "@jira/create-issue.action.lua"
  MemoryBudget budget_;
  lua_State* L_ = nullptr;
  lua_State* co_ = nullptr;
  const nlohmann::json* input_ = nullptr;

  Pending pending_ = Pending::none;
  ActionRequest request_;
  nlohmann::json metadata_;  // the pending metadata write, or webhook registration
  bool merge_metadata_ = false;
  std::string call_what_;  // "GET /x" of the call in flight, for messages
  int pending_paginator_ = -1;
  std::vector<std::unique_ptr<Paginator>> paginators_;
  PreparedAnswer answer_;

  std::chrono::steady_clock::duration cpu_used_{};
  std::chrono::steady_clock::time_point resumed_at_{};
  std::optional<std::string> stop_reason_;
  std::string_view stop_limit_;  // the limit behind stop_reason_
  std::string message_;
  std::string text_;
  nlohmann::json decoded_;
};

}  // namespace ferry::actions
