#pragma once

// Internal to the Confluence route group: what gateway_confluence.cc (reads, routes) and
// confluence_write.cc (create page, v1 calls) share.
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/http/server/router.h"
#include "site_data.h"
#include "state.h"

namespace ferry::fake_atlassian {

// The v2 Page shape; `body_format` (storage | atlas_doc_format | "") selects the body.
nlohmann::json page_json(const Page& page, const SiteData& data, const std::string& body_format);

// v2's 400 {"errors":[{"status":400,"code":"INVALID_REQUEST_PARAMETER",...,"detail"}]}.
http::Response v2_bad_request(const std::string& detail, unsigned version);

// POST /wiki/api/v2/pages: 200 with the new page [§5.3].
http::Response create_page(State& state, http::RequestContext& context);
// GET /wiki/rest/api/user/current [§5.2].
http::Response current_user(State& state, http::RequestContext& context);
// Any other v1 path: 410, as the gateway has answered since 2026-08 [§2].
http::Response v1_gone(State& state, http::RequestContext& context);

}  // namespace ferry::fake_atlassian
