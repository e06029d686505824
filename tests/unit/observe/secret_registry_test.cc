#include "ferry/observe/secret_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::observe {
namespace {

std::vector<std::string> found(const SecretRegistry& registry, std::string_view text) {
  std::vector<TextRange> ranges;
  registry.find(text, ranges);
  std::vector<std::string> out;
  for (const auto& r : ranges) out.emplace_back(text.substr(r.begin, r.end - r.begin));
  return out;
}

using Texts = std::vector<std::string>;

TEST(SecretRegistry, FindsLongAndShortValuesAnywhere) {
  SecretRegistry registry;
  registry.add("eyJhbGciOiJIUzI1NiJ9.payload.signature-1");
  registry.add("pin7");
  EXPECT_EQ(found(registry, "x eyJhbGciOiJIUzI1NiJ9.payload.signature-1 y"),
            Texts{"eyJhbGciOiJIUzI1NiJ9.payload.signature-1"});
  EXPECT_EQ(found(registry, "pin7pin7"), (Texts{"pin7", "pin7"}));
  EXPECT_TRUE(found(registry, "eyJhbGciOiJIUzI1NiJ9.payload.signature-2").empty());
}

TEST(SecretRegistry, TokensSharingTheirFirstBytesAreToldApart) {
  SecretRegistry registry;
  const std::string header = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.";
  for (int i = 0; i < 1000; ++i) registry.add(header + "body." + std::to_string(100000 + i));
  EXPECT_EQ(found(registry, "[" + header + "body.100500]"), Texts{header + "body.100500"});
  EXPECT_TRUE(found(registry, header + "body.200500").empty());
}

TEST(SecretRegistry, CountsRegistrationsAndForgetsTheLast) {
  SecretRegistry registry;
  registry.add("shared-token-value");
  registry.add("shared-token-value");
  registry.remove("shared-token-value");
  EXPECT_EQ(found(registry, "shared-token-value").size(), 1u);
  registry.remove("shared-token-value");
  EXPECT_TRUE(found(registry, "shared-token-value").empty());
  EXPECT_EQ(registry.size(), 0u);
  registry.remove("never-added-value");  // harmless
}

TEST(SecretRegistry, IgnoresValuesTooShortToMask) {
  SecretRegistry registry;
  registry.add("abc");
  registry.add("");
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_TRUE(found(registry, "abc abc").empty());
}

TEST(SecretRegistry, ManyAddsAndRemovesKeepTheFilterExact) {
  SecretRegistry registry;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) registry.add("token-" + std::to_string(i) + "-value");
    for (int i = 0; i < 5000; i += 2) registry.remove("token-" + std::to_string(i) + "-value");
    EXPECT_TRUE(found(registry, "token-10-value").empty());
    EXPECT_EQ(found(registry, "token-11-value"), Texts{"token-11-value"});
    for (int i = 1; i < 5000; i += 2) registry.remove("token-" + std::to_string(i) + "-value");
    EXPECT_EQ(registry.size(), 0u);
  }
}

}  // namespace
}  // namespace ferry::observe
