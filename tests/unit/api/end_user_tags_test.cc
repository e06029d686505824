#include "ferry/api/end_user_tags.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

const json kAda = {{"id", "u-ada"},
                   {"email", "ada@example.com"},
                   {"display_name", "Ada"},
                   {"tags", nullptr},
                   {"organization", {{"id", "org-1"}, {"display_name", nullptr}}}};

TEST(EndUserTags, TheEndUserFillsTheReservedKeys) {
  EXPECT_EQ(connection_tags(json{{"plan", "pro"}}, kAda),
            (json{{"plan", "pro"},
                  {"end_user_id", "u-ada"},
                  {"end_user_email", "ada@example.com"},
                  {"end_user_display_name", "Ada"},
                  {"organization_id", "org-1"}}));
}

TEST(EndUserTags, TagsTheCallerSetWinAndMissingFieldsAddNothing) {
  const json user = {{"id", "u-bob"}, {"email", nullptr}, {"organization", nullptr}};
  EXPECT_EQ(connection_tags(json{{"end_user_id", "custom"}}, user),
            (json{{"end_user_id", "custom"}}));
  EXPECT_EQ(connection_tags(nullptr, user), (json{{"end_user_id", "u-bob"}}));
  EXPECT_EQ(connection_tags(json{{"a", "b"}}, nullptr), (json{{"a", "b"}}));
}

TEST(EndUserTags, ReplacingTheEndUserDropsTheOldOnesKeys) {
  const json old = connection_tags(json{{"plan", "pro"}}, kAda);
  EXPECT_EQ(without_end_user_tags(old), (json{{"plan", "pro"}}));
  EXPECT_EQ(connection_tags(without_end_user_tags(old), json{{"id", "u-carol"}}),
            (json{{"plan", "pro"}, {"end_user_id", "u-carol"}}));
}

}  // namespace
}  // namespace ferry::api
