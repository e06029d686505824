#include <gtest/gtest.h>

#include "config_test_support.h"
#include "ferry/config/loader.h"
#include "ferry/config/server_config.h"

namespace ferry::config {
namespace {

using testing::TempFolder;

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(ServerConfig, MissingFerryYamlMeansDefaults) {
  TempFolder folder;
  auto server = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_TRUE(server) << server.error().message;
  const ServerConfig defaults;
  EXPECT_EQ(server->server_port, 3003);
  EXPECT_EQ(server->server_root_url, "http://localhost:3003");
  EXPECT_EQ(server->listen_address, "0.0.0.0");
  EXPECT_EQ(server->main_server_log_level, observe::Level::info);
  EXPECT_EQ(server->default_http_request_timeout, std::chrono::seconds(100));
  EXPECT_EQ(server->max_request_body_bytes, defaults.max_request_body_bytes);
  EXPECT_EQ(server->database_url, "sqlite://" + (folder.path() / "ferry.db").string());
  EXPECT_EQ(server->database_pool_size, 4u);
  EXPECT_EQ(server->log_file, (folder.path() / "ferry-server.log").string());
  EXPECT_EQ(server->log_format, observe::LogFormat::text);
  EXPECT_TRUE(server->secret_key_generated);
  EXPECT_TRUE(server->public_key_generated);
  EXPECT_TRUE(is_hex64(server->secret_key)) << server->secret_key;
  EXPECT_TRUE(is_hex64(server->public_key)) << server->public_key;
  EXPECT_NE(server->secret_key, server->public_key);
  EXPECT_TRUE(server->encryption_key.empty());
  EXPECT_TRUE(server->ca_file.empty());
  EXPECT_EQ(server->max_pending_oauth_flows_per_client, 64u);
  EXPECT_EQ(server->max_websockets_per_client, 32u);
  EXPECT_EQ(server->action_threads, 2u);
  EXPECT_EQ(server->action_cpu_time, std::chrono::milliseconds(10'000));
  EXPECT_EQ(server->action_memory_bytes, 64u * 1024 * 1024);
  EXPECT_TRUE(server->egress_allow.empty());
  EXPECT_EQ(server->activity_retention, std::chrono::days(15));
  EXPECT_EQ(server->activity_retention_max_entries, 1'000'000u);
}

TEST(ServerConfig, ReadsEveryKeyAndSubstitutesVariables) {
  TempFolder folder;
  folder.write("ca.pem", "not really a certificate\n");
  folder.write("ferry.yaml", R"(server_port: 8080
server_root_url: https://ferry.example.com/
main_server_log_level: debug
default_action_log_level: warn
default_http_request_timeout_seconds: 0
database_url: sqlite://data/state.db
database_pool_size: 12
secret_key: ${FERRY_SECRET}
public_key: pub-key
encryption_key: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
log_file: /var/log/ferry.log
log_format: json
listen_address: 127.0.0.1
max_request_body_bytes: 1024
ca_file: ca.pem
max_pending_oauth_flows_per_client: 5
max_websockets_per_client: 3
action_threads: 4
action_cpu_time_ms: 1500
action_memory_bytes: 8388608
activity_retention_days: 3
activity_retention_max_entries: 5000
egress:
  allow: [127.0.0.0/8, "::1", internal.example, "*.corp.example"]
)");
  auto server = load_server_config(folder.path(), Environment::from_map({{"FERRY_SECRET", "sk"}}));
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(server->server_port, 8080);
  EXPECT_EQ(server->server_root_url, "https://ferry.example.com");
  EXPECT_EQ(server->main_server_log_level, observe::Level::debug);
  EXPECT_EQ(server->default_action_log_level, observe::Level::warn);
  EXPECT_EQ(server->default_http_request_timeout, std::chrono::seconds(0));
  EXPECT_EQ(server->database_url, "sqlite://" + (folder.path() / "data/state.db").string());
  EXPECT_EQ(server->database_pool_size, 12u);
  EXPECT_EQ(server->secret_key, "sk");
  EXPECT_FALSE(server->secret_key_generated);
  EXPECT_EQ(server->public_key, "pub-key");
  EXPECT_FALSE(server->public_key_generated);
  EXPECT_EQ(server->encryption_key, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
  EXPECT_EQ(server->log_file, "/var/log/ferry.log");
  EXPECT_EQ(server->log_format, observe::LogFormat::json);
  EXPECT_EQ(server->listen_address, "127.0.0.1");
  EXPECT_EQ(server->max_request_body_bytes, 1024u);
  EXPECT_EQ(server->ca_file, (folder.path() / "ca.pem").string());
  EXPECT_EQ(server->max_pending_oauth_flows_per_client, 5u);
  EXPECT_EQ(server->max_websockets_per_client, 3u);
  EXPECT_EQ(server->action_threads, 4u);
  EXPECT_EQ(server->action_cpu_time, std::chrono::milliseconds(1500));
  EXPECT_EQ(server->action_memory_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(server->activity_retention, std::chrono::days(3));
  EXPECT_EQ(server->activity_retention_max_entries, 5000u);
  EXPECT_EQ(server->egress_allow, (std::vector<std::string>{"127.0.0.0/8", "::1",
                                                            "internal.example", "*.corp.example"}));
}

TEST(ServerConfig, DatabaseUrls) {
  struct Case {
    const char* configured;
    std::string expected;  // "" = an error; "{dir}" = the folder
  };
  const Case cases[] = {
      {"sqlite:///abs/ferry.db", "sqlite:///abs/ferry.db"},
      {"sqlite://rel/ferry.db", "sqlite://{dir}/rel/ferry.db"},
      {"sqlite://:memory:", "sqlite://:memory:"},
      {"postgresql://u:p@db.example/ferry", "postgresql://u:p@db.example/ferry"},
      {"postgres://db.example/ferry", "postgres://db.example/ferry"},
      {"mysql://u:p@db/ferry", ""},
      {"sqlite://", ""},
  };
  for (const auto& c : cases) {
    TempFolder folder;
    folder.write("ferry.yaml", std::string("database_url: \"") + c.configured + "\"\n");
    auto server = load_server_config(folder.path(), Environment::from_map({}));
    if (c.expected.empty()) {
      ASSERT_FALSE(server) << c.configured;
      EXPECT_NE(server.error().message.find("ferry.yaml:1:15: database_url: expected"),
                std::string::npos)
          << server.error().message;
      // The URL may hold a password: it is never echoed.
      EXPECT_EQ(server.error().message.find("u:p@"), std::string::npos);
    } else {
      ASSERT_TRUE(server) << c.configured << ": " << server.error().message;
      EXPECT_EQ(server->database_url, testing::with_dir(c.expected, folder.path()));
    }
  }
}

TEST(ServerConfig, EncryptionKeyMustBeBase64OfThirtyTwoBytes) {
  struct Case {
    const char* key;
    bool valid;
  };
  const Case cases[] = {
      {"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", true},     // 32 bytes
      {"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ==", false},    // 31 bytes
      {"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWZn", false},    // 33 bytes
      {"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZ!!=", false},    // not base64
      {"short", false},
      {"", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_base64_key32(c.key), c.valid) << c.key;
    TempFolder folder;
    folder.write("ferry.yaml", std::string("\nencryption_key: \"") + c.key + "\"\n");
    auto server = load_server_config(folder.path(), Environment::from_map({}));
    EXPECT_EQ(static_cast<bool>(server), c.valid) << c.key;
    if (!server) {
      const std::string& message = server.error().message;
      EXPECT_NE(message.find((folder.path() / "ferry.yaml").string() +
                             ":2:17: encryption_key: expected the base64 encoding of exactly 32"),
                std::string::npos)
          << message;
      if (*c.key != '\0') {
        EXPECT_EQ(message.find(c.key), std::string::npos) << "echoed a secret";
      }
    }
  }
}

TEST(ServerConfig, AdminPasswordIsReadAndAShortOneIsRefusedWithoutEchoingIt) {
  TempFolder folder;
  folder.write("ferry.yaml", "admin_password: correct-horse-battery\n");
  auto server = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(server->admin_password, "correct-horse-battery");

  folder.write("ferry.yaml", "\nadmin_password: hunter2\n");
  auto refused = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(":2:17: admin_password: must be at least 12 characters"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("hunter2"), std::string::npos) << "echoed a secret";
}

TEST(ServerConfig, WebhookSettingsAreReadWithTheirDefaults) {
  TempFolder folder;
  auto defaults = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->webhook_url, "");
  EXPECT_EQ(defaults->webhook_max_retry_age, std::chrono::hours(72));
  EXPECT_EQ(defaults->environment, "prod");

  folder.write("ferry.yaml",
               "webhook_url: https://backend.example.com/hooks\n"
               "webhook_signing_key: ${SIGNING_KEY}\n"
               "webhook_max_retry_hours: 6\n"
               "environment: staging\n");
  auto server =
      load_server_config(folder.path(), Environment::from_map({{"SIGNING_KEY", "whsec-1"}}));
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(server->webhook_url, "https://backend.example.com/hooks");
  EXPECT_EQ(server->webhook_signing_key, "whsec-1");
  EXPECT_EQ(server->webhook_max_retry_age, std::chrono::hours(6));
  EXPECT_EQ(server->environment, "staging");

  folder.write("ferry.yaml", "webhook_url: ftp://backend.example.com/\nwebhook_max_retry_hours: 0\n");
  auto refused = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(":1:14: webhook_url:"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find(":2:26: webhook_max_retry_hours:"), std::string::npos)
      << refused.error().message;
}

// /metrics needs the secret key unless ferry.yaml says `metrics_auth: none`; any other value
// is an error at its line, with the choices.
TEST(ServerConfig, MetricsAuthDefaultsToTheSecretKey) {
  TempFolder folder;
  auto defaults = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->metrics_auth, MetricsAuth::secret_key);

  folder.write("ferry.yaml", "metrics_auth: none\n");
  auto open = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_TRUE(open) << open.error().message;
  EXPECT_EQ(open->metrics_auth, MetricsAuth::none);

  folder.write("ferry.yaml", "server_port: 3003\nmetrics_auth: ${METRICS_AUTH}\n");
  auto from_env = load_server_config(folder.path(),
                                     Environment::from_map({{"METRICS_AUTH", "secret_key"}}));
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(from_env->metrics_auth, MetricsAuth::secret_key);

  folder.write("ferry.yaml", "server_port: 3003\nmetrics_auth: nobody\n");
  auto refused = load_server_config(folder.path(), Environment::from_map({}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find((folder.path() / "ferry.yaml").string() +
                                         ":2:15: metrics_auth: expected one of secret_key, none, "
                                         "got \"nobody\""),
            std::string::npos)
      << refused.error().message;
}

TEST(ServerConfig, BadValuesAreReported) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"server_port: 70000\n", ":1:14: server_port: expected an integer between 0 and 65535"},
      {"server_root_url: localhost:3003\n", ":1:18: server_root_url: expected an http(s) URL"},
      {"main_server_log_level: loud\n",
       ":1:24: main_server_log_level: expected one of error, warn, info"},
      {"default_http_request_timeout_seconds: -1\n",
       ":1:39: default_http_request_timeout_seconds: expected an integer >= 0"},
      {"ca_file: missing.pem\n", ":1:10: ca_file: expected an existing CA bundle file"},
      {"secret_key: ${NOT_SET_ANYWHERE}\n",
       ":1:13: secret_key: environment variable NOT_SET_ANYWHERE is not set"},
      {"server_port: [1]\n", ":1:14: server_port: expected an integer, got a list"},
      {"max_websockets_per_client: 0\n",
       ":1:28: max_websockets_per_client: expected an integer between 1 and 1000000"},
      {"max_pending_oauth_flows_per_client: many\n",
       ":1:37: max_pending_oauth_flows_per_client: expected an integer"},
      {"action_threads: 0\n", ":1:17: action_threads: expected an integer between 1 and 256"},
      {"activity_retention_days: 0\n",
       ":1:26: activity_retention_days: expected an integer between 1 and 36500"},
      {"activity_retention_max_entries: -1\n",
       ":1:33: activity_retention_max_entries: expected an integer >= 1"},
      {"database_pool_size: 0\n",
       ":1:21: database_pool_size: expected an integer between 1 and 256, got \"0\""},
      {"database_pool_size: 257\n",
       ":1:21: database_pool_size: expected an integer between 1 and 256"},
      {"database_pool_size: four\n", ":1:21: database_pool_size: expected an integer"},
      {"log_format: xml\n", ":1:13: log_format: expected one of text, json"},
      {"action_memory_bytes: 1000\n",
       ":1:22: action_memory_bytes: expected an integer >= 1048576"},
      {"egress:\n  allow: [\"10.0.0.1/8\"]\n",
       ":2:10: egress.allow: egress.allow entry \"10.0.0.1/8\" is not a CIDR"},
      {"egress:\n  allow: [0x7f.1]\n",
       ":2:10: egress.allow: egress.allow entry \"0x7f.1\" is an IPv4 address in an odd spelling"},
      {"egress:\n  allow: 127.0.0.1\n", ":2:10: egress.allow: expected a list"},
      {"egress:\n  alow: []\n", ":2:3: egress.alow: unknown key"},
  };
  for (const auto& c : cases) {
    TempFolder folder;
    folder.write("ferry.yaml", c.yaml);
    auto server = load_server_config(folder.path(), Environment::from_map({}));
    ASSERT_FALSE(server) << c.yaml;
    EXPECT_NE(server.error().message.find((folder.path() / "ferry.yaml").string() + c.expected),
              std::string::npos)
        << server.error().message;
  }
}

}  // namespace
}  // namespace ferry::config
