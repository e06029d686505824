#include "ferry/store/connection_snapshot.h"

#include <gtest/gtest.h>

#include "ferry/observe/redact.h"

namespace ferry::store {
namespace {

Connection with_tokens(std::string access, std::string refresh) {
  Connection row;
  row.connection_id = "user-1";
  row.provider_config_key = "jira";
  row.credentials.type = CredentialType::oauth2;
  row.credentials.access_token = std::move(access);
  row.credentials.refresh_token = std::move(refresh);
  return row;
}

TEST(ConnectionSnapshot, HeldTokensAreRedactedUntilTheLastCopyIsReleased) {
  const std::string line = "upstream said: access-AAAA1111 / refresh-BBBB2222";
  EXPECT_EQ(observe::redact(line), line);
  auto snapshot = make_snapshot(with_tokens("access-AAAA1111", "refresh-BBBB2222"));
  auto copy = snapshot;
  EXPECT_EQ(observe::redact(line), "upstream said: [REDACTED] / [REDACTED]");
  snapshot.reset();
  EXPECT_EQ(observe::redact(line), "upstream said: [REDACTED] / [REDACTED]");
  copy.reset();
  EXPECT_EQ(observe::redact(line), line);
}

TEST(ConnectionSnapshot, TwoSnapshotsOfOneTokenKeepItRegistered) {
  auto first = make_snapshot(with_tokens("same-token-CCCC3333", ""));
  auto second = make_snapshot(with_tokens("same-token-CCCC3333", ""));
  first.reset();
  EXPECT_EQ(observe::redact("same-token-CCCC3333"), "[REDACTED]");
  EXPECT_EQ(second->credentials.access_token, "same-token-CCCC3333");
}

}  // namespace
}  // namespace ferry::store
