#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::fake_atlassian {

// What the fake may change while it runs (POST /__admin/config). Plain values; the State's
// mutex guards the live copy.
struct Config {
  bool deny = false;                                    // /authorize denies unless told otherwise
  int sites = 1;                                        // sites in a new grant: 1..3
  std::chrono::seconds leeway{600};                     // rotated refresh token stays usable
  std::chrono::seconds access_token_lifetime{3600};     // Atlassian: 1 h
  std::chrono::seconds code_lifetime{600};              // authorization codes: 10 min
  std::chrono::seconds refresh_inactivity{90 * 86400};  // unused refresh token dies
  std::chrono::seconds refresh_absolute{365 * 86400};   // from the first consent
  bool check_scopes = false;             // gateway answers 401 "scope does not match"
  bool duplicate_site_ids = false;       // accessible-resources lists a site per product
  bool confluence_expiry_quirk = false;  // expired token: 404 on Confluence v2, 403 on v1
};

// The command line, fixed for the life of the process.
struct Options {
  unsigned short port = 0;  // 0 = any free port
  std::string client_id = "fake-client-id";
  std::string client_secret = "fake-client-secret";
  std::vector<std::string> redirect_uris;  // empty = any loopback http(s) URL is accepted
  Config config;                           // the starting configuration
  bool verbose = false;                    // one stderr line per request
  bool help = false;
};

// Parses the arguments after the program name. Errc::invalid_argument names the bad flag
// or value: unknown flags, missing values, ports outside 0..65535, --sites outside 1..3,
// negative --leeway-seconds.
Result<Options> parse_command_line(const std::vector<std::string>& args);

// The --help text.
std::string usage();

}  // namespace ferry::fake_atlassian
