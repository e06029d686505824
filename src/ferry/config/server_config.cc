#include "ferry/config/server_config.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <limits>
#include <vector>

#include "ferry/config/field_reader.h"
#include "ferry/config/source_tree.h"
#include "ferry/core/egress_policy.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

const std::vector<std::string> kServerKeys = {
    "server_port",       "server_root_url", "main_server_log_level", "default_action_log_level",
    "default_http_request_timeout_seconds", "database_url", "secret_key", "public_key",
    "encryption_key",    "log_file",        "listen_address",        "max_request_body_bytes",
    "ca_file",           "max_pending_oauth_flows_per_client",     "max_websockets_per_client",
    "action_threads",    "action_cpu_time_ms", "action_memory_bytes", "egress",
    "activity_retention_days", "activity_retention_max_entries", "database_pool_size",
    "log_format",        "admin_password",     "webhook_url", "webhook_signing_key",
    "webhook_max_retry_hours", "environment", "metrics_auth"};

constexpr long long kMaxActionThreads = 256;
constexpr std::size_t kMinAdminPasswordBytes = 12;
constexpr long long kMaxActionCpuTimeMs = 24LL * 3600 * 1000;
constexpr long long kMinActionMemoryBytes = 1024 * 1024;  // a Lua state and a small script
constexpr long long kMaxActionMemoryBytes = 1LL << 40;

constexpr long long kMaxPerClientLimit = 1'000'000;
constexpr long long kMaxWebhookRetryHours = 30 * 24;

constexpr long long kMaxRetentionDays = 100 * 365;
// PostgreSQL's default max_connections is 100, and an instance opens up to twice this many
// (queries and refresh locks): more than this is a typo, not a plan.
constexpr long long kMaxDatabasePoolSize = 256;

constexpr std::string_view kDefaultDatabase = "sqlite://ferry.db";
constexpr std::string_view kDefaultLogFile = "ferry-server.log";

std::string resolve_path(const std::filesystem::path& dir, std::string_view path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = dir / p;
  return p.lexically_normal().string();
}

// The database URL with a relative SQLite path made absolute; the empty string when it is
// neither sqlite:// nor postgres(ql)://.
std::string resolve_database_url(const std::filesystem::path& dir, std::string_view url) {
  if (starts_with_icase(url, "postgresql://") || starts_with_icase(url, "postgres://")) {
    return std::string(url);
  }
  if (!starts_with_icase(url, "sqlite://")) return "";
  std::string_view path = url.substr(9);
  if (path.empty()) return "";
  if (path == ":memory:") return std::string(url);
  return "sqlite://" + resolve_path(dir, path);
}

void read_keys(const MapReader& r, ServerConfig& out) {
  if (!r.get("secret_key")) {
    out.secret_key = random_hex(32);
    out.secret_key_generated = true;
  }
  r.read_nonempty_string("secret_key", out.secret_key);
  if (!r.get("public_key")) {
    out.public_key = random_hex(32);
    out.public_key_generated = true;
  }
  r.read_nonempty_string("public_key", out.public_key);
  if (out.secret_key.empty() || out.public_key.empty()) {
    r.report("", "cannot generate a random key: the system's random generator failed");
  }
  if (r.read_nonempty_string("admin_password", out.admin_password) &&
      out.admin_password.size() < kMinAdminPasswordBytes) {
    out.admin_password.clear();
    r.report("admin_password", "must be at least " + std::to_string(kMinAdminPasswordBytes) +
                                   " characters long: it signs in to the dashboard");
  }
  std::string key;
  if (r.read_string("encryption_key", key)) {
    // The value is a secret: say what is wrong, never what it is.
    if (is_base64_key32(trim(key))) {
      out.encryption_key = std::string(trim(key));
    } else {
      r.report("encryption_key",
               "expected the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
    }
  }
}

void read_paths(const MapReader& r, const std::filesystem::path& dir, ServerConfig& out) {
  std::string database(kDefaultDatabase);
  r.read_nonempty_string("database_url", database);
  out.database_url = resolve_database_url(dir, database);
  if (out.database_url.empty()) {
    // The URL may hold a password, so it is not echoed.
    r.report("database_url", "expected sqlite://<path> or postgresql://user:pass@host/db");
  }
  std::string log_file(kDefaultLogFile);
  r.read_nonempty_string("log_file", log_file);
  out.log_file = resolve_path(dir, log_file);
  std::string ca_file;
  if (r.read_nonempty_string("ca_file", ca_file)) {
    out.ca_file = resolve_path(dir, ca_file);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(out.ca_file, ec)) {
      r.report("ca_file", "expected an existing CA bundle file, got " + quote_value(out.ca_file));
    }
  }
}

