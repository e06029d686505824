#include "ferry/config/environment.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "config_test_support.h"

namespace ferry::config {
namespace {

using testing::TempFolder;

TEST(Dotenv, ParsesEachSupportedLineShape) {
  struct Case {
    const char* line;
    const char* key;
    const char* value;
  };
  const Case cases[] = {
      {"A=1", "A", "1"},
      {"  B = spaced  ", "B", "spaced"},
      {"export C=exported", "C", "exported"},
      {"D='single # not a comment'", "D", "single # not a comment"},
      {"E=\"double \\\"quoted\\\"\\n\"", "E", "double \"quoted\"\n"},
      {"F=bare # trailing comment", "F", "bare"},
      {"G=", "G", ""},
      {"H=a=b", "H", "a=b"},
      {"I='${NOT_EXPANDED}' # comment", "I", "${NOT_EXPANDED}"},
      {"lower_case=ok\r", "lower_case", "ok"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_dotenv(c.line, "/x/.env");
    ASSERT_TRUE(parsed) << c.line << ": " << parsed.error().message;
    ASSERT_EQ(parsed->size(), 1u) << c.line;
    EXPECT_EQ(parsed->at(c.key), c.value) << c.line;
  }
}

TEST(Dotenv, SkipsCommentsAndBlankLines) {
  auto parsed = parse_dotenv("# comment\n\n   # indented comment\nKEY=value\n", "/x/.env");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, (std::map<std::string, std::string>{{"KEY", "value"}}));
}

TEST(Dotenv, ReportsMalformedLinesWithFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"A=1\nNO_EQUALS_SIGN\n", "/x/.env:2:1: expected KEY=VALUE"},
      {"  1BAD=x\n", "/x/.env:1:3: expected KEY=VALUE"},
      {"A=\"unterminated\n", "/x/.env:1:3: unterminated quoted value"},
      {"A='x' trailing\n", "/x/.env:1:3: unterminated quoted value, or text after"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_dotenv(c.text, "/x/.env");
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().code, Errc::config_invalid);
    EXPECT_NE(parsed.error().message.find(c.expected), std::string::npos)
        << parsed.error().message;
  }
}

TEST(Environment, ProcessEnvironmentWinsOverDotenv) {
  TempFolder folder;
  folder.write(".env",
               "FERRY_TEST_ONLY_IN_DOTENV=from-dotenv\nFERRY_TEST_IN_BOTH=from-dotenv\n");
  ::setenv("FERRY_TEST_IN_BOTH", "from-process", 1);
  auto env = Environment::from_process_and_dotenv(folder.path());
  ::unsetenv("FERRY_TEST_IN_BOTH");
  ASSERT_TRUE(env) << env.error().message;
  ASSERT_NE(env->find("FERRY_TEST_ONLY_IN_DOTENV"), nullptr);
  EXPECT_EQ(*env->find("FERRY_TEST_ONLY_IN_DOTENV"), "from-dotenv");
  ASSERT_NE(env->find("FERRY_TEST_IN_BOTH"), nullptr);
  EXPECT_EQ(*env->find("FERRY_TEST_IN_BOTH"), "from-process");
  EXPECT_EQ(env->find("FERRY_TEST_NEVER_SET"), nullptr);
}

TEST(Environment, WorksWithoutDotenvAndSeesTheProcess) {
  TempFolder folder;
  ::setenv("FERRY_TEST_PROCESS_ONLY", "yes", 1);
  auto env = Environment::from_process_and_dotenv(folder.path());
  ::unsetenv("FERRY_TEST_PROCESS_ONLY");
  ASSERT_TRUE(env) << env.error().message;
  ASSERT_NE(env->find("FERRY_TEST_PROCESS_ONLY"), nullptr);
  EXPECT_EQ(*env->find("FERRY_TEST_PROCESS_ONLY"), "yes");
}

TEST(Environment, BadDotenvNamesTheFile) {
  TempFolder folder;
  folder.write(".env", "OK=1\nthis is not an assignment\n");
  auto env = Environment::from_process_and_dotenv(folder.path());
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find((folder.path() / ".env").string() + ":2:1:"),
            std::string::npos)
      << env.error().message;
}

TEST(Environment, FromMapHoldsExactlyTheGivenVariables) {
  Environment env = Environment::from_map({{"A", "1"}});
  ASSERT_NE(env.find("A"), nullptr);
  EXPECT_EQ(*env.find("A"), "1");
  EXPECT_EQ(env.find("PATH"), nullptr);
}

}  // namespace
}  // namespace ferry::config
