// The table of nango:paginate{...} over the integration's `pagination` defaults.
#include "ferry/actions/request_options.h"

#include <gtest/gtest.h>

namespace ferry::actions {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kDefaults = {{"type", "cursor"},
                                                       {"cursor_path_in_response", "next"},
                                                       {"cursor_name_in_request", "cursor"},
                                                       {"response_path", "data"},
                                                       {"limit", "50"}};

TEST(PaginatedRequest, TheIntegrationsDefaultsApplyWhenThePaginateTableIsLeftOut) {
  auto parsed = paginated_request_from_options(json{{"endpoint", "/items"}}, kDefaults);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->options.type, PaginationType::cursor);
  EXPECT_EQ(parsed->options.cursor_path_in_response, "next");
  EXPECT_EQ(parsed->options.response_path, "data");
  EXPECT_EQ(parsed->options.limit, 50);
}

TEST(PaginatedRequest, TheActionsKeysWinOneByOne) {
  json options = {{"endpoint", "/items"},
                  {"paginate", {{"response_path", "results"}, {"limit", 10}}}};
  auto parsed = paginated_request_from_options(options, kDefaults);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->options.response_path, "results");
  EXPECT_EQ(parsed->options.limit, 10);
  EXPECT_EQ(parsed->options.cursor_name_in_request, "cursor");  // still the integration's

  json link = {{"endpoint", "/items"}, {"paginate", {{"type", "link"}}}};
  auto switched = paginated_request_from_options(link, kDefaults);
  ASSERT_TRUE(switched) << switched.error().message;
  EXPECT_EQ(switched->options.type, PaginationType::link);
}

TEST(PaginatedRequest, WithoutDefaultsThePaginateTableIsRequired) {
  auto parsed = paginated_request_from_options(json{{"endpoint", "/items"}});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("sets no pagination defaults"), std::string::npos);
  auto not_table = paginated_request_from_options(json{{"endpoint", "/items"}, {"paginate", 3}},
                                                  kDefaults);
  ASSERT_FALSE(not_table);
  EXPECT_NE(not_table.error().message.find("paginate must be a table"), std::string::npos);
}

TEST(PaginatedRequest, DefaultsTableTypesTheIntegers) {
  const json table = pagination_defaults_table({{"limit", "25"}, {"offset_start_value", "1"},
                                                {"type", "offset"}});
  EXPECT_EQ(table["limit"], 25);
  EXPECT_EQ(table["offset_start_value"], 1);
  EXPECT_EQ(table["type"], "offset");
}

}  // namespace
}  // namespace ferry::actions
