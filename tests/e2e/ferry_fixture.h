#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>

#include "http_client.h"
#include "process.h"

namespace ferry::testing {

// Runs `ferry <args...>` to completion.
inline RunResult ferry(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), FERRY_BINARY);
  return run(std::move(args), std::move(env));
}

// "YYYY-MM-DDTHH:MM:SSZ" for now + `from_now` (UTC), as credentials' expires_at takes it.
inline std::string iso8601_in(std::chrono::seconds from_now) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// The ferry.yaml lines that let Base-Url-Override (and any other request-chosen upstream)
// reach the tests' loopback fakes, over plain http too: the egress policy refuses loopback
// unless egress.allow lists it (core/egress_policy.h). Append to a ferry.yaml's text.
inline std::string egress_allow_loopback_yaml() {
  return "egress:\n  allow: [\"127.0.0.0/8\", \"::1\"]\n";
}

// A `ferry serve` child on a free port, for one test.
class RunningFerry {
 public:
  // `flags` are more `ferry serve` options.
  explicit RunningFerry(const std::string& dir, std::vector<std::string> env = {},
                        const std::vector<std::string>& flags = {})
      : process_(serve_argv(dir, flags), std::move(env)) {
    if (!process_.wait_for_output("Ferry listening on", std::chrono::seconds(60))) {
      ADD_FAILURE() << "ferry serve did not start:\n" << process_.output();
      return;
    }
    port_ = port_from_banner(process_.output());
  }
  unsigned short port() const { return port_; }
  Process& process() { return process_; }
  HttpClient client() const { return HttpClient("127.0.0.1", port_); }
  // The secret key printed at start when none is configured.
  std::string generated_secret_key() const {
    const std::string marker = "this run's secret key is: ";
    std::string out = process_.output();
    auto at = out.find(marker);
    if (at == std::string::npos) return {};
    auto start = at + marker.size();
    return out.substr(start, out.find('\n', start) - start);
  }

 private:
  static std::vector<std::string> serve_argv(const std::string& dir,
                                             const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {FERRY_BINARY, "serve", dir, "--port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return argv;
  }

  Process process_;
  unsigned short port_ = 0;
};

}  // namespace ferry::testing
