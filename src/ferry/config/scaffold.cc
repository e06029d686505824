#include "ferry/config/scaffold.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include "ferry/config/placeholder_credentials.h"
#include "ferry/core/crypto.h"
#include "ferry/core/private_file.h"

namespace ferry::config {
namespace {

constexpr std::string_view kFerryYaml = R"(# Ferry server settings. Every key is optional: the values below are the defaults.
# ${VAR} placeholders are filled from the environment, or from the .env file here.
#
# `ferry init` wrote .env with this folder's own random secret key, public key and
# encryption key, and a placeholder JIRA_CLIENT_SECRET that `ferry check` and `ferry serve`
# refuse, as they refuse integrations.yaml's placeholder oauth_client_id: put your Jira app's
# real client id and secret there first. Keep .env out of version control (.env.example lists
# what it needs). Losing FERRY_ENCRYPTION_KEY makes the stored tokens unreadable: back it up
# with the database.

# server_port: 3003
# server_root_url: http://localhost:3003     # the OAuth callback is <root>/oauth/callback
# listen_address: 0.0.0.0
# main_server_log_level: info                # error, warn, info, http, verbose, debug, silly
# default_action_log_level: info             # an integration's log_level overrides it
# default_http_request_timeout_seconds: 100  # per attempt; 0 = none
# database_url: sqlite://ferry.db            # or postgresql://user:pass@host/db
# database_pool_size: 4                      # PostgreSQL connections for queries
secret_key: ${FERRY_SECRET_KEY}              # backend API key (random for each run when unset)
public_key: ${FERRY_PUBLIC_KEY}              # frontend key for /oauth/connect (random when unset)
encryption_key: ${FERRY_ENCRYPTION_KEY}      # base64 of 32 bytes: tokens are encrypted at rest
# admin_password: ${FERRY_ADMIN_PASSWORD}    # dashboard sign-in besides the secret key (12+ chars)
# log_file: ferry-server.log
# log_format: text                           # or json: one {"time","level","message"} per line
# metrics_auth: secret_key                   # or none: GET /metrics without credentials
# max_request_body_bytes: 10485760
# ca_file: extra-ca.pem                      # extra CA bundle for upstream TLS
# max_pending_oauth_flows_per_client: 64     # unfinished OAuth flows per client address
# max_websockets_per_client: 32              # open websockets per client address
# action_threads: 2                          # threads running actions' Lua code
# action_cpu_time_ms: 10000                  # Lua running time of one action run
# action_memory_bytes: 67108864              # memory of one action run's Lua state
# egress:                                    # what a Base-Url-Override may reach although it is
#   allow: [10.0.0.0/8, internal.example]    # private, loopback... or plain http
# webhook_url: https://backend.example.com/ferry-events   # connection events, Nango's shape
# webhook_signing_key: ${FERRY_WEBHOOK_SIGNING_KEY}        # X-Nango-Hmac-Sha256 (default: secret_key)
# webhook_max_retry_hours: 72                # then an undelivered event is dead-lettered
# environment: prod                          # the events' `environment` field
)";

// integrations.yaml: two integrations of one Atlassian app, whose client id and secret are
// placeholders the loader refuses (placeholder_credentials.h) until the user sets them.
std::string integrations_yaml() {
  const std::string client_id(kPlaceholderClientId);
  const std::string secret = "${" + std::string(kClientSecretVariable) + "}";
  return "# One entry per integration. `extends_blueprint` takes a provider from Ferry's catalog\n"
         "# (name or name:version); anything set here overrides the blueprint, key by key.\n"
         "integrations:\n"
         "  jira:\n"
         "    extends_blueprint: jira:v0\n"
         "    # Your OAuth 2.0 (3LO) app at https://developer.atlassian.com/console/myapps/:\n"
         "    # replace the client id below (both integrations use it) and set the app's\n"
         "    # secret in .env. `ferry check` and `ferry serve` refuse the placeholders.\n"
         "    oauth_client_id: " + client_id + "\n"
         "    oauth_client_secret: " + secret + "\n"
         "    oauth_scopes:\n"
         "      - read:jira-work\n"
         "      - write:jira-work\n"
         "      - read:jira-user\n"
         "      - offline_access\n"
         "  # Confluence through the same Atlassian app: jira:v0 covers both products. Its\n"
         "  # actions live in confluence/, as the jira integration's live in jira/.\n"
         "  confluence:\n"
         "    extends_blueprint: jira:v0\n"
         "    oauth_client_id: " + client_id + "\n"
         "    oauth_client_secret: " + secret + "\n"
         "    oauth_scopes:\n"
         "      - read:page:confluence\n"
         "      - offline_access\n";
}

constexpr std::string_view kEnvExample = R"(# Copy to .env and fill in. Variables set in the process environment win over .env.
# The backend's API key (Authorization: Bearer ...): any long random text, e.g. openssl rand -hex 32
FERRY_SECRET_KEY=
# The frontend's key for /oauth/connect: openssl rand -hex 16
FERRY_PUBLIC_KEY=
# Encrypts stored tokens (AES-256-GCM): openssl rand -base64 32. Keep it with your backups.
FERRY_ENCRYPTION_KEY=
)";