// `egress: {allow: [CIDR | address | host name, ...]}`, each entry checked as the policy will
// read it, so a typo fails at load instead of refusing calls later.
void read_egress(const MapReader& r, ServerConfig& out) {
  MapReader egress = r.section("egress");
  egress.reject_unknown({"allow"});
  if (!egress.read_string_list("allow", out.egress_allow)) return;
  if (auto policy = EgressPolicy::make(out.egress_allow); !policy) {
    egress.report("allow", policy.error().message);
  }
}

// The webhook receiver: where connection events go, the key that signs them, how long a
// failing delivery is retried.
void read_webhooks(const MapReader& r, ServerConfig& out) {
  r.read_url("webhook_url", out.webhook_url);
  r.read_nonempty_string("webhook_signing_key", out.webhook_signing_key);
  long long hours = 0;
  if (r.read_int("webhook_max_retry_hours", 1, kMaxWebhookRetryHours, hours)) {
    out.webhook_max_retry_age = std::chrono::hours(hours);
  }
  r.read_nonempty_string("environment", out.environment);
}

}  // namespace

bool is_base64_key32(std::string_view text) {
  // 32 bytes encode to 44 characters ending in exactly one '='.
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') return false;
  unsigned char out[33];
  int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  // EVP_DecodeBlock counts the padding as a decoded byte.
  return n == 33;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buffer) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

ServerConfig read_server_config(const std::filesystem::path& dir, const Environment& env,
                                Problems& problems) {
  std::optional<SourceNode> root;
  std::filesystem::path file = dir / "ferry.yaml";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    root = read_yaml_file(file, problems);
    if (root) substitute_env(*root, env, "", problems);
  }
  ServerConfig out;
  MapReader r(root ? &*root : nullptr, "", problems);
  r.reject_unknown(kServerKeys);
  long long number = 0;
  if (r.read_int("server_port", 0, 65535, number)) out.server_port = static_cast<int>(number);
  if (r.read_url("server_root_url", out.server_root_url)) {
    while (out.server_root_url.size() > 1 && out.server_root_url.back() == '/') {
      out.server_root_url.pop_back();
    }
  }
  r.read_log_level("main_server_log_level", out.main_server_log_level);
  r.read_log_level("default_action_log_level", out.default_action_log_level);
  r.read_enum<observe::LogFormat>(
      "log_format", {{"text", observe::LogFormat::text}, {"json", observe::LogFormat::json}},
      out.log_format);
  r.read_enum<MetricsAuth>(
      "metrics_auth", {{"secret_key", MetricsAuth::secret_key}, {"none", MetricsAuth::none}},
      out.metrics_auth);
  if (r.read_int("default_http_request_timeout_seconds", 0, std::numeric_limits<int>::max(),
                 number)) {
    out.default_http_request_timeout = std::chrono::seconds(number);
  }
  r.read_nonempty_string("listen_address", out.listen_address);
  if (r.read_int("max_request_body_bytes", 1, std::numeric_limits<long long>::max(), number)) {
    out.max_request_body_bytes = static_cast<std::size_t>(number);
  }
  if (r.read_int("max_pending_oauth_flows_per_client", 1, kMaxPerClientLimit, number)) {
    out.max_pending_oauth_flows_per_client = static_cast<std::size_t>(number);
  }
  if (r.read_int("max_websockets_per_client", 1, kMaxPerClientLimit, number)) {
    out.max_websockets_per_client = static_cast<std::size_t>(number);
  }
  if (r.read_int("action_threads", 1, kMaxActionThreads, number)) {
    out.action_threads = static_cast<std::size_t>(number);
  }
  if (r.read_int("activity_retention_days", 1, kMaxRetentionDays, number)) {
    out.activity_retention = std::chrono::days(number);
  }
  if (r.read_int("activity_retention_max_entries", 1, std::numeric_limits<long long>::max(),
                 number)) {
    out.activity_retention_max_entries = static_cast<std::size_t>(number);
  }
  if (r.read_int("action_cpu_time_ms", 1, kMaxActionCpuTimeMs, number)) {
    out.action_cpu_time = std::chrono::milliseconds(number);
  }
  if (r.read_int("action_memory_bytes", kMinActionMemoryBytes, kMaxActionMemoryBytes, number)) {
    out.action_memory_bytes = static_cast<std::size_t>(number);
  }
  if (r.read_int("database_pool_size", 1, kMaxDatabasePoolSize, number)) {
    out.database_pool_size = static_cast<std::size_t>(number);
  }
  read_keys(r, out);
  read_paths(r, dir, out);
  read_egress(r, out);
  read_webhooks(r, out);
  return out;
}

}  // namespace ferry::config
