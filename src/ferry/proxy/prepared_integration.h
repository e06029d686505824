#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/auth/placeholders.h"
#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/observe/ferry_metrics.h"
#include "ferry/proxy/deprecated_endpoints.h"
#include "ferry/proxy/upstream_target.h"

namespace ferry::proxy {

// One of the integration's `requests.headers`, compiled.
struct PreparedHeader {
  std::string name;
  auth::Template value;
  // Where a rendered value comes from, for the sink check's message:
  // "integration jira's requests.headers, with ${api_key}".
  std::string source;
};

// One of the integration's `requests.params`, compiled.
struct PreparedParam {
  std::string name;
  auth::Template value;
};

// An integration as calls use it, prepared once at start so the hot path never parses
// configuration: its base URL checked and split, its header and param templates compiled,
// its per-attempt timeout resolved. Immutable; shared by every thread.
struct PreparedIntegration {
  const config::Integration* config = nullptr;  // points into the project it was built from
  std::optional<BaseUrl> base_url;  // nullopt: base_url_error says why calls fail
  std::optional<Error> base_url_error;
  std::vector<PreparedHeader> headers;
  std::vector<PreparedParam> params;
  // The first header or param template that does not compile; calls fail with it (the
  // configuration check reports the same problem at load).
  std::optional<Error> template_error;
  std::chrono::seconds timeout{0};  // per attempt; zero = none
  // The integration's series in /metrics; never null once built.
  const observe::IntegrationMetrics* metrics = nullptr;
  // config->deprecated_endpoints, ready to match calls against.
  DeprecatedEndpointMatcher deprecated_endpoints = {};
};

// Every integration of a project, prepared. Immutable after build(); holds the project so
// the config pointers stay valid.
class PreparedProject {
 public:
  static std::shared_ptr<const PreparedProject> build(
      std::shared_ptr<const config::Project> project);

  const config::Project& project() const { return *project_; }
  // The prepared integration named `key`, or nullptr.
  const PreparedIntegration* find(const std::string& key) const;

 private:
  std::shared_ptr<const config::Project> project_;
  std::map<std::string, PreparedIntegration, std::less<>> integrations_;
};

}  // namespace ferry::proxy