// .env.example: the keys' comments, then the client secret's variable with a placeholder.
std::string env_example() {
  return std::string(kEnvExample) + "# Your Atlassian OAuth app's client secret\n" +
         std::string(kClientSecretVariable) + "=" + std::string(kExampleClientSecret) + "\n";
}

// .env with keys generated for this folder: a stable secret key (so the backend keeps working
// across restarts), a public key, and an encryption key (so a new install never stores
// tokens in clear); and the client secret's placeholder.
std::string generated_env() {
  return "# Secrets for ferry.yaml and integrations.yaml, generated by `ferry init`. Never commit\n"
         "# this file. Losing FERRY_ENCRYPTION_KEY makes the stored tokens unreadable.\n"
         "FERRY_SECRET_KEY=" + random_hex(32) + "\n"
         "FERRY_PUBLIC_KEY=" + random_hex(16) + "\n"
         "FERRY_ENCRYPTION_KEY=" + base64_encode(random_bytes(32)) + "\n"
         "# Your Atlassian OAuth app's client secret: `ferry check` refuses this placeholder.\n" +
         std::string(kClientSecretVariable) + "=" + std::string(kPlaceholderClientSecret) + "\n";
}

constexpr std::string_view kGitignore = R"(.env
ferry.db
ferry.db-*
ferry-server.log
)";

constexpr std::string_view kCreateIssueAction = R"(-- Creates a Jira issue on the connection's site.
-- input:  { project_key = "DEMO", summary = "Title", description = "Text", issue_type = "Task" }
-- output: { id = "10001", key = "DEMO-1" }
return function(nango, input)
  if not input or not input.project_key or not input.summary then
    error({ message = "project_key and summary are required" })
  end

  local response = nango:post{
    -- Ferry fills ${connectionConfig.cloudId} from the connection (set when the user connected).
    endpoint = "/ex/jira/${connectionConfig.cloudId}/rest/api/3/issue",
    data = {
      fields = {
        project = { key = input.project_key },
        summary = input.summary,
        issuetype = { name = input.issue_type or "Task" },
        -- Jira Cloud's v3 API takes descriptions in Atlassian Document Format.
        description = {
          type = "doc",
          version = 1,
          content = {
            {
              type = "paragraph",
              content = { { type = "text", text = input.description or "" } },
            },
          },
        },
      },
    },
  }

  if response.status ~= 201 then
    error({ message = "Jira refused to create the issue", status = response.status,
            details = response.json or response.data })
  end
  nango.log.info("created issue " .. response.json.key)
  return { id = response.json.id, key = response.json.key }
end
)";

