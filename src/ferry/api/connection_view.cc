#include "ferry/api/connection_view.h"

#include "ferry/auth/credentials.h"
#include "ferry/core/clock.h"

namespace ferry::api {

using nlohmann::json;

json connection_full_view(const store::Connection& c, bool include_refresh_token) {
  return json{
      {"id", c.id},
      {"connection_id", c.connection_id},
      {"provider_config_key", c.provider_config_key},
      {"provider", c.provider},
      {"created_at", format_iso8601(c.created_at)},
      {"updated_at", format_iso8601(c.updated_at)},
      {"last_fetched_at", c.last_fetched_at ? json(format_iso8601(*c.last_fetched_at)) : json()},
      {"credentials", auth::public_credentials(c.credentials, include_refresh_token)},
      {"connection_config", c.connection_config},
      {"metadata", c.metadata},
      {"errors", c.errors},
      {"end_user", c.end_user.is_object() ? c.end_user : json()},
      {"tags", c.tags.is_object() ? c.tags : json::object()},
      {"webhook_url_override", nullptr},
  };
}

json connection_list_view(const store::Connection& c) {
  return json{
      {"id", c.id},
      {"connection_id", c.connection_id},
      {"provider_config_key", c.provider_config_key},
      {"provider", c.provider},
      {"created", format_iso8601(c.created_at)},
      {"metadata", c.metadata},
      {"errors", c.errors},
      {"end_user", c.end_user.is_object() ? c.end_user : json()},
      {"tags", c.tags.is_object() ? c.tags : json::object()},
  };
}

}  // namespace ferry::api
