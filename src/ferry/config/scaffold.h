#pragma once

#include <filesystem>

#include "ferry/core/result.h"

namespace ferry::config {

// `ferry init <dir>`: creates `dir` (and its parents) holding an example that `ferry check
// <dir>` accepts once its two placeholders (placeholder_credentials.h) are replaced: the
// client id in integrations.yaml and JIRA_CLIENT_SECRET in .env:
//   ferry.yaml            the keys from .env, and every other server setting commented out
//                         with its default
//   integrations.yaml     Jira and Confluence integrations, both extending jira:v0
//   .env.example          the variables both files need
//   .env                  (mode 0600 from its creation) a random secret key, public key and
//                         encryption key for this folder, and the placeholder client secret
//   .gitignore            keeps .env, the database and the log out of version control
//   jira/create-issue.action.lua       an action creating a Jira issue
//   jira/search-issues.action.lua      a paginated JQL search
//   confluence/list-pages.action.lua   Confluence pages, following cursor links
// Never overwrites: Errc::conflict when any of these files already exists (nothing is
// written then). Errc::internal when the folder or a file cannot be written.
Status scaffold_project(const std::filesystem::path& dir);

}  // namespace ferry::config
