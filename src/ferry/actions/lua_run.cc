#include "ferry/actions/lua_run.h"

#include <fmt/format.h>
#include <lua.hpp>

#include <cstdlib>

#include "ferry/actions/lua_json.h"
#include "ferry/actions/lua_sandbox.h"
#include "ferry/core/blocking_pool.h"

namespace ferry::actions {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using std::chrono::steady_clock;

char g_coroutine_key;  // registry slot anchoring the run's coroutine

// What a closing state may allocate beyond its use, to neutralise finalizers.
constexpr std::size_t kCloseReserveBytes = 64 * 1024;

// Runs the file's chunk, checks it returned a function and calls it. Its frames show in no
// message: errors from the action carry the action file's positions.
constexpr std::string_view kBootstrap = R"(local chunk, nango, input, file = ...
local action = chunk()
if type(action) ~= "function" then
  error(file .. " must return function(nango, input), not a " .. type(action), 0)
end
return (action(nango, input))
)";

std::string describe_duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
  return fmt::format("{} ms", d.count());
}

std::string describe_bytes(std::size_t bytes) {
  constexpr std::size_t kMiB = 1024 * 1024;
  if (bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
  return fmt::format("{} bytes", bytes);
}

int panic(lua_State* L) {
  // Unreachable by design: every raising call is protected. A bug, so stop (STYLE 2.2).
  const char* message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
  observe::error("unprotected Lua error: {}", message);
  std::abort();
}

// lua_pcall'd on the run's main thread: builds the sandbox and leaves the coroutine ready
// with [bootstrap, chunk, nango, input, file].
int setup_state(lua_State* L) {
  LuaRun* run = LuaRun::of(L);
  register_json_markers(L);
  push_sandbox_environment(L);
  const int env = lua_gettop(L);
  lua_State* co = lua_newthread(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &g_coroutine_key);
  if (luaL_loadbufferx(L, kBootstrap.data(), kBootstrap.size(), "=ferry", "t") != LUA_OK) {
    return lua_error(L);
  }
  const std::string& source = run->script().source;
  if (luaL_loadbufferx(L, source.data(), source.size(), run->chunk_name().c_str(), "t") !=
      LUA_OK) {
    return lua_error(L);
  }
  lua_pushvalue(L, env);
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  push_nango(L);
  // A missing input is nil, so `if not input` works; nested nulls are nango.json.null.
  if (run->input().is_null()) {
    lua_pushnil(L);
  } else {
    push_json(L, run->input());
  }
  const std::string& file = run->script().file;
  lua_pushlstring(L, file.data(), file.size());
  lua_xmove(L, co, 5);
  return 0;
}

std::string error_text(lua_State* L, int index) {
  switch (lua_type(L, index)) {
    case LUA_TSTRING:
      return lua_tostring(L, index);
    case LUA_TNUMBER:  // lua_tostring would convert in place and allocate
      return lua_isinteger(L, index) ? std::to_string(lua_tointeger(L, index))
                                     : fmt::format("{}", lua_tonumber(L, index));
    default:
      return fmt::format("the action failed with an error value of type {}",
                         lua_typename(L, lua_type(L, index)));
  }
}

}  // namespace

LuaRun::LuaRun(ActionContext& context, std::shared_ptr<const LuaScript> script,
               ActionLimits limits, std::string base_url, BlockingPool* lua_threads,
               std::map<std::string, std::string> pagination_defaults)
    : context_(context),
      script_(std::move(script)),
      limits_(limits),
      base_url_(std::move(base_url)),
      pagination_defaults_(std::move(pagination_defaults)),
      lua_threads_(lua_threads),
      chunk_name_("@" + script_->file) {}

LuaRun::~LuaRun() {
  if (L_ == nullptr) return;
  budget_.limit = budget_.used + kCloseReserveBytes;  // room to neutralise, not to grow
  if (!neutralise_finalizers(L_)) {
    observe::error("{} could not check the action's state for finalizers", context_.log_prefix());
  }
  lua_close(L_);
}

LuaRun* LuaRun::of(lua_State* L) { return *static_cast<LuaRun**>(lua_getextraspace(L)); }

Result<std::monostate> LuaRun::start(const json& input) {
  input_ = &input;
  budget_.limit = limits_.memory_bytes;
  L_ = lua_newstate(budget_alloc, &budget_);
  if (L_ == nullptr) {
    return Error{Errc::action_failed, "the action's memory limit is too small to start it"};
  }
  // Threads copy the main thread's extra space, so every coroutine finds its run.
  *static_cast<LuaRun**>(lua_getextraspace(L_)) = this;
  lua_atpanic(L_, panic);
  lua_pushcfunction(L_, setup_state);
  const int status = lua_pcall(L_, 0, 0, 0);
  if (status != LUA_OK) {
    if (status == LUA_ERRMEM || budget_.exceeded) {
      return Error{Errc::action_failed, fmt::format("the action exceeded its memory limit of {}",
                                                    describe_bytes(limits_.memory_bytes))};
    }
    return Error{Errc::action_failed, error_text(L_, -1)};
  }
  lua_rawgetp(L_, LUA_REGISTRYINDEX, &g_coroutine_key);
  co_ = lua_tothread(L_, -1);
  lua_pop(L_, 1);
  install_limit_hook(co_);
  return std::monostate{};
}

