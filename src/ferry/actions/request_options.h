#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "ferry/actions/action_http.h"
#include "ferry/actions/pagination.h"
#include "ferry/core/result.h"

namespace ferry::actions {

// The request table of nango:get/post/put/patch/delete{...} (as JSON) as an ActionRequest:
//   endpoint  string, required: as for /proxy/{endpoint}; placeholders here and in header
//             values may read only ${connectionConfig.KEY} and ${metadata.KEY};
//   params    table of name = string | number | boolean | array of those (repeated), sent in
//             name order;
//   headers   table of name = string | number;
//   data      string (sent as is) or any other JSON value (encoded, and Content-Type:
//             application/json added unless given);
//   retries   non-negative integer.
// Errc::invalid_argument naming the first problem, unknown keys included.
Result<ActionRequest> request_from_options(const nlohmann::json& options,
                                           std::string_view method);

// The table of nango:paginate{...}: the keys above, plus `method` (default "GET") and
// `paginate` (see parse_paginate_options). `defaults` is the integration's `pagination`
// (config::Integration::pagination): its keys apply unless the table's `paginate` names
// them, and with defaults the `paginate` table may be left out.
struct PaginatedRequest {
  ActionRequest request;
  PaginateOptions options;
};
Result<PaginatedRequest> paginated_request_from_options(
    const nlohmann::json& options, const std::map<std::string, std::string>& defaults = {});

// The integration's `pagination` as a paginate table (integers for limit and
// offset_start_value, which the configuration checked), for parse_paginate_options.
nlohmann::json pagination_defaults_table(const std::map<std::string, std::string>& defaults);

}  // namespace ferry::actions
