#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::store::pg {

// The database a PostgresStore talks to, parsed once from database_url. Immutable, shared
// by the store's pools and connections.
struct Target {
  std::string url;       // as configured; handed to libpq and never shown
  std::string label;     // `"ferry" on 127.0.0.1:5432`: for messages, without user or password
  std::string password;  // scrubbed from libpq's messages; empty when the URL has none
};

// Parses a postgresql:// or postgres:// URL (libpq's URI syntax: user, password, hosts,
// port, database, query parameters such as sslmode or host=/socket/dir). Nothing is
// connected. Errc::invalid_argument when libpq cannot parse it; the message never repeats
// the URL or libpq's reason, which may quote the password.
Result<std::shared_ptr<const Target>> parse_target(std::string_view url);

// `message` from libpq or the server made fit for an Error: its first line, trimmed, with
// every occurrence of the target's password replaced by "***".
std::string scrub(const Target& target, std::string_view message);

}  // namespace ferry::store::pg
