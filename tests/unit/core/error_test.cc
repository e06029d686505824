#include "ferry/core/error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ferry {
namespace {

TEST(Errc, EveryValueHasItsOwnNameAndIsFoundByIt) {
  std::set<std::string> names;
  for (int value = static_cast<int>(Errc::invalid_argument);
       value <= static_cast<int>(kLastErrc); ++value) {
    const auto code = static_cast<Errc>(value);
    const std::string name(errc_name(code));
    EXPECT_TRUE(names.insert(name).second) << name << " names two values";
    EXPECT_EQ(errc_from_name(name), code) << name;
  }
  EXPECT_EQ(errc_name(Errc::deprecated_endpoint), "deprecated_endpoint");
  EXPECT_FALSE(errc_from_name("gone").has_value());
}

}  // namespace
}  // namespace ferry
