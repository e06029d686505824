#include "ferry/config/catalog_listing.h"

#include <algorithm>
#include <fmt/format.h>

#include "ferry/config/model.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!word.empty()) words.push_back(to_lower(word));
      word.clear();
    } else {
      word += c;
    }
  }
  return words;
}

std::string auth_modes(const Blueprint& blueprint) {
  return std::string(auth_mode_name(blueprint.latest()->settings.auth.auth_mode));
}

// Everything a search word may be found in, lower-cased.
std::string searchable_text(const Blueprint& blueprint) {
  return to_lower(blueprint.name + " " + blueprint.description + " " +
                  join(blueprint.categories, " ") + " " + auth_modes(blueprint));
}

}  // namespace

Result<std::vector<const Blueprint*>> find_blueprints(const Catalog& catalog,
                                                      const CatalogQuery& query) {
  const auto& categories = blueprint_categories();
  if (!query.category.empty() &&
      std::find(categories.begin(), categories.end(), query.category) == categories.end()) {
    std::string message = "unknown category `" + query.category + "`";
    std::string suggestion = closest_match(query.category, categories);
    if (!suggestion.empty()) message += " (did you mean " + suggestion + "?)";
    return Error{Errc::invalid_argument,
                 message + "; the categories are: " + join(categories, ", ")};
  }
  const std::vector<std::string> words = words_of(query.search);
  std::vector<const Blueprint*> out;
  for (const auto& name : catalog.names()) {
    const Blueprint* blueprint = catalog.find(name);
    if (!query.category.empty() &&
        std::find(blueprint->categories.begin(), blueprint->categories.end(), query.category) ==
            blueprint->categories.end()) {
      continue;
    }
    const std::string text = searchable_text(*blueprint);
    bool all = std::all_of(words.begin(), words.end(), [&](const std::string& word) {
      return text.find(word) != std::string::npos;
    });
    if (all) out.push_back(blueprint);
  }
  return out;
}

std::string catalog_lines(const std::vector<const Blueprint*>& blueprints) {
  std::size_t name_width = 0;
  std::size_t category_width = 0;
  for (const Blueprint* blueprint : blueprints) {
    name_width = std::max(name_width, blueprint->name.size());
    category_width = std::max(category_width, join(blueprint->categories, ",").size());
  }
  std::string out;
  for (const Blueprint* blueprint : blueprints) {
    out += fmt::format("{:<{}}  {:<17}  {:<{}}  {}", blueprint->name, name_width,
                       auth_modes(*blueprint), join(blueprint->categories, ","), category_width,
                       blueprint->description);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

}  // namespace ferry::config
