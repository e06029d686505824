#pragma once

#include <string>
#include <vector>

#include "ferry/config/catalog.h"
#include "ferry/core/result.h"

namespace ferry::config {

// What `ferry blueprints` lists: the whole catalog, or the blueprints a user looks for.
struct CatalogQuery {
  // Words that must all appear, case-insensitively, in a blueprint's name, description,
  // categories or auth modes ("crm oauth2"). Empty: no condition.
  std::string search;
  // A name from blueprint_categories(). Empty: no condition.
  std::string category;
};

// The blueprints matching `query`, sorted by name. Errc::invalid_argument naming the
// categories when `query.category` is not one of them.
Result<std::vector<const Blueprint*>> find_blueprints(const Catalog& catalog,
                                                      const CatalogQuery& query);

// One line per blueprint, columns aligned: name, auth mode(s) of its latest version,
// categories, and its one-line description. No header, so `| wc -l` counts blueprints.
std::string catalog_lines(const std::vector<const Blueprint*>& blueprints);

}  // namespace ferry::config
