// Every bad input of the Actions feature, the sandbox and the limits.

#include <gtest/gtest.h>

#include "actions_test_support.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using testing::ActionsFixture;

class BadInput : public ActionsFixture {};

TEST_F(BadInput, SyntaxErrorIsReportedWithFileAndLine) {
  folder_.write("jira/broken.action.lua", "return function(nango)\n  local x = = 1\nend\n");
  ReloadReport report = registry_->reload();
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].message.rfind("jira/broken.action.lua:2:", 0), 0u)
      << report.errors[0].message;
  EXPECT_EQ(registry_->find("jira", "broken"), nullptr);
  // Running it says why it cannot load, not that it does not exist.
  auto failure = run("broken").failure;
  EXPECT_EQ(failure->code, Errc::action_failed);
  EXPECT_NE(failure->message.find("jira/broken.action.lua:2:"), std::string::npos);
}

TEST_F(BadInput, RuntimeErrorFailsWithItsPosition) {
  write_action("crash", "return function(nango, input)\n  return input.missing.field\nend\n");
  std::string message = failure_of("crash", json::object());
  EXPECT_EQ(message.rfind("jira/crash.action.lua:2: attempt to index a nil value", 0), 0u)
      << message;
}

TEST_F(BadInput, FileNotReturningAFunctionFails) {
  write_action("notfn", "return 42");
  EXPECT_EQ(failure_of("notfn"),
            "jira/notfn.action.lua must return function(nango, input), not a number");
}

TEST_F(BadInput, NonSerialisableReturnValuesFail) {
  write_action("fn", "return function(nango) return function() end end");
  EXPECT_EQ(failure_of("fn"), "output is not serialisable to JSON: a function");
  write_action("cycle", "return function(nango) local t = {} t[1] = t return t end");
  EXPECT_EQ(failure_of("cycle"), "output[1] is not serialisable to JSON: a cyclic table (it "
                                 "contains itself)");
}

TEST_F(BadInput, MissingActionAndUnknownConnectionAreNotFound) {
  ActionOutcome missing = run("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.failure->code, Errc::not_found);
  EXPECT_EQ(missing.failure->message, "no action \"nope\" for integration \"jira\"");
  EXPECT_EQ(missing.exec_id.size(), 8u);

  write_action("ok", "return function() return 1 end");
  boost::asio::io_context ioc;
  ActionOutcome unknown;
  boost::asio::co_spawn(ioc, runner_->run({"jira", "nobody"}, "ok", nullptr),
                        [&](std::exception_ptr, ActionOutcome o) { unknown = std::move(o); });
  ioc.run();
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.failure->code, Errc::not_found);
  EXPECT_NE(unknown.failure->message.find("nobody"), std::string::npos);

  ActionOutcome integration = run("ok", nullptr, "asana");
  ASSERT_FALSE(integration.ok());
  EXPECT_EQ(integration.failure->code, Errc::not_found);
}

TEST_F(BadInput, EndlessLoopsAreStoppedAndTheRunnerKeepsServing) {
  options_.limits.cpu_time = std::chrono::milliseconds(200);
  make_runner();
  write_action("ok", "return function() return 'fine' end");
  for (const char* body : {"while true do end",
                           // pcall must not shield a loop from the limit
                           "while true do pcall(function() while true do end end) end",
                           "local function f() return f() end return f()"}) {
    write_action("loop", std::string("return function(nango) ") + body + " end");
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(failure_of("loop"), "the action exceeded its CPU time limit of 200 ms") << body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << body;
    EXPECT_EQ(output_of("ok"), "fine");
  }
}

TEST_F(BadInput, MemoryBombsAreStoppedAndTheRunnerKeepsServing) {
  options_.limits.memory_bytes = 8 * 1024 * 1024;
  make_runner();
  write_action("ok", "return function() return 'fine' end");
  for (const char* body : {"local t = {} while true do t[#t + 1] = string.rep('x', 1000) .. #t end",
                           "local s = 'x' while true do s = s .. s end",
                           "return string.rep('x', 1 << 28)",
                           "local t = {} while true do pcall(function() t[#t + 1] = {} end) end"}) {
    write_action("bomb", std::string("return function(nango) ") + body + " end");
    EXPECT_EQ(failure_of("bomb"), "the action exceeded its memory limit of 8 MiB") << body;
    EXPECT_EQ(output_of("ok"), "fine");
  }
}

