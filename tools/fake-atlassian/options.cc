#include "options.h"

#include <charconv>

#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

Result<long long> parse_integer(const std::string& flag, const std::string& text, long long min,
                                long long max) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Error{Errc::invalid_argument, flag + " needs an integer from " + std::to_string(min) +
                                             " to " + std::to_string(max) + ", got \"" + text +
                                             "\""};
  }
  return value;
}

// Applies one flag that takes a value.
Status apply_value(Options& options, const std::string& flag, const std::string& value) {
  if (flag == "--client-id") {
    options.client_id = value;
  } else if (flag == "--client-secret") {
    options.client_secret = value;
  } else if (flag == "--redirect-uri") {
    options.redirect_uris.push_back(value);
  } else if (flag == "--port") {
    auto port = parse_integer(flag, value, 0, 65535);
    if (!port) return port.error();
    options.port = static_cast<unsigned short>(*port);
  } else if (flag == "--sites") {
    auto sites = parse_integer(flag, value, 1, kSiteCount);
    if (!sites) return sites.error();
    options.config.sites = static_cast<int>(*sites);
  } else if (flag == "--leeway-seconds") {
    auto leeway = parse_integer(flag, value, 0, 365LL * 86400);
    if (!leeway) return leeway.error();
    options.config.leeway = std::chrono::seconds(*leeway);
  } else {
    return Error{Errc::invalid_argument, "unknown option " + flag + " (see --help)"};
  }
  return ok();
}

}  // namespace

Result<Options> parse_command_line(const std::vector<std::string>& args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_inline_value = false;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline_value = true;
    }
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      continue;
    }
    if (flag == "--deny" || flag == "--verbose" || flag == "--check-scopes") {
      if (has_inline_value) return Error{Errc::invalid_argument, flag + " takes no value"};
      if (flag == "--deny") options.config.deny = true;
      if (flag == "--verbose") options.verbose = true;
      if (flag == "--check-scopes") options.config.check_scopes = true;
      continue;
    }
    if (!has_inline_value) {
      if (i + 1 >= args.size()) return Error{Errc::invalid_argument, flag + " needs a value"};
      value = args[++i];
    }
    if (auto applied = apply_value(options, flag, value); !applied) return applied.error();
  }
  return options;
}

std::string usage() {
  return R"(Usage: fake-atlassian [options]

A test double of auth.atlassian.com and api.atlassian.com on 127.0.0.1. Never use it as a
real service: it holds no security.

Options:
  --port N              listen port; 0 (default) picks a free one
  --client-id ID        the registered OAuth client id (default fake-client-id)
  --client-secret S     its secret (default fake-client-secret)
  --redirect-uri URL    a registered callback URL; repeatable. None: any loopback URL
  --sites N             sites a new grant reaches: 1 (default), 2 or 3
  --deny                /authorize denies consent unless the request says otherwise
  --leeway-seconds N    how long a rotated refresh token stays usable (default 600)
  --check-scopes        gateway calls need a fitting scope (401 "scope does not match")
  --verbose             log every request to stderr
  --help                this text

The first line printed is "fake-atlassian listening on http://127.0.0.1:PORT".
)";
}

}  // namespace ferry::fake_atlassian
