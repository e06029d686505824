#include "ferry/api/connection_id.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::api {
namespace {

TEST(ConnectionId, AcceptsOrdinaryIdsAndRefusesControlCharactersAndLength) {
  for (std::string id : {std::string("user-1"), std::string("a@b.example"),
                         std::string("org:42/user 7"), std::string("x"), std::string(255, 'k'),
                         std::string("caf\xc3\xa9")}) {
    EXPECT_TRUE(check_connection_id(id, "\"connection_id\"")) << id;
  }
  struct Case {
    std::string id;
    std::string says;
  };
  const Case refused[] = {
      {"", "must not be empty"},
      {std::string(256, 'k'), "longer than 255 bytes"},
      {"a\nINFO forged line", "control characters"},
      {"a\rb", "control characters"},
      {std::string("a\0b", 3), "control characters"},
      {"a\x1b[31mred", "control characters"},
      {"a\x7f", "control characters"},
  };
  for (const auto& c : refused) {
    auto checked = check_connection_id(c.id, "\"connection_id\"");
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, Errc::invalid_argument);
    EXPECT_NE(checked.error().message.find(c.says), std::string::npos) << checked.error().message;
    EXPECT_EQ(checked.error().message.find("\"connection_id\""), 0u);
  }
}

}  // namespace
}  // namespace ferry::api
