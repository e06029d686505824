#include "ferry/api/connect_result.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::api {
namespace {

TEST(WebsocketError, CarriesTheFailure) {
  const auto message = ws_error({http::StatusCode::bad_request, "token_err", "invalid_grant"});
  EXPECT_EQ(message["message_type"], "error");
  EXPECT_EQ(message["error_type"], "token_err");
  EXPECT_EQ(message["error_desc"], "invalid_grant");
}

TEST(WebsocketError, ALongDescriptionIsCutBetweenCharactersAndFitsAnAnnouncement) {
  // 'é' is two bytes: the limit falls inside one.
  std::string text = "x";
  while (text.size() < 5 * kMaxWebsocketErrorBytes) text += "é";
  const auto message = ws_error({http::StatusCode::bad_gateway, "token_err", text});
  const std::string desc = message["error_desc"];
  EXPECT_EQ(desc.size(), kMaxWebsocketErrorBytes - 1);
  EXPECT_EQ(text.rfind(desc, 0), 0u);
  // Strict UTF-8 output: a cut character would throw here.
  EXPECT_NO_THROW((void)message.dump());
  // Even all control bytes (six bytes each once escaped) stay under NOTIFY's 7999 bytes.
  const auto escaped =
      ws_error({http::StatusCode::bad_gateway, "token_err", std::string(10'000, '\x01')});
  EXPECT_LT(escaped.dump().size(), 7000u);
}

}  // namespace
}  // namespace ferry::api
