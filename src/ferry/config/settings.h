#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/config/problems.h"
#include "ferry/config/source_tree.h"

namespace ferry::config {

// Which file a settings map comes from; they accept slightly different keys.
enum class SettingsSource {
  blueprint_version,  // also `comment`
  integration,        // also extends_blueprint, app_api_key, oauth_client_id/secret
};

// The post-connection steps Ferry knows how to run, by name.
const std::vector<std::string>& known_post_connection_steps();

// The keys `source` accepts at the top of a settings map.
std::vector<std::string> settings_keys(SettingsSource source);

// Reads one blueprint version or integration entry (`node`, at key path `path`) into
// `out`, whose fields keep their values for keys that are absent. Every unknown key,
// wrong type, bad enum value, non-http(s) URL and out-of-range number is added to
// `problems`. Does not check required fields (see check_required).
void read_settings(const SourceNode& node, const std::string& path, SettingsSource source,
                   Integration& out, Problems& problems);

// Checks what a usable integration needs once its blueprint is merged in (`merged`, read
// into `integration`): a base URL, and for OAuth the client credentials and endpoints.
// A key that is absent or an empty string is reported, pointing at `entry` (where the
// integration is declared) with a key path under `path`; a present but invalid value was
// already reported by read_settings().
void check_required(const Integration& integration, const SourceNode& merged,
                    const SourceLocation& entry, const std::string& path, Problems& problems);

}  // namespace ferry::config
