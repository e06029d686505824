#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "faults.h"
#include "ferry/core/clock.h"
#include "options.h"
#include "site_data.h"
#include "tokens.h"
#include "webhooks.h"

namespace ferry::fake_atlassian {

// Request counters for GET /__admin/stats.
struct Stats {
  std::uint64_t requests_total = 0;
  std::map<std::string, std::uint64_t> requests_by_path;  // path without the query
  std::uint64_t token_authorization_code = 0;
  std::uint64_t token_refresh = 0;
  std::uint64_t token_total = 0;
};

// Everything that changes while the fake runs. Only reachable through State::locked().
struct Shared {
  Config config;
  std::chrono::seconds clock_offset{0};
  TokenStore tokens;
  std::map<std::string, SiteData> sites;  // by cloud id; every known site has content
  WebhookStore webhooks;                  // Jira dynamic webhooks of every app and site
  Stats stats;
  std::vector<FaultRule> faults;        // in the order queued
  std::uint64_t resource_listings = 0;  // accessible-resources calls, for its order

  // The fake's "now": the wall clock plus the admin-controlled offset.
  TimePoint now() const { return std::chrono::system_clock::now() + clock_offset; }
};

// The fake's whole state: the immutable command-line options plus the Shared data behind one
// mutex. Handlers on any thread call locked() for each step and never hold the lock across a
// suspension point.
class State {
 public:
  explicit State(Options options);

  const Options& options() const { return options_; }

  // Runs `fn(Shared&)` under the mutex and returns its result.
  template <class Fn>
  decltype(auto) locked(Fn&& fn) {
    std::lock_guard lock(mu_);
    return fn(shared_);
  }

  // Back to the start: the command line's configuration, seed content, no tokens, webhooks,
  // faults, counters or clock offset.
  void reset();

 private:
  static Shared fresh(const Options& options);

  const Options options_;
  std::mutex mu_;
  Shared shared_;  // GUARDED_BY(mu_)
};

// Counts one request for `path`.
void count_request(Stats& stats, std::string_view path);

}  // namespace ferry::fake_atlassian
