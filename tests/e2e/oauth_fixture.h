#pragma once

// Shared by the OAuth end-to-end tests: the real `ferry` and `fake-atlassian` binaries as
// child processes, and the three browser steps of a connect flow done over plain HTTP.
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

// Nested, so these helpers never collide with other suites' helpers of the same name.
namespace ferry::testing::oauth {

inline constexpr const char* kOAuthSecretKey = "e2e-oauth-secret-key-0123456789";
inline constexpr const char* kPublicKey = "e2e-public-key-abcdef0123456789";
inline constexpr const char* kSiteA = "1324a887-45db-1bf4-1e99-ef0ff456d421";
inline constexpr const char* kSiteB = "8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64";

using Headers = std::vector<std::pair<std::string, std::string>>;
using nlohmann::json;

// `url` without scheme and authority: what to send to the server it names.
inline std::string target_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto path = url.find('/', scheme + 3);
  return path == std::string::npos ? "/" : url.substr(path);
}

inline std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// The decoded value of query parameter `name` in `url`, or "".
inline std::string query_value(const std::string& url, const std::string& name) {
  auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      return eq == std::string::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return {};
}


// `fake-atlassian --port 0 ...` for one test.
using RunningFake = Fake;

// An integrations folder whose `jira` (and `machine`, a client_credentials integration)
// point at the fake.
inline std::string oauth_folder(const RunningFake& fake, const std::string& extra = "") {
  const std::string dir = make_temp_dir("ferry-oauth");
  const std::string base = fake.base_url();
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kOAuthSecretKey +
                                      "\npublic_key: " + kPublicKey + "\n");
  write_file(dir + "/integrations.yaml",
             "integrations:\n" +
                 fake_jira_integration("jira", base,
                                       "    oauth_scopes: [read:jira-work, write:jira-work, "
                                       "read:jira-user, offline_access]\n") +
             "  machine:\n"
             "    oauth_client_id: fake-client-id\n"
             "    oauth_client_secret: fake-client-secret\n"
             "    auth:\n"
             "      auth_mode: OAUTH2\n"
             "      grant_type: client_credentials\n"
             "      token_url: " + base + "/oauth/token\n"
             "    requests:\n"
             "      base_url: " + base + "/\n"
             "  close:\n"
             "    extends_blueprint: close\n" + extra);
  return dir;
}

inline Headers secret() {
  return {{"Authorization", std::string("Bearer ") + kOAuthSecretKey},
          {"Content-Type", "application/json"}};
}

// The three browser steps of one connect flow, each answer kept.
struct Flow {
  HttpReply connect;    // Ferry: 302 to the provider (or an error)
  HttpReply authorize;  // the fake: 302 back to the callback
  HttpReply callback;   // Ferry: the callback page
};

// Runs a flow: GET `connect_target` on Ferry, follows the redirect to the fake's /authorize
// (with `authorize_extra` appended) and the fake's redirect back to Ferry's callback (the
// callback URL names the configured server_root_url; the path and query are sent to the
// running Ferry). `before_callback` runs between the last two steps.
inline Flow run_flow(RunningFerry& ferry, RunningFake& fake, const std::string& connect_target,
                     const std::string& authorize_extra = "",
                     const std::function<void()>& before_callback = nullptr) {
  Flow flow;
  flow.connect = ferry.client().get(connect_target);
  if (flow.connect.status != 302) return flow;
  const std::string provider = flow.connect.header("location");
  EXPECT_EQ(provider.rfind(fake.base_url() + "/authorize?", 0), 0u) << provider;
  flow.authorize = fake.client().get(target_of(provider) + authorize_extra);
  if (flow.authorize.status != 302) return flow;
  if (before_callback) before_callback();
  flow.callback = ferry.client().get(target_of(flow.authorize.header("location")));
  return flow;
}

inline std::string connect_url(const std::string& integration, const std::string& connection_id,
                               const std::string& extra = "") {
  return "/oauth/connect/" + integration + "?connection_id=" + url_encode(connection_id) +
         "&public_key=" + kPublicKey + extra;
}

// GET /connections/{id}?provider_config_key=… as JSON (status in "__status").
inline json get_connection(RunningFerry& ferry, const std::string& integration,
                           const std::string& id) {
  auto reply = ferry.client().get("/connections/" + url_encode(id) + "?provider_config_key=" +
                                      integration + "&refresh_token=true",
                                  secret());
  json body = json::parse(reply.body, nullptr, false);
  if (!body.is_object()) body = json::object();
  body["__status"] = reply.status;
  return body;
}

// The activity log of one connection, polled until `pred` holds or 10 s pass.
inline json wait_for_logs(RunningFerry& ferry, const std::string& connection_id,
                          const std::function<bool(const json&)>& pred) {
  json logs = json::array();
  for (int i = 0; i < 100; ++i) {
    auto reply = ferry.client().get("/logs?connection_id=" + url_encode(connection_id), secret());
    logs = json::parse(reply.body, nullptr, false).value("logs", json::array());
    if (pred(logs)) return logs;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return logs;
}

// Makes every pending OAuth state of Ferry's SQLite database expired, as if the user had
// taken longer than 10 minutes at the provider.
inline void expire_oauth_states(const std::string& folder) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((folder + "/ferry.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, "UPDATE oauth_sessions SET expires_at = 1", nullptr, nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// A blocking websocket client of Ferry's `/` endpoint (the @nangohq/frontend protocol).
class WsClient {
 public:
  explicit WsClient(unsigned short port) {
    namespace net = boost::asio;
    net::ip::tcp::resolver resolver(ioc_);
    net::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/");
  }
  ~WsClient() {
    boost::beast::error_code ec;
    ws_.close(boost::beast::websocket::close_code::normal, ec);
  }
  // The next message as JSON, or null on error or after `timeout`, so that a message that
  // never comes fails the test instead of hanging it (a blocking read would retry past any
  // socket receive timeout).
  json next(std::chrono::seconds timeout = std::chrono::seconds(10)) {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    bool done = false;
    ws_.async_read(buffer, [&](boost::beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done) {
      boost::beast::error_code ignored;
      ws_.next_layer().cancel(ignored);
      ioc_.restart();
      ioc_.run();
      return nullptr;
    }
    if (ec) return nullptr;
    return json::parse(boost::beast::buffers_to_string(buffer.data()), nullptr, false);
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
};

}  // namespace ferry::testing::oauth
