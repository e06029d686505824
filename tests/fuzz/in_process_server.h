#pragma once

// The server the `server` fuzz target talks to: Ferry wired as `ferry serve` wires it
// (app/serve.cc: store, connection cache, refresher, proxy, actions, every REST route),
// listening on 127.0.0.1 on a free port, in this process so the fuzzer sees its coverage
// and the sanitizers see its bugs.
//
// Its folder (a temporary directory) holds: ferry.yaml with the keys below, a SQLite
// database and a debug-level log file (so every request's log lines go through the
// redactor); integrations.yaml with `jira` (jira:v0, OAuth 2) and `keyed` (API_KEY), both
// pointing at 127.0.0.1:9, where nothing listens, so proxied calls fail fast and never
// leave the machine; and the action jira/echo.action.lua (returns its input).
#include <string_view>

namespace ferry::fuzz {

inline constexpr std::string_view kServerSecretKey = "fuzz-secret-key";
inline constexpr std::string_view kServerPublicKey = "fuzz-public-key";

// Starts the server on the first call (aborting when it cannot), then returns its port.
// The server runs on a thread of its own until the process exits; it is never stopped.
// Thread-safe.
unsigned short in_process_server_port();

}  // namespace ferry::fuzz
