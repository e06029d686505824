#include "ferry/observe/printable.h"

#include <gtest/gtest.h>

namespace ferry::observe {
namespace {

TEST(Printable, EscapesEveryControlByteAndKeepsTheRest) {
  EXPECT_EQ(printable("id\r\n2026-01-01 error forged"), "id\\r\\n2026-01-01 error forged");
  EXPECT_EQ(printable(std::string_view("a\0b\x1b[31m\x7f\t", 10)), "a\\x00b\\x1b[31m\\x7f\\t");
  EXPECT_EQ(printable("caf\xc3\xa9 / ok"), "caf\xc3\xa9 / ok");
}

}  // namespace
}  // namespace ferry::observe
