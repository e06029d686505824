// Losing the database: backends ended under the pool, a database that refuses
// connections, a server that is not there at all.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "postgres_fixture.h"

namespace ferry::store {
namespace {

using std::chrono::steady_clock;
using testing::eventually;
using testing::make_connection;
using testing::PostgresTest;

using PostgresConnectivityTest = PostgresTest;

// The test database's client sessions other than the asking one.
constexpr std::string_view kOtherBackends =
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend'";

// A loopback port nothing listens on: bound, read back, released.
int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Every operation a request may need, once; the first failure's message, or "".
std::string exercise(Store& store, const std::string& connection_id) {
  const ConnectionKey key{"jira", connection_id};
  if (auto made = store.create_connection(make_connection("jira", connection_id)); !made) {
    return made.error().message;
  }
  if (auto found = store.find_connection(key); !found) return found.error().message;
  ConnectionUpdate update;
  update.metadata = nlohmann::json{{"seen", true}};
  if (auto updated = store.update_connection(key, update); !updated) {
    return updated.error().message;
  }
  if (auto listed = store.list_connections({}); !listed) return listed.error().message;
  if (auto claimed = store.try_claim_refresh(key); !claimed) {
    return claimed.error().message;
  } else if (!*claimed) {
    return "the refresh claim of " + connection_id + " is held by someone else";
  }
  ActivityEntry entry;
  entry.type = "proxy";
  entry.connection_id = connection_id;
  if (auto logged = store.append_activity({entry}); !logged) {
    return logged.error().message;
  }
  return "";
}

TEST_F(PostgresConnectivityTest, ThePoolReconnectsAfterTheServerEndsItsBackends) {
  PostgresOptions options;
  options.pool_size = 2;
  auto store = open_postgres("db", options);
  auto watcher = admin("db");
  ASSERT_TRUE(store && watcher);
  ASSERT_EQ(exercise(*store, "before"), "");
  ASSERT_GE(store->open_query_connections() + store->open_claim_connections(), 2u);
  const std::string count_sql = "SELECT count(*) " + std::string(kOtherBackends);
  ASSERT_GE(query_int(*watcher, count_sql), 2);

  ASSERT_GE(query_int(*watcher,
                      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) " +
                          std::string(kOtherBackends) + ") AS ended"),
            2);
  ASSERT_TRUE(eventually([&] { return query_int(*watcher, count_sql) == 0; }));

  // Every idle connection of the store is dead now; each call still succeeds first time.
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(exercise(*store, "after-" + std::to_string(round)), "") << "round " << round;
  }
  EXPECT_LE(store->open_query_connections(), 2u);
  EXPECT_LE(store->open_claim_connections(), 2u);
}

TEST_F(PostgresConnectivityTest, WhileTheDatabaseRefusesConnectionsCallsAreUnavailable) {
  auto store = open_postgres("db");
  auto server = maintenance();
  ASSERT_TRUE(store && server);
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u1")));
  const std::string database = databases_->database_name("db");
  // The database "goes down" for this store alone: no new sessions, existing ones ended.
  ASSERT_TRUE(server->run("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS false", {},
                          "lock the database"));
  const std::string sessions =
      "FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'";
  const std::string count_sql = "SELECT count(*) " + sessions;
  ASSERT_GE(query_int(*server,
                      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) " + sessions +
                          ") AS ended",
                      {pg::text(database)}),
            1);
  ASSERT_TRUE(
      eventually([&] { return query_int(*server, count_sql, {pg::text(database)}) == 0; }));

  const auto started = steady_clock::now();
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto found = store->find_connection({"jira", "u1"});
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, Errc::unavailable);
    EXPECT_NE(found.error().message.find("cannot connect to database \"" + database + "\""),
              std::string::npos)
        << found.error().message;
    auto claimed = store->try_claim_refresh({"jira", "u1"});
    ASSERT_FALSE(claimed);
    EXPECT_EQ(claimed.error().code, Errc::unavailable);
  }
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(5)) << "refused at once, no hang";

  ASSERT_TRUE(server->run("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS true", {},
                          "unlock the database"));
  auto found = store->find_connection({"jira", "u1"});
  EXPECT_TRUE(found) << found.error().message;
  EXPECT_EQ(exercise(*store, "u2"), "");
}

// Needs no server: nothing listens on the port.
TEST(PostgresUnreachable, OpeningIsUnavailableWithinTheConnectTimeoutAndHidesThePassword) {
  const int port = unused_port();
  ASSERT_GT(port, 0);
  const std::string url =
      "postgresql://ferry:hunter2-secret@127.0.0.1:" + std::to_string(port) + "/ferry";
  const auto started = steady_clock::now();
  auto store = open_store(url, "");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::unavailable);
  EXPECT_NE(store.error().message.find("cannot connect to database \"ferry\" on 127.0.0.1:" +
                                       std::to_string(port)),
            std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find("refused"), std::string::npos) << store.error().message;
  EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos) << store.error().message;
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(PostgresConnectivityTest, TextPostgresqlCannotStoreIsRefusedOrReplaced) {
  auto store = open_postgres("db");
  ASSERT_TRUE(store);
  auto nul = store->create_connection(make_connection("jira", std::string("a\0b", 3)));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, Errc::invalid_argument);
  EXPECT_NE(nul.error().message.find("NUL"), std::string::npos) << nul.error().message;
  auto latin1 = store->create_connection(make_connection("jira", "caf\xE9"));
  ASSERT_FALSE(latin1);
  EXPECT_EQ(latin1.error().code, Errc::invalid_argument) << latin1.error().message;

  // The activity log keeps the line, with U+FFFD where the bytes were.
  ActivityEntry entry;
  entry.type = "proxy";
  entry.url = "https://api.example/caf\xE9";
  entry.message = std::string("a\0b", 3);
  ASSERT_TRUE(store->append_activity({entry}));
  auto listed = store->list_activity({});
  ASSERT_TRUE(listed && listed->size() == 1);
  EXPECT_EQ((*listed)[0].url, "https://api.example/caf\xEF\xBF\xBD");
  EXPECT_EQ((*listed)[0].message, "a\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace ferry::store