template <class Step>
net::awaitable<std::invoke_result_t<Step&>> LuaRun::run_lua(Step step) {
  if (lua_threads_ == nullptr) co_return step();
  co_return co_await lua_threads_->run(std::move(step));
}

int LuaRun::resume(int arguments) {
  int results = 0;
  resumed_at_ = steady_clock::now();
  const int status = lua_resume(co_, L_, arguments, &results);
  cpu_used_ += steady_clock::now() - resumed_at_;
  if (status == LUA_YIELD) lua_pop(co_, results);
  return status;
}

net::awaitable<std::variant<json, ActionFailure>> LuaRun::execute(const json& input) {
  resumed_at_ = steady_clock::now();
  if (auto started = co_await run_lua([this, &input] { return start(input); }); !started) {
    co_return ActionFailure{Errc::action_failed, started.error().message, nullptr, ""};
  }
  int arguments = 4;
  int status = LUA_OK;
  for (;;) {
    status = co_await run_lua([this, arguments] { return resume(arguments); });
    arguments = 0;
    if (status != LUA_YIELD) break;
    if (pending_ == Pending::none) {
      co_return killed("coroutine.yield() was called outside a coroutine", "");
    }
    if (pending_ == Pending::metadata) {
      co_await write_pending_metadata();
      continue;
    }
    if (pending_ == Pending::webhooks) {
      co_await register_pending_webhooks();
      if (context_.deadline_passed()) {
        co_return killed(fmt::format("the action exceeded its time limit of {} registering "
                                     "webhooks",
                                     describe_duration(limits_.wall_time)),
                         "wall_time");
      }
      continue;
    }
    call_what_ = request_.method + " " + request_.endpoint;
    auto result = co_await context_.send(std::move(request_));
    if (context_.deadline_passed()) {
      co_return killed(fmt::format("the action exceeded its time limit of {} waiting for {}",
                                   describe_duration(limits_.wall_time), call_what_),
                       "wall_time");
    }
    prepare_answer(std::move(result));
  }
  auto outcome = co_await run_lua([this, status] { return finish(status); });
  co_return outcome;
}

std::variant<json, ActionFailure> LuaRun::finish(int status) {
  if (status != LUA_OK) return failure_from_error(status);
  if (lua_gettop(co_) == 0) return json(nullptr);
  auto output = lua_to_json(co_, -1, "output", limits_.memory_bytes);
  if (!output) return ActionFailure{Errc::action_failed, output.error().message, nullptr, ""};
  return std::move(*output);
}

ActionFailure LuaRun::failure_from_error(int status) {
  if (stop_reason_) return killed(*stop_reason_, stop_limit_);
  if (status == LUA_ERRMEM || budget_.exceeded) {
    return killed(fmt::format("the action exceeded its memory limit of {}",
                              describe_bytes(limits_.memory_bytes)),
                  "memory");
  }
  if (lua_type(co_, -1) != LUA_TTABLE) {
    return ActionFailure{Errc::action_failed, error_text(co_, -1), nullptr, ""};
  }
  // error{...}: the table is the payload; its `message`, when a string, is the message.
  auto payload = lua_to_json(co_, -1, "error", limits_.memory_bytes);
  if (!payload) {
    return ActionFailure{Errc::action_failed, "the action failed, and " + payload.error().message,
                         nullptr, ""};
  }
  std::string message = "the action failed";
  if (auto it = payload->find("message"); it != payload->end() && it->is_string()) {
    message = it->get<std::string>();
  }
  return ActionFailure{Errc::action_failed, std::move(message), std::move(*payload), ""};
}

ActionFailure LuaRun::killed(std::string message, std::string_view limit) const {
  return ActionFailure{Errc::action_failed, std::move(message), nullptr, std::string(limit)};
}

const char* LuaRun::check_limits() {
  if (!stop_reason_) {
    const auto now = steady_clock::now();
    if (budget_.exceeded) {
      stop_reason_ = fmt::format("the action exceeded its memory limit of {}",
                                 describe_bytes(limits_.memory_bytes));
      stop_limit_ = "memory";
    } else if (cpu_used_ + (now - resumed_at_) > limits_.cpu_time) {
      stop_reason_ = fmt::format("the action exceeded its CPU time limit of {}",
                                 describe_duration(limits_.cpu_time));
      stop_limit_ = "cpu_time";
    } else if (now >= context_.deadline()) {
      stop_reason_ = fmt::format("the action exceeded its time limit of {}",
                                 describe_duration(limits_.wall_time));
      stop_limit_ = "wall_time";
    }
  }
  return stop_reason_ ? stop_reason_->c_str() : nullptr;
}

}  // namespace ferry::actions
