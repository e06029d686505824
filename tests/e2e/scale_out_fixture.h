#pragma once

// Several `ferry serve` processes sharing one PostgreSQL database, as a scaled-out deployment
// runs them, with one fake-atlassian behind all of them.
//
//   store::testing::TestDatabases databases(*store::testing::postgres_test_url());
//   ScaleOutCluster cluster(databases.url("ferry"));  // three instances (ScaleOutOptions)
//   import_connection(cluster.instance(0), cluster.secret_key(), connection);
//   cluster.instance(2).client().get(path, cluster.connection_headers("user-1"));
//   cluster.kill_instance(1);     // SIGKILL: no shutdown, no cleanup
//   cluster.restart_instance(1);  // same folder and settings, a new port
//   cluster.fake().refresh_requests();
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry/core/crypto.h"
#include "ferry_fixture.h"
#include "temp_folder.h"

namespace ferry::testing {

// What differs between clusters; the defaults suit most tests.
struct ScaleOutOptions {
  // How many `ferry serve` processes.
  int instances = 3;
  // Arguments for fake-atlassian (e.g. {"--leeway-seconds", "600"}).
  std::vector<std::string> fake_args;
  // The integrations.yaml entries (indented under `integrations:`) for the fake at
  // `fake_base_url`. Default: `jira`, fake_jira_integration() with offline_access.
  std::function<std::string(const std::string& fake_base_url)> integrations;
  // More ferry.yaml lines (e.g. "public_key: ...\n"), the same for every instance.
  std::string extra_ferry_yaml;
};

// N `ferry serve` children on one database and one Fake, for one test. Every instance has a
// folder of its own holding the same ferry.yaml (one secret_key, one encryption_key, one
// database_url) and the same integrations.yaml, so any instance can serve any request and
// read what another one wrote. Instances are numbered 0..size()-1; each listens on a free
// loopback port. Everything is stopped (SIGKILL) and the folders removed when the cluster
// goes away; the database is the caller's (it must outlive the cluster). Construction
// fails the running test (ADD_FAILURE) when a process does not start. Use from the test's
// thread.
class ScaleOutCluster {
 public:
  ScaleOutCluster(std::string database_url, ScaleOutOptions options = {})
      : database_url_(std::move(database_url)),
        encryption_key_(base64_encode(random_bytes(32))),
        fake_(std::move(options.fake_args)) {
    const std::string entries =
        options.integrations
            ? options.integrations(fake_.base_url())
            : fake_jira_integration(
                  "jira", fake_.base_url(),
                  "    oauth_scopes: [read:jira-work, read:jira-user, offline_access]\n");
    for (int i = 0; i < options.instances; ++i) {
      auto folder = std::make_unique<TempFolder>();
      folder->write("ferry.yaml", "secret_key: " + secret_key_ + "\n" +
                                      "encryption_key: " + encryption_key_ + "\n" +
                                      "database_url: \"" + database_url_ + "\"\n" +
                                      options.extra_ferry_yaml);
      folder->write("integrations.yaml", "integrations:\n" + entries);
      folders_.push_back(std::move(folder));
      instances_.push_back(std::make_unique<RunningFerry>(folder_path(i)));
    }
  }
  ScaleOutCluster(const ScaleOutCluster&) = delete;
  ScaleOutCluster& operator=(const ScaleOutCluster&) = delete;

  int size() const { return static_cast<int>(instances_.size()); }

  // Instance `i`. REQUIRES: it is running (not killed since its last start).
  RunningFerry& instance(int i) { return *instances_.at(static_cast<std::size_t>(i)); }
  unsigned short port(int i) { return instance(i).port(); }
  bool is_running(int i) const { return instances_.at(static_cast<std::size_t>(i)) != nullptr; }
  // Instance `i`'s folder (ferry.yaml, integrations.yaml; its log is its process output).
  std::string folder_path(int i) const {
    return folders_.at(static_cast<std::size_t>(i))->path().string();
  }

  // SIGKILLs instance `i` and waits for it to exit: no shutdown of any kind, as a crash or an
  // OOM kill would end it. Its database sessions (and advisory locks) end with its sockets.
  void kill_instance(int i) {
    auto& running = instances_.at(static_cast<std::size_t>(i));
    if (!running) return;
    running->process().signal(SIGKILL);
    EXPECT_NE(running->process().wait(std::chrono::seconds(30)), -1) << "instance " << i;
    running.reset();
  }
  // Starts instance `i` again (killing it first if it runs) in the same folder; it gets a
  // new port. Fails the running test when it does not start.
  void restart_instance(int i) {
    kill_instance(i);
    instances_.at(static_cast<std::size_t>(i)) = std::make_unique<RunningFerry>(folder_path(i));
  }

  Fake& fake() { return fake_; }
  // The database every instance uses (a libpq URL).
  const std::string& database_url() const { return database_url_; }
  const std::string& secret_key() const { return secret_key_; }
  // The REST API's headers; with connection_headers(), those naming a connection of the
  // integration (default `jira`) too.
  Headers api_headers() const { return testing::api_headers(secret_key_); }
  Headers connection_headers(const std::string& connection_id,
                             const std::string& integration = "jira") const {
    return testing::connection_headers(secret_key_, integration, connection_id);
  }

 private:
  std::string database_url_;
  std::string secret_key_ = "scale-out-secret-key-" + random_hex(16);
  std::string encryption_key_;  // base64 of 32 random bytes
  Fake fake_;
  std::vector<std::unique_ptr<TempFolder>> folders_;
  std::vector<std::unique_ptr<RunningFerry>> instances_;  // null while killed
};

}  // namespace ferry::testing
