// JSON <-> Lua: both directions, the deliberate cases, and what cannot be serialised.

#include "ferry/actions/lua_json.h"

#include <gtest/gtest.h>

#include "actions_test_support.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using testing::ActionsFixture;

class LuaJson : public ActionsFixture {};

TEST_F(LuaJson, InputComesBackUnchanged) {
  write_action("echo", "return function(nango, input) return input end");
  const std::vector<std::string> cases = {
      "{}", "[]", "[1,2,3]", R"({"a":[],"b":{},"c":null})", "1", "1.0", "-2.5", "0",
      R"("text")", R"("naïve ☃")", "null", "true", "false", "9007199254740993",
      "-9223372036854775808", "1e+300",
      R"({"issues":[{"id":"10001","fields":{"labels":[],"parent":null,"n":3,"x":3.5}}]})",
      "[[[]],[{}],[null,null,1]]",
  };
  for (const auto& text : cases) {
    const json input = json::parse(text);
    const json output = output_of("echo", input);
    EXPECT_EQ(output, input) << text;
    // Same number kinds too: 1 and 1.0 are distinct values to a JSON consumer.
    EXPECT_EQ(output.dump(), input.dump()) << text;
  }
}

TEST_F(LuaJson, TablesBuiltInLuaBecomeTheIntendedJson) {
  write_action("build", R"(return function(nango)
    return {
      empty_array = nango.json.array(),
      empty_object = {},
      marked_object = nango.json.object({ "a", "b" }),
      list = { 1, 2.0, "three", true },
      holes = { 1, nango.json.null, 3 },
      nested = { a = { b = { c = nango.json.null } } },
      int = 7, float = 7.0, big = math.maxinteger,
    }
  end)");
  json expected = json::parse(R"({
    "empty_array": [], "empty_object": {}, "marked_object": {"1": "a", "2": "b"},
    "list": [1, 2.0, "three", true], "holes": [1, null, 3],
    "nested": {"a": {"b": {"c": null}}}, "int": 7, "float": 7.0, "big": 9223372036854775807})");
  json output = output_of("build");
  EXPECT_EQ(output, expected);
  EXPECT_EQ(output.dump(), expected.dump());
}

TEST_F(LuaJson, DecodedValuesKeepTheirShapeAndKinds) {
  write_action("kinds", R"(return function(nango, input)
    return {
      math.type(input.i), math.type(input.f), input.n == nango.json.null,
      getmetatable(input.a) == nango.json.array_mt, #input.a, next(input.o) == nil,
    }
  end)");
  EXPECT_EQ(output_of("kinds", json::parse(R"({"i":1,"f":1.0,"n":null,"a":[],"o":{}})")),
            (json{"integer", "float", true, true, 0, true}));
}

TEST_F(LuaJson, EncodeAndDecodeRoundTrip) {
  write_action("codec", R"(return function(nango)
    local text = '{"a":[],"b":{"c":1.5,"d":[1,null]},"e":"x"}'
    local again = nango.json.encode(nango.json.decode(text))
    local ok, err = pcall(nango.json.decode, "{not json")
    return { same = nango.json.decode(again), ok = ok, err = err }
  end)");
  json output = output_of("codec");
  EXPECT_EQ(output["same"], json::parse(R"({"a":[],"b":{"c":1.5,"d":[1,null]},"e":"x"})"));
  EXPECT_EQ(output["ok"], false);
  EXPECT_NE(output["err"].get<std::string>().find("not JSON"), std::string::npos);
}

TEST_F(LuaJson, UnserialisableOutputsNameThePlace) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"return { f = print }", "output.f is not serialisable to JSON: a function"},
      {"return print", "output is not serialisable to JSON: a function"},
      {"local t = {} t.self = t return { a = { t } }",
       "output.a[1].self is not serialisable to JSON: a cyclic table"},
      {"return { coroutine.create(print) }", "output[1] is not serialisable to JSON: a coroutine"},
      {"return { 0/0 }", "output[1] is not serialisable to JSON: NaN or an infinite number"},
      {"return { x = 1, 2 }", "both string keys and array indices"},
      {"return { [1] = 1, [1000] = 2 }", "a sparse array"},
      {"return { [1.5] = 1 }", "neither a string nor a positive integer"},
      {"return { ['bad key'] = '\\xff' }", "output[\"bad key\"] is not serialisable to JSON: a "
                                           "string that is not valid UTF-8"},
  };
  for (const auto& [body, expected] : cases) {
    write_action("bad", "return function(nango) " + body + " end");
    std::string message = failure_of("bad");
    EXPECT_NE(message.find(expected), std::string::npos) << body << " -> " << message;
  }
}

TEST_F(LuaJson, NestingPastTheLimitIsRefused) {
  write_action("deep", R"(return function(nango)
    local t = {}
    local node = t
    for i = 1, 300 do node.next = {} node = node.next end
    return t
  end)");
  EXPECT_NE(failure_of("deep").find("nested deeper than 200 levels"), std::string::npos);
  std::string deep_input(300, '[');
  deep_input += std::string(300, ']');
  write_action("echo", "return function(nango, input) return input end");
  EXPECT_NE(failure_of("echo", json::parse(deep_input)).find("nested deeper than 200"),
            std::string::npos);
}

TEST(IsUtf8, AcceptsUtf8AndRejectsTheRest) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain"));
  EXPECT_TRUE(is_utf8("na\xc3\xafve \xe2\x98\x83 \xf0\x9f\x98\x80"));
  for (std::string_view bad : {"\xff", "\xc3", "\xc0\xae", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                               "a\xe2\x98"}) {
    EXPECT_FALSE(is_utf8(bad)) << bad;
  }
}

}  // namespace
}  // namespace ferry::actions
