#pragma once

#include <memory>

#include "ferry/http/server/router.h"
#include "state.h"

namespace ferry::fake_atlassian {

// Route groups, one per file. Each handler captures `state` and is safe to run from any
// thread (it takes the State's lock for each step).

// auth.atlassian.com: GET /authorize, POST /oauth/token.
void add_oauth_routes(http::Router& router, std::shared_ptr<State> state);
// api.atlassian.com: GET /oauth/token/accessible-resources, GET /me.
void add_resource_routes(http::Router& router, std::shared_ptr<State> state);
// /ex/jira/{cloudId}/rest/api/3/...: myself, issue create/get, search/jql, old search (410).
void add_jira_routes(http::Router& router, std::shared_ptr<State> state);
// /ex/jira/{cloudId}/rest/api/{2,3}/webhook...: Jira's dynamic webhooks (register, list,
// refresh, delete).
void add_webhook_routes(http::Router& router, std::shared_ptr<State> state);
// /ex/confluence/{cloudId}/wiki/...: v2 pages (list, create, get), v1 user/current.
void add_confluence_routes(http::Router& router, std::shared_ptr<State> state);
// /__admin/...: clock, stats, revoke, faults, config, reset.
void add_admin_routes(http::Router& router, std::shared_ptr<State> state);
// /__admin/webhooks...: list every webhook, send an event's deliveries.
void add_webhook_admin_routes(http::Router& router, std::shared_ptr<State> state);

// Every route of the fake.
std::shared_ptr<http::Router> make_router(std::shared_ptr<State> state);

}  // namespace ferry::fake_atlassian
