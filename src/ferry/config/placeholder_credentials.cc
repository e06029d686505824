#include "ferry/config/placeholder_credentials.h"

#include "ferry/config/field_reader.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

// What to do about the placeholder in `node`, the `what` ("client id" or "client secret"):
// change the variable it came from, or the value written here.
std::string placeholder_advice(const SourceNode& node, std::string_view what) {
  const std::string placeholder = quote_value(node.scalar);
  if (!node.variables.empty()) {
    return "${" + join(node.variables, "}, ${") + "} is still " + placeholder +
           ", the placeholder `ferry init` wrote; set it to your OAuth app's " + std::string(what) +
           " in the folder's .env or the environment";
  }
  return placeholder + " is the placeholder `ferry init` wrote; replace it with your OAuth app's " +
         std::string(what);
}

}  // namespace

bool is_placeholder_credential(std::string_view value) {
  return value == kPlaceholderClientId || value == kPlaceholderClientSecret ||
         value == kExampleClientSecret;
}

void check_placeholder_credentials(const Integration& integration, const SourceNode& merged,
                                   const std::string& path, Problems& problems) {
  const AuthMode mode = integration.auth.auth_mode;
  if (mode != AuthMode::oauth2 && mode != AuthMode::oauth1) return;
  const std::pair<std::string_view, std::string_view> keys[] = {
      {"oauth_client_id", "client id"}, {"oauth_client_secret", "client secret"}};
  for (const auto& [key, what] : keys) {
    const SourceNode* node = merged.find(key);
    if (node == nullptr || node->kind != SourceNode::Kind::scalar) continue;
    if (!is_placeholder_credential(trim(node->scalar))) continue;
    problems.add(node->location, child_path(path, key), placeholder_advice(*node, what));
  }
}

}  // namespace ferry::config
