// The connection API against the running binary: register, list, read, metadata, delete,
// the secret key, every bad input of the issue, durability across restarts and kill -9.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kSecretKey = "e2e-secret-key-0123456789abcdef";
constexpr const char* kClientSecret = "e2e-client-secret-abcdef123456";

std::string folder_with_integrations(const std::string& extra_ferry_yaml = "") {
  std::string dir = make_temp_dir("ferry-conn");
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecretKey + "\n" + extra_ferry_yaml);
  write_file(dir + "/integrations.yaml",
             std::string("integrations:\n"
                         "  jira:\n"
                         "    extends_blueprint: jira:v0\n"
                         "    oauth_client_id: e2e-client\n"
                         "    oauth_client_secret: ") + kClientSecret + "\n"
             "  close:\n"
             "    extends_blueprint: close\n"
             "  intranet:\n"
             "    auth:\n"
             "      auth_mode: USERNAME_PASSWORD\n"
             "    requests:\n"
             "      base_url: http://127.0.0.1:9/\n");
  return dir;
}

using Headers = std::vector<std::pair<std::string, std::string>>;
Headers auth() { return {{"Authorization", std::string("Bearer ") + kSecretKey}, {"Content-Type", "application/json"}}; }

json oauth2_connection(const std::string& id) {
  return {{"provider_config_key", "jira"},
          {"connection_id", id},
          {"credentials",
           {{"type", "OAUTH2"},
            {"access_token", "at-" + id},
            {"refresh_token", "rt-" + id},
            {"expires_at", "2030-01-01T00:00:00Z"}}},
          {"connection_config", {{"cloudId", "cloud-1"}}},
          {"metadata", {{"plan", "pro"}, {"nested", {{"a", 1}}}}}};
}

HttpReply post_json(HttpClient& client, const std::string& target, const json& body,
                    const std::string& method = "POST") {
  return client.request(method, target, auth(), body.dump());
}

