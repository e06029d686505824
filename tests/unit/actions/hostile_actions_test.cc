// Actions that attack the limits from inside C library calls and through finalizers: each
// ends with its limit error or a clear refusal, and the runner keeps serving.

#include <gtest/gtest.h>
#include <lua.hpp>


#include "actions_test_support.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;
using testing::ActionsFixture;

class HostileActions : public ActionsFixture {};

TEST_F(HostileActions, PathologicalPatternsEndWithTheCpuLimit) {
  options_.limits.cpu_time = std::chrono::milliseconds(300);
  make_runner();
  write_action("ok", "return function() return ('fine'):match('%a+') end");
  for (const char* body : {
           "return string.rep('a', 200000):find('.-.-.-.-.-.-b')",
           "return ('a'):rep(1e5):match(('a*'):rep(20) .. 'b')",
           "return (('a'):rep(1e5):gsub(('a*'):rep(20) .. 'b', 'x'))",
           "for _ in ('a'):rep(1e5):gmatch(('a-'):rep(20) .. 'b') do end",
           "return (('('):rep(1e5)):find('%b()')",
           // pcall does not shield a match from the limit
           "while true do pcall(string.find, ('a'):rep(1e5), ('a*'):rep(20) .. 'b') end",
           // nor does a replacement function that catches it
           "return (('a'):rep(1e5):gsub('a', function() pcall(string.match, ('a'):rep(1e5), "
           "('a*'):rep(20) .. 'b') end))",
       }) {
    write_action("pattern", std::string("return function(nango) ") + body + " end");
    const auto started = steady_clock::now();
    EXPECT_EQ(failure_of("pattern"), "the action exceeded its CPU time limit of 300 ms") << body;
    // Before: minutes. A generous bound for a loaded machine.
    EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(60)) << body;
    EXPECT_EQ(output_of("ok"), "fine");
  }
}

TEST_F(HostileActions, PatternsTooDeepAreRefusedLikeLua) {
  write_action("deep", "return function() return ('a'):rep(300):match(('a?'):rep(300)) end");
  EXPECT_NE(failure_of("deep").find("pattern too complex"), std::string::npos);
}

}  // namespace
}  // namespace ferry::actions
