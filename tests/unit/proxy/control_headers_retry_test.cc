#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "ferry/proxy/control_headers.h"

namespace ferry::proxy {
namespace {

HeaderViews with(const HeaderViews& extra) {
  HeaderViews headers = {{"Connection-Id", "user-1"}, {"Provider-Config-Key", "jira"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

TEST(ControlHeaders, ReadsRetriesAndRetryOn) {
  struct Case {
    std::string_view what;
    HeaderViews extra;
    std::optional<int> retries;
    std::vector<int> retry_on;
  };
  const Case cases[] = {
      {"neither", {}, std::nullopt, {}},
      {"Retries: 0 means no retry", {{"Retries", "0"}}, 0, {}},
      {"Retries", {{"retries", " 5 "}}, 5, {}},
      {"empty headers count as absent", {{"Retries", ""}, {"Retry-On", ""}}, std::nullopt, {}},
      {"Retry-On list", {{"Retry-On", "500, 409,418"}}, std::nullopt, {500, 409, 418}},
      {"empty items are skipped", {{"Retry-On", "500,,502,"}}, std::nullopt, {500, 502}},
  };
  for (const auto& c : cases) {
    auto control = read_control_headers(with(c.extra));
    ASSERT_TRUE(control) << c.what << ": " << control.error().message;
    EXPECT_EQ(control->retries, c.retries) << c.what;
    EXPECT_EQ(control->retry_on, c.retry_on) << c.what;
  }
}

TEST(ControlHeaders, RejectsMalformedRetryHeaders) {
  struct Case {
    HeaderViews extra;
    std::string_view named;
  };
  const Case cases[] = {
      {{{"Retries", "-1"}}, "Retries"},        {{{"Retries", "two"}}, "Retries"},
      {{{"Retries", "1.5"}}, "Retries"},       {{{"Retry-On", "5xx"}}, "Retry-On"},
      {{{"Retry-On", "99"}}, "Retry-On"},      {{{"Retry-On", "600"}}, "Retry-On"},
      {{{"Retry-On", "500;502"}}, "Retry-On"},
  };
  for (const auto& c : cases) {
    auto control = read_control_headers(with(c.extra));
    ASSERT_FALSE(control) << c.extra[0].second;
    EXPECT_EQ(control.error().code, Errc::invalid_argument);
    EXPECT_NE(control.error().message.find(c.named), std::string::npos) << control.error().message;
  }
}

}  // namespace
}  // namespace ferry::proxy