TEST(ConnectionsApi, RegisterReadListMetadataDelete) {
  RunningFerry server(folder_with_integrations());
  auto client = server.client();

  auto created = post_json(client, "/connections", oauth2_connection("user-1"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto api_key = post_json(client, "/connections",
                           {{"provider_config_key", "close"}, {"connection_id", "user-1"},
                            {"credentials", {{"type", "API_KEY"}, {"apiKey", "key-123456"}}}});
  ASSERT_EQ(api_key.status, 201) << api_key.body;
  auto basic = post_json(client, "/connections",
                         {{"provider_config_key", "intranet"}, {"connection_id", "user-2"},
                          {"credentials", {{"type", "BASIC"}, {"username", "u"}, {"password", "p"}}}});
  ASSERT_EQ(basic.status, 201) << basic.body;

  auto got = client.get("/connections/user-1?provider_config_key=jira&refresh_token=true", auth());
  ASSERT_EQ(got.status, 200) << got.body;
  auto connection = json::parse(got.body);
  EXPECT_EQ(connection["credentials"]["access_token"], "at-user-1");
  EXPECT_EQ(connection["credentials"]["refresh_token"], "rt-user-1");
  EXPECT_EQ(connection["credentials"]["expires_at"], "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(connection["connection_config"]["cloudId"], "cloud-1");
  EXPECT_EQ(connection["provider"], "jira");
  EXPECT_FALSE(connection["last_fetched_at"].is_null());

  // Without refresh_token=true the refresh token stays on the server.
  auto without = json::parse(client.get("/connections/user-1?provider_config_key=jira", auth()).body);
  EXPECT_FALSE(without["credentials"].contains("refresh_token"));

  auto key_conn = json::parse(client.get("/connections/user-1?provider_config_key=close", auth()).body);
  EXPECT_EQ(key_conn["credentials"]["apiKey"], "key-123456");

  auto listed = json::parse(client.get("/connections?connectionId=user-1", auth()).body);
  ASSERT_EQ(listed["connections"].size(), 2u);
  EXPECT_FALSE(listed["connections"][0].contains("credentials"));
  auto by_integration = json::parse(client.get("/connections?integrationId=intranet", auth()).body);
  ASSERT_EQ(by_integration["connections"].size(), 1u);
  EXPECT_EQ(by_integration["connections"][0]["connection_id"], "user-2");
  auto paged = json::parse(client.get("/connections?limit=2&page=1", auth()).body);
  EXPECT_EQ(paged["connections"].size(), 1u);

  // Merge is shallow: top-level keys replaced, others kept.
  auto merged = post_json(client, "/connections/metadata",
                          {{"provider_config_key", "jira"}, {"connection_id", "user-1"},
                           {"metadata", {{"nested", {{"b", 2}}}}}}, "PATCH");
  ASSERT_EQ(merged.status, 200) << merged.body;
  auto after_merge = json::parse(client.get("/connections/user-1?provider_config_key=jira", auth()).body);
  EXPECT_EQ(after_merge["metadata"], json({{"plan", "pro"}, {"nested", {{"b", 2}}}}));
  auto replaced = post_json(client, "/connections/metadata",
                            {{"provider_config_key", "jira"}, {"connection_id", json::array({"user-1"})},
                             {"metadata", {{"only", true}}}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  auto after_replace = json::parse(client.get("/connections/user-1?provider_config_key=jira", auth()).body);
  EXPECT_EQ(after_replace["metadata"], json({{"only", true}}));

  auto deleted = client.request("DELETE", "/connections/user-1?provider_config_key=jira", auth());
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(client.get("/connections/user-1?provider_config_key=jira", auth()).status, 404);
}

// POST /connections on an existing connection overrides it, as Nango does: new
// credentials, config merged, metadata kept unless given, errors cleared; 200, not 201.
TEST(ConnectionsApi, RegisteringAnExistingConnectionOverridesItAndKeepsItsMetadata) {
  RunningFerry server(folder_with_integrations());
  auto client = server.client();
  json first = oauth2_connection("user-1");
  first["end_user"] = {{"id", "u-ada"}, {"email", "ada@example.com"}};
  first["tags"] = {{"plan", "pro"}};
  auto created = post_json(client, "/connections", first);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["tags"],
            (json{{"plan", "pro"}, {"end_user_id", "u-ada"}, {"end_user_email", "ada@example.com"}}));

  json again = oauth2_connection("user-1");
  again.erase("metadata");
  again["credentials"]["access_token"] = "at-renewed";
  again["connection_config"] = {{"region", "eu"}};
  auto overridden = post_json(client, "/connections", again);
  ASSERT_EQ(overridden.status, 200) << overridden.body;
  auto after = json::parse(client.get("/connections/user-1?provider_config_key=jira", auth()).body);
  EXPECT_EQ(after["credentials"]["access_token"], "at-renewed");
  EXPECT_EQ(after["metadata"], (json{{"plan", "pro"}, {"nested", {{"a", 1}}}}));
  EXPECT_EQ(after["connection_config"], (json{{"cloudId", "cloud-1"}, {"region", "eu"}}));
  EXPECT_EQ(after["end_user"]["id"], "u-ada");  // not given: kept
  EXPECT_EQ(after["tags"]["plan"], "pro");
  auto listed = json::parse(client.get("/connections?connectionId=user-1", auth()).body);
  EXPECT_EQ(listed["connections"].size(), 1u) << listed;
}

// PATCH /connections/{id} sets the end user and tags; the old end user's reserved tags go
// with it, so filtering by the old user no longer finds the connection.
TEST(ConnectionsApi, PatchMovesAConnectionToAnotherEndUser) {
  RunningFerry server(folder_with_integrations());
  auto client = server.client();
  json body = oauth2_connection("user-1");
  body["end_user"] = {{"id", "u-ada"}};
  ASSERT_EQ(post_json(client, "/connections", body).status, 201);
  auto ids_for = [&](const std::string& query) {
    auto listed = json::parse(client.get("/connections?" + query, auth()).body);
    std::vector<std::string> ids;
    for (auto& row : listed["connections"]) ids.push_back(row["connection_id"]);
    return ids;
  };
  EXPECT_EQ(ids_for("endUserId=u-ada"), std::vector<std::string>{"user-1"});

  auto patched = post_json(client, "/connections/user-1?provider_config_key=jira",
                           {{"end_user", {{"id", "u-bob"}, {"display_name", "Bob"}}},
                            {"tags", {{"team", "blue"}}}},
                           "PATCH");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body), (json{{"success", true}}));
  EXPECT_TRUE(ids_for("endUserId=u-ada").empty());
  EXPECT_TRUE(ids_for("tags%5Bend_user_id%5D=u-ada").empty());
  EXPECT_EQ(ids_for("userId=u-bob"), std::vector<std::string>{"user-1"});
  EXPECT_EQ(ids_for("tags%5BEND_USER_DISPLAY_NAME%5D=Bob&tags%5Bteam%5D=blue"),
            std::vector<std::string>{"user-1"});
  EXPECT_EQ(ids_for("search=BO"), std::vector<std::string>{"user-1"});
}

TEST(ConnectionsApi, EveryBadInputGetsItsStatusAndWritesNothing) {
  RunningFerry server(folder_with_integrations("max_request_body_bytes: 4096\n"));
  auto client = server.client();
  ASSERT_EQ(post_json(client, "/connections", oauth2_connection("existing")).status, 201);

  struct Case {
    const char* name;
    std::string method;
    std::string target;
    std::string body;
    int status;
    const char* code;
    const char* message_part;
  };
  auto conn = [](json j) { return j.dump(); };
  json mismatched = oauth2_connection("mismatch");
  mismatched["credentials"] = {{"type", "API_KEY"}, {"apiKey", "k"}};
  json missing_token = oauth2_connection("missing-token");
  missing_token["credentials"].erase("access_token");
  json unknown_integration = oauth2_connection("u");
  unknown_integration["provider_config_key"] = "nope";
  json bad_metadata = oauth2_connection("bad-meta");
  bad_metadata["metadata"] = json::array({1, 2});
  json with_webhook_override = oauth2_connection("existing");
  with_webhook_override["webhook_url_override"] = "https://hooks.example/";
  const Case cases[] = {
      {"malformed json", "POST", "/connections", "{\"provider_config_key\": ", 400, "invalid_argument", "not valid JSON"},
      {"wrong shape", "POST", "/connections", "[1,2,3]", 400, "invalid_argument", "JSON object"},
      {"unknown integration", "POST", "/connections", conn(unknown_integration), 404, "not_found", "nope"},
      {"webhook override", "POST", "/connections", conn(with_webhook_override), 400, "invalid_argument", "webhook_url_override"},
      {"type mismatch", "POST", "/connections", conn(mismatched), 400, "invalid_argument", "OAUTH2"},
      {"missing field", "POST", "/connections", conn(missing_token), 400, "invalid_argument", "credentials.access_token"},
      {"metadata not object", "POST", "/connections", conn(bad_metadata), 400, "invalid_argument", "metadata"},
      {"unknown connection", "GET", "/connections/ghost?provider_config_key=jira", "", 404, "not_found", "ghost"},
      {"missing key param", "GET", "/connections/existing", "", 400, "invalid_argument", "provider_config_key"},
      {"delete unknown", "DELETE", "/connections/ghost?provider_config_key=jira", "", 404, "not_found", "ghost"},
      {"metadata unknown id", "POST", "/connections/metadata",
       conn({{"provider_config_key", "jira"}, {"connection_id", json::array({"existing", "ghost"})}, {"metadata", {{"x", 1}}}}),
       404, "not_found", "ghost"},
      {"metadata array", "PATCH", "/connections/metadata",
       conn({{"provider_config_key", "jira"}, {"connection_id", "existing"}, {"metadata", json::array()}}),
       400, "invalid_argument", "metadata"},
      {"body too large", "POST", "/connections", std::string(8192, ' '), 413, "payload_too_large", "limit"},
  };
  for (const auto& c : cases) {
    HttpClient fresh("127.0.0.1", server.port());
    auto reply = fresh.request(c.method, c.target, auth(), c.body);
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.body;
    auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << c.name << ": " << reply.body;
    EXPECT_EQ(body["error"]["code"], c.code) << c.name;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(c.message_part), std::string::npos)
        << c.name << ": " << body["error"]["message"];
  }
  // Nothing was written by the failed calls: only "existing" is there, metadata untouched.
  auto listed = json::parse(client.get("/connections", auth()).body);
  ASSERT_EQ(listed["connections"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["connections"][0]["metadata"]["plan"], "pro");
}

TEST(ConnectionsApi, RequiresTheSecretKey) {
  RunningFerry server(folder_with_integrations());
  auto client = server.client();
  for (const Headers& headers : {Headers{}, Headers{{"Authorization", "Bearer wrong"}},
                                 Headers{{"Authorization", kSecretKey}}}) {
    auto reply = client.get("/connections", headers);
    EXPECT_EQ(reply.status, 401);
    EXPECT_EQ(json::parse(reply.body)["error"]["code"], "unauthorized");
  }
  EXPECT_EQ(client.get("/health").status, 200);
}

TEST(ConnectionsApi, ConnectionsSurviveARestart) {
  std::string dir = folder_with_integrations();
  {
    RunningFerry server(dir);
    auto client = server.client();
    ASSERT_EQ(post_json(client, "/connections", oauth2_connection("durable")).status, 201);
    server.process().signal(SIGTERM);
    ASSERT_EQ(server.process().wait(std::chrono::seconds(30)), 0);
  }
  RunningFerry again(dir);
  auto client = again.client();
  auto got = client.get("/connections/durable?provider_config_key=jira", auth());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(json::parse(got.body)["credentials"]["access_token"], "at-durable");
}

TEST(ConnectionsApi, KillDuringAWriteBurstLosesNoCommittedConnection) {
  std::string dir = folder_with_integrations();
  std::vector<std::string> acknowledged;
  {
    RunningFerry server(dir);
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient client("127.0.0.1", server.port());
        for (int i = 0; !stop; ++i) {
          std::string id = "burst-" + std::to_string(w) + "-" + std::to_string(i);
          try {
            auto reply = post_json(client, "/connections", oauth2_connection(id));
            if (reply.status == 201) {
              std::lock_guard lock(mutex);
              acknowledged.push_back(id);
            }
          } catch (const std::exception&) {
            return;  // the server died under us: expected
          }
        }
      });
    }
    // Kill once a few hundred writes were acknowledged (bounded: a dead server fails here).
    for (int waited = 0; waited < 1200; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::lock_guard lock(mutex);
      if (acknowledged.size() >= 200) break;
    }
    {
      std::lock_guard lock(mutex);
      EXPECT_GE(acknowledged.size(), 200u) << server.process().output();
    }
    server.process().signal(SIGKILL);
    server.process().wait(std::chrono::seconds(30));
    stop = true;
    for (auto& t : writers) t.join();
  }
  RunningFerry again(dir);
  auto client = again.client();
  std::set<std::string> present;
  for (int page = 0;; ++page) {
    auto listed = json::parse(
        client.get("/connections?limit=10000&page=" + std::to_string(page), auth()).body);
    ASSERT_TRUE(listed["connections"].is_array()) << listed;
    if (listed["connections"].empty()) break;
    for (auto& row : listed["connections"]) present.insert(row["connection_id"].get<std::string>());
  }
  for (auto& id : acknowledged) EXPECT_TRUE(present.count(id)) << id << " was acknowledged but lost";
}

