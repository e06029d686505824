#include "ferry/config/model.h"

namespace ferry::config {

std::string_view auth_mode_name(AuthMode mode) {
  switch (mode) {
    case AuthMode::oauth2: return "OAUTH2";
    case AuthMode::oauth1: return "OAUTH1";
    case AuthMode::api_key: return "API_KEY";
    case AuthMode::basic: return "BASIC";
    case AuthMode::none: return "NONE";
  }
  return "NONE";
}

}  // namespace ferry::config
