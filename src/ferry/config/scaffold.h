#pragma once

#include <filesystem>

#include "ferry/core/result.h"

namespace ferry::config {

// `ferry init <dir>`: creates `dir` (and its parents) holding a working example that
// `ferry check <dir>` accepts as is:
//   ferry.yaml            the keys from .env, and every other server setting commented out
//                         with its default
//   integrations.yaml     Jira and Confluence integrations, both extending jira:v0
//   .env.example          the variables both files need
//   .env                  (mode 0600 from its creation) a random secret key, public key and
//                         encryption key for this folder, and a placeholder client secret
//   .gitignore            keeps .env, the database and the log out of version control
//   jira/create-issue.action.lua       an action creating a Jira issue
//   jira/search-issues.action.lua      a paginated JQL search
//   confluence/list-pages.action.lua   Confluence pages, following cursor links
// Never overwrites: Errc::conflict when any of these files already exists (nothing is
// written then). Errc::internal when the folder or a file cannot be written.
Status scaffold_project(const std::filesystem::path& dir);

}  // namespace ferry::config