TEST_F(BadInput, WaitingPastTheDeadlineStopsTheRun) {
  options_.limits.wall_time = std::chrono::milliseconds(100);
  make_runner();
  http_->set_delay(std::chrono::seconds(30));
  write_action("slow", "return function(nango) nango:get{ endpoint = '/slow' } return 1 end");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(failure_of("slow"), "the action exceeded its time limit of 100 ms waiting for GET /slow");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(BadInput, HostEscapingEndpointFailsWithTheGuardsMessage) {
  write_action("escape", "return function(nango) nango:get{ endpoint = 'https://evil.test/x' } end");
  std::string message = failure_of("escape");
  EXPECT_NE(message.find("jira/escape.action.lua:1: GET https://evil.test/x failed: the proxy "
                         "endpoint starts with a URL scheme"),
            std::string::npos)
      << message;
}

TEST_F(BadInput, HttpErrorsCanBeCaughtByTheScript) {
  write_action("caught", R"(return function(nango)
    local ok, err = pcall(nango.get, nango, { endpoint = "//evil.test/x" })
    return { ok = ok, caught = err ~= nil }
  end)");
  EXPECT_EQ(output_of("caught"), (json{{"ok", false}, {"caught", true}}));
}

TEST_F(BadInput, TheSandboxHidesDangerousGlobals) {
  write_action("probe", R"(return function(nango)
    return { os = type(os), io = type(io), debug = type(debug), require = type(require),
             package = type(package), dofile = type(dofile), loadfile = type(loadfile),
             dump = type(string.dump), G = _G == _ENV }
  end)");
  EXPECT_EQ(output_of("probe"),
            (json{{"os", "nil"}, {"io", "nil"}, {"debug", "nil"}, {"require", "nil"},
                  {"package", "nil"}, {"dofile", "nil"}, {"loadfile", "nil"}, {"dump", "nil"},
                  {"G", true}}));
}

TEST_F(BadInput, LoadTakesTextOnlyAndGcMetamethodsAreRefused) {
  write_action("load", R"(return function(nango)
    local f = load("return 1 + 1")
    local bytecode, err = load("\27Lua binary")
    local gc_ok, gc_err = pcall(setmetatable, {}, { __gc = function() end })
    local cg_ok = pcall(collectgarbage, "stop")
    return { f(), bytecode == nil, err, gc_ok, gc_err, cg_ok, collectgarbage("count") > 0 }
  end)");
  json output = output_of("load");
  EXPECT_EQ(output[0], 2);
  EXPECT_EQ(output[1], true);
  EXPECT_NE(output[2].get<std::string>().find("attempt to load a binary chunk"), std::string::npos);
  EXPECT_EQ(output[3], false);
  EXPECT_NE(output[4].get<std::string>().find("__gc metamethods are not available"),
            std::string::npos);
  EXPECT_EQ(output[5], false);
  EXPECT_EQ(output[6], true);
}

TEST_F(BadInput, GlobalsDoNotLeakBetweenRuns) {
  write_action("set", "leaked = 'top' return function() shared = 1 string.upper = nil return 1 end");
  write_action("get", R"(return function()
    return { leaked = leaked == nil, shared = shared == nil, upper = ("a"):upper() }
  end)");
  EXPECT_EQ(output_of("set"), 1);
  EXPECT_EQ(output_of("get"), (json{{"leaked", true}, {"shared", true}, {"upper", "A"}}));
}

TEST_F(BadInput, YieldAndCallsFromCoroutinesAreRefused) {
  write_action("yield", "return function() coroutine.yield(1) end");
  EXPECT_EQ(failure_of("yield"), "coroutine.yield() was called outside a coroutine");
  write_action("co", R"(return function(nango)
    local co = coroutine.wrap(function() return nango:get{ endpoint = "/x" } end)
    return co()
  end)");
  EXPECT_NE(failure_of("co").find("HTTP calls cannot be made inside a coroutine"),
            std::string::npos);
  write_action("sort", R"(return function(nango)
    local t = { 3, 1, 2 }
    table.sort(t, function(a, b) nango:get{ endpoint = "/x" } return a < b end)
  end)");
  EXPECT_NE(failure_of("sort").find("HTTP calls cannot be made here"), std::string::npos);
  EXPECT_TRUE(http_->requests().empty());
}

}  // namespace
}  // namespace ferry::actions
