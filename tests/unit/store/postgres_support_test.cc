// The pure parts of the PostgreSQL backend: URL parsing and message scrubbing, advisory
// lock keys, text made storable. No server needed.
#include <gtest/gtest.h>

#include "ferry/store/postgres/advisory_keys.h"
#include "ferry/store/postgres/storable_text.h"
#include "ferry/store/postgres/target.h"

namespace ferry::store::pg {
namespace {

TEST(PostgresTarget, LabelsNameDatabaseHostAndPortButNeverTheUserOrPassword) {
  struct Case {
    std::string_view url;
    std::string_view label;
  };
  for (const Case& c : {
           Case{"postgresql://ferry:s3cret@db.example:6543/ferry", "\"ferry\" on db.example:6543"},
           Case{"postgres://db.example/app?sslmode=require", "\"app\" on db.example:5432"},
           Case{"postgresql:///app?host=/run/postgresql", "\"app\" on /run/postgresql:5432"},
           Case{"POSTGRESQL://ferry:s3cret@127.0.0.1/x", "\"x\" on 127.0.0.1:5432"},
           Case{"postgresql://alice@db.example", "\"alice\" on db.example:5432"},
       }) {
    auto target = parse_target(c.url);
    ASSERT_TRUE(target) << c.url << ": " << target.error().message;
    EXPECT_EQ((*target)->label, c.label) << c.url;
    EXPECT_EQ((*target)->label.find("s3cret"), std::string::npos);
  }
}

TEST(PostgresTarget, AnUnparsableUrlIsInvalidWithoutRepeatingIt) {
  for (std::string_view url : {"postgresql://u:s3cret@[::1/db", "postgresql://u:s3%zzcret@h/db",
                               "postgresql://h/db?no_such_option=s3cret"}) {
    auto target = parse_target(url);
    ASSERT_FALSE(target) << url;
    EXPECT_EQ(target.error().code, Errc::invalid_argument) << url;
    EXPECT_EQ(target.error().message, "database_url is not a valid PostgreSQL URL");
  }
}

TEST(PostgresTarget, ScrubKeepsTheFirstLineAndMasksThePassword) {
  auto target = parse_target("postgresql://ferry:pa55word@db.example/ferry");
  ASSERT_TRUE(target);
  EXPECT_EQ(scrub(**target, "password pa55word rejected for \"ferry\".\n\tHINT: more\n"),
            "password *** rejected for \"ferry\"");
  EXPECT_EQ(scrub(**target, "Connection refused"), "Connection refused");
}

TEST(AdvisoryKeys, RefreshLockKeysAreStableAndKeepKeyPartsApart) {
  // Pinned: instances of different Ferry versions on one database must lock alike.
  const AdvisoryKey key = refresh_lock_key({"jira", "user-1"});
  EXPECT_EQ(key.first, 1571454698);
  EXPECT_EQ(key.second, -40885426);
  const AdvisoryKey again = refresh_lock_key({"jira", "user-1"});
  EXPECT_EQ(again.first, key.first);
  EXPECT_EQ(again.second, key.second);
  const AdvisoryKey ab_c = refresh_lock_key({"ab", "c"});
  const AdvisoryKey a_bc = refresh_lock_key({"a", "bc"});
  EXPECT_FALSE(ab_c.first == a_bc.first && ab_c.second == a_bc.second);
  EXPECT_EQ(admission_lock_key("10.0.0.1"), -4728361213725364669);
  EXPECT_NE(admission_lock_key("10.0.0.1"), admission_lock_key("10.0.0.2"));
}

TEST(StorableText, ReplacesWhatPostgresqlCannotStoreAndKeepsTheRest) {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const std::string_view kFffd = "\xEF\xBF\xBD";
  const Case cases[] = {
      {"plain ascii", "plain ascii"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x80"},
      {std::string_view("a\0b", 3), "a\xEF\xBF\xBD" "b"},
      {"\xFF", kFffd},
      {"x\xC3", "x\xEF\xBF\xBD"},                         // truncated sequence
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},           // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // a surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // > U+10FFFF
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(storable_text(c.in), c.out) << c.in;
}

}  // namespace
}  // namespace ferry::store::pg
