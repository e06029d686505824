#include "ferry/config/source_tree.h"

#include <gtest/gtest.h>

namespace ferry::config {
namespace {

TEST(SubstituteEnv, ReplacesOnlyEnvironmentStyleNames) {
  const Environment env = Environment::from_map({{"SECRET", "s3cr3t"}, {"HOST", "h.example"}});
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"${SECRET}", "s3cr3t"},
      {"https://${HOST}/x?k=${SECRET}", "https://h.example/x?k=s3cr3t"},
      {"Bearer ${access_token}", "Bearer ${access_token}"},
      {"/ex/jira/${connectionConfig.cloudId}/x", "/ex/jira/${connectionConfig.cloudId}/x"},
      {"${Mixed_Case}", "${Mixed_Case}"},
      {"$${SECRET}", "${SECRET}"},
      {"$${access_token}", "${access_token}"},
      {"cost: $5 and ${ unclosed", "cost: $5 and ${ unclosed"},
      {"${9LIVES}", "${9LIVES}"},
      {"plain", "plain"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> missing;
    EXPECT_EQ(substitute_env(c.text, env, missing), c.expected) << c.text;
    EXPECT_TRUE(missing.empty()) << c.text;
  }
}

TEST(SubstituteEnv, ReportsEveryUnsetVariable) {
  const Environment env = Environment::from_map({{"SET", "x"}});
  std::vector<std::string> missing;
  std::string out = substitute_env("${UNSET_A}-${SET}-${UNSET_B}", env, missing);
  EXPECT_EQ(missing, (std::vector<std::string>{"UNSET_A", "UNSET_B"}));
  EXPECT_EQ(out, "${UNSET_A}-x-${UNSET_B}");
}

TEST(SubstituteEnv, TreeErrorsNameFileLineColumnAndKeyPath) {
  Problems problems;
  auto root = parse_yaml("a:\n  b: ok\n  c: [one, \"${MISSING_VAR}\"]\n", "/f.yaml", problems);
  ASSERT_TRUE(root);
  substitute_env(*root, Environment::from_map({}), "", problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.lines()[0],
            "/f.yaml:3:12: a.c[1]: environment variable MISSING_VAR is not set");
}

TEST(ParseYaml, RecordsLocationsOfKeysAndValues) {
  Problems problems;
  auto root = parse_yaml("top:\n  key: value\n", "/f.yaml", problems);
  ASSERT_TRUE(root);
  ASSERT_TRUE(problems.empty());
  const SourceNode* key = root->find("top")->find("key");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->key_location.to_string(), "/f.yaml:2:3");
  EXPECT_EQ(key->location.to_string(), "/f.yaml:2:8");
  EXPECT_EQ(key->scalar, "value");
}

TEST(ParseYaml, SyntaxErrorsAndDuplicateKeysAreProblems) {
  Problems problems;
  EXPECT_FALSE(parse_yaml("a: [unclosed\n", "/f.yaml", problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.lines()[0].rfind("/f.yaml:", 0), 0u) << problems.lines()[0];
  EXPECT_NE(problems.lines()[0].find("invalid YAML"), std::string::npos);

  Problems duplicates;
  EXPECT_TRUE(parse_yaml("a: 1\nb: 2\na: 3\n", "/f.yaml", duplicates));
  ASSERT_EQ(duplicates.size(), 1u);
  EXPECT_EQ(duplicates.lines()[0], "/f.yaml:3:1: a: duplicate key (first written at line 1)");
}

TEST(Merge, MapsMergeKeyByKeyAndListsReplace) {
  Problems problems;
  auto base = parse_yaml(
      "auth: {mode: A, params: {x: '1', y: '2'}}\nscopes: [a, b]\nkeep: base\n", "/base.yaml",
      problems);
  auto overlay = parse_yaml("auth: {params: {y: '3', z: '4'}}\nscopes: [c]\nkeep:\n",
                            "/over.yaml", problems);
  ASSERT_TRUE(base && overlay && problems.empty());
  SourceNode merged = merge(*base, *overlay);
  const SourceNode* params = merged.find("auth")->find("params");
  EXPECT_EQ(params->find("x")->scalar, "1");
  EXPECT_EQ(params->find("y")->scalar, "3");
  EXPECT_EQ(params->find("z")->scalar, "4");
  EXPECT_EQ(params->find("x")->location.file, "/base.yaml");
  EXPECT_EQ(params->find("y")->location.file, "/over.yaml");
  EXPECT_EQ(merged.find("auth")->find("mode")->scalar, "A");
  ASSERT_EQ(merged.find("scopes")->children.size(), 1u);
  EXPECT_EQ(merged.find("scopes")->children[0].scalar, "c");
  // A null in the overlay keeps the base's value.
  EXPECT_EQ(merged.find("keep")->scalar, "base");
}

}  // namespace
}  // namespace ferry::config