constexpr std::string_view kSearchIssuesAction = R"(-- Searches the connection's Jira site with JQL and returns every match, page by page
-- (Jira's /rest/api/3/search/jql hands out a nextPageToken until the last page).
-- input:  { jql = "project = PROJ ORDER BY key", fields = "summary,status", max_results = 500 }
-- output: { issues = { { id = "10001", key = "PROJ-1", summary = "...", status = "To Do" } },
--           truncated = false }
return function(nango, input)
  if not input or type(input.jql) ~= "string" or input.jql == "" then
    error({ message = "jql is required" })
  end
  local max_results = input.max_results or 1000

  local issues = nango.json.array()  -- stays a JSON array even when nothing matches
  for page in nango:paginate{
    endpoint = "/ex/jira/${connectionConfig.cloudId}/rest/api/3/search/jql",
    params = { jql = input.jql, fields = input.fields or "summary,status" },
    -- next_page_token: send nextPageToken back until it is missing or isLast is true;
    -- the records are in "issues"; limit is sent as maxResults.
    paginate = { type = "next_page_token", limit = 100 },
  } do
    for _, issue in ipairs(page) do
      local fields = type(issue.fields) == "table" and issue.fields or {}
      local status = type(fields.status) == "table" and fields.status.name or nil
      issues[#issues + 1] = { id = issue.id, key = issue.key, summary = fields.summary,
                              status = status }
      if #issues >= max_results then
        return { issues = issues, truncated = true }
      end
    end
    nango.log.debug(#issues .. " issues so far")
  end
  return { issues = issues, truncated = false }
end
)";

constexpr std::string_view kListPagesAction = R"(-- Lists the Confluence pages of the connection's site (Confluence REST API v2), following
-- the cursor link of each answer (the Link header or _links.next).
-- input:  { space_id = "456", title = "Exact title", max_pages = 500 }   (all optional)
-- output: { pages = { { id = "100001", title = "...", space_id = "456", status = "current" } },
--           truncated = false }
return function(nango, input)
  input = input or {}
  local cloud_id = nango:connection().connection_config.cloudId
  if type(cloud_id) ~= "string" then
    error({ message = "the connection has no cloudId; connect it again" })
  end
  local site = "/ex/confluence/" .. cloud_id
  local params = { limit = 100 }
  if input.space_id then params["space-id"] = input.space_id end
  if input.title then params.title = input.title end
  local max_pages = input.max_pages or 1000

  local pages = nango.json.array()
  for results in nango:paginate{
    endpoint = site .. "/wiki/api/v2/pages",
    params = params,
    -- Confluence's next links are relative to the site ("/wiki/api/v2/pages?cursor=..."):
    -- link_prefix puts the gateway's "/ex/confluence/<cloudId>" back in front.
    paginate = { type = "link", response_path = "results",
                 link_path_in_response_body = "_links.next", link_prefix = site },
  } do
    for _, page in ipairs(results) do
      pages[#pages + 1] = { id = page.id, title = page.title, space_id = page.spaceId,
                            status = page.status }
      if #pages >= max_pages then
        return { pages = pages, truncated = true }
      end
    end
  end
  return { pages = pages, truncated = false }
end
)";

struct ScaffoldFile {
  std::filesystem::path path;  // relative to the folder
  std::string text;
  bool is_private;             // readable by the owner only
};

Status write_file(const std::filesystem::path& path, std::string_view text, bool is_private) {
  // A private file is created 0600 before its secrets are written, never narrowed after.
  if (is_private) {
    if (auto made = make_private_file(path.string()); !made) return made;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) {
    return Error{Errc::internal, "cannot write " + path.string() + ": " + std::strerror(errno)};
  }
  return ok();
}

}  // namespace

Status scaffold_project(const std::filesystem::path& dir) {
  const std::vector<ScaffoldFile> files = {
      {"ferry.yaml", std::string(kFerryYaml), false},
      {"integrations.yaml", integrations_yaml(), false},
      {".env.example", env_example(), false},
      {".env", generated_env(), true},
      {".gitignore", std::string(kGitignore), false},
      {std::filesystem::path("jira") / "create-issue.action.lua",
       std::string(kCreateIssueAction), false},
      {std::filesystem::path("jira") / "search-issues.action.lua",
       std::string(kSearchIssuesAction), false},
      {std::filesystem::path("confluence") / "list-pages.action.lua",
       std::string(kListPagesAction), false},
  };
  std::error_code ec;
  const std::filesystem::path folder = std::filesystem::absolute(dir, ec).lexically_normal();
  // Check everything first, so a refused init leaves the folder as it was.
  for (const auto& file : files) {
    if (std::filesystem::exists(folder / file.path, ec)) {
      return Error{Errc::conflict, (folder / file.path).string() +
                                       " already exists; `ferry init` never overwrites files"};
    }
  }
  for (const auto& file : files) {
    std::filesystem::create_directories((folder / file.path).parent_path(), ec);
    if (ec) {
      return Error{Errc::internal, "cannot create " + (folder / file.path).parent_path().string() +
                                       ": " + ec.message()};
    }
    Status written = write_file(folder / file.path, file.text, file.is_private);
    if (!written) return written;
  }
  return ok();
}

}  // namespace ferry::config
