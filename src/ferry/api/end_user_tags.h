#pragma once

#include <nlohmann/json.hpp>

namespace ferry::api {

// The tags a connection carries: `tags` (an object of strings, or null) plus, from
// `end_user` (an end_user_record, or null), the keys Nango reserves for it and its SDK
// filters by: end_user_id, end_user_email, end_user_display_name and organization_id.
// A key `tags` sets itself wins; a reserved key the end user does not fill is not added.
nlohmann::json connection_tags(const nlohmann::json& tags, const nlohmann::json& end_user);

// `tags` without the reserved end-user keys: what is left of a connection's tags when its
// end user is replaced (the old user's keys must not keep matching).
nlohmann::json without_end_user_tags(const nlohmann::json& tags);

}  // namespace ferry::api
