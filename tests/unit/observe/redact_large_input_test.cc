// Redaction runs on whatever reaches a log line, an error body or the activity log, so it
// must finish in linear time and constant stack on any input. Each of these inputs
// overflowed the stack of the former regex-based redactor or made it backtrack.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "ferry/observe/redact.h"

namespace ferry::observe {
namespace {

constexpr std::size_t kSize = 2 << 20;  // 2 MiB

std::string repeated(std::string_view unit, std::size_t size = kSize) {
  std::string out;
  out.reserve(size + unit.size());
  while (out.size() < size) out.append(unit);
  return out;
}

TEST(RedactLargeInput, EveryShapeAtMegabyteScale) {
  const std::string inputs[] = {
      "Authorization: Bearer " + repeated("a"),
      "Authorization: " + repeated("x "),
      "access_token=" + repeated("v"),
      repeated("access_token=1&"),
      repeated("\"access_token\":\""),
      R"({"password":")" + repeated("\\"),
      repeated("{\"a\":["),
      repeated("bearer "),
      repeated("Bearer abcd "),
      repeated("/token/"),
      repeated("a"),
      repeated("=&?:/\"\\"),
      repeated("secret: "),
      repeated(std::string_view("\0\r\n\x7f", 4)),
      repeated("\xff\xfe"),
  };
  for (const auto& input : inputs) {
    const std::string out = redact(input);
    // Each masked run becomes one [REDACTED]: the output cannot grow beyond that.
    EXPECT_LE(out.size(), input.size() * (kRedacted.size() + 1)) << input.substr(0, 40);
  }
  EXPECT_EQ(redact(inputs[0]), "Authorization: Bearer [REDACTED]");
  EXPECT_EQ(redact(inputs[2]), "access_token=[REDACTED]");
  EXPECT_EQ(redact(inputs[5]), R"({"password":"[REDACTED])");
}

TEST(RedactLargeInput, RegisteredSecretsAmongMegabytesOfText) {
  for (int i = 0; i < 2000; ++i) register_secret("tok-" + std::to_string(i) + "-ZZZZZZZZ");
  std::string text = repeated("tok-1-ZZZZZZZ ");  // one byte short of a secret, again and again
  text += "tok-1999-ZZZZZZZZ";
  const std::string out = redact(text);
  EXPECT_EQ(out.find("tok-1999-ZZZZZZZZ"), std::string::npos);
  EXPECT_NE(out.find(kRedacted), std::string::npos);
  for (int i = 0; i < 2000; ++i) unregister_secret("tok-" + std::to_string(i) + "-ZZZZZZZZ");
}

TEST(RedactLargeInput, DeeplyNestedJsonValues) {
  nlohmann::json value = "client-secret=cs-1";
  for (int depth = 0; depth < 20'000; ++depth) value = nlohmann::json::array({std::move(value)});
  redact_json(value);
  const nlohmann::json* inner = &value;
  while (inner->is_array()) inner = &(*inner)[0];
  EXPECT_EQ(inner->get<std::string>(), "client-secret=[REDACTED]");
}

}  // namespace
}  // namespace ferry::observe