TEST(ConnectionsApi, StartupFailsClearlyOnABadDatabaseFile) {
  std::string dir = folder_with_integrations();
  write_file(dir + "/ferry.db", std::string(4096, 'x'));
  auto result = ferry({"serve", dir, "--port", "0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("ferry.db"), std::string::npos) << result.output;
}

TEST(ConnectionsApi, StartupFailsClearlyOnAReadOnlyDatabase) {
  std::string dir = folder_with_integrations();
  {
    RunningFerry server(dir);  // creates the database
    server.process().signal(SIGTERM);
    ASSERT_EQ(server.process().wait(std::chrono::seconds(30)), 0);
  }
  // A database Ferry may read but not write must be refused at start, not on the first
  // connection. Root ignores file modes, so as root the server runs as user nobody.
  std::string log_dir = make_temp_dir("ferry-log");
  fs::permissions(log_dir, fs::perms::all);
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecretKey + "\nlog_file: " +
                                      log_dir + "/ferry-server.log\n");
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  for (const auto& entry : fs::directory_iterator(dir)) {
    fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write |
                                      fs::perms::group_read | fs::perms::others_read);
  }
  fs::permissions(dir + "/ferry.db", fs::perms::owner_read | fs::perms::group_read |
                                         fs::perms::others_read);
  std::vector<std::string> command = {FERRY_BINARY, "serve", dir, "--port", "0"};
  if (geteuid() == 0) {
    command.insert(command.begin(), {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                                     "--clear-groups"});
  }
  auto result = run(command);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("read-only"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace ferry::testing
