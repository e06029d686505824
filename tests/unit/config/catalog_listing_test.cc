// `ferry blueprints` listing: search words, categories, one line per blueprint.
#include "ferry/config/catalog_listing.h"

#include <gtest/gtest.h>

namespace ferry::config {
namespace {

Catalog two_blueprints() {
  auto file = [](const std::string& name, const std::string& line, const std::string& categories,
                 const std::string& mode) {
    return std::pair<std::string, std::string>{
        "/b/" + name + ".yaml",
        "# " + line + "\nname: " + name + "\nmaintainer: m\ndocs_url: https://d.example/\n" +
            "categories: " + categories + "\nversions:\n  v0:\n    comment: c\n" +
            "    auth: {auth_mode: " + mode + "}\n    requests: {base_url: 'https://x.example/'}\n"};
  };
  auto catalog = Catalog::from_texts({file("deals", "Deals CRM API.", "[crm]", "API_KEY"),
                                 file("helpdesk", "Helpdesk tickets.", "[support, ticketing]", "NONE")});
  if (!catalog) throw std::runtime_error(catalog.error().message);
  return std::move(*catalog);
}

std::vector<std::string> names(const std::vector<const Blueprint*>& found) {
  std::vector<std::string> out;
  for (const Blueprint* b : found) out.push_back(b->name);
  return out;
}

TEST(CatalogListing, EveryWordMustMatchNameDescriptionCategoryOrAuthMode) {
  const Catalog catalog = two_blueprints();
  EXPECT_EQ(names(*find_blueprints(catalog, {})), (std::vector<std::string>{"deals", "helpdesk"}));
  EXPECT_EQ(names(*find_blueprints(catalog, {"TICKETS", ""})), (std::vector<std::string>{"helpdesk"}));
  EXPECT_EQ(names(*find_blueprints(catalog, {"crm api_key", ""})), (std::vector<std::string>{"deals"}));
  EXPECT_TRUE(find_blueprints(catalog, {"crm tickets", ""})->empty());
  EXPECT_EQ(names(*find_blueprints(catalog, {"", "ticketing"})), (std::vector<std::string>{"helpdesk"}));
  EXPECT_TRUE(find_blueprints(catalog, {"", "hr"})->empty());
}

TEST(CatalogListing, AnUnknownCategoryNamesTheKnownOnes) {
  auto found = find_blueprints(two_blueprints(), {"", "tickting"});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::invalid_argument);
  EXPECT_NE(found.error().message.find("did you mean ticketing?"), std::string::npos);
  EXPECT_NE(found.error().message.find("accounting, analytics"), std::string::npos);
}

TEST(CatalogListing, OneAlignedLinePerBlueprint) {
  const Catalog catalog = two_blueprints();
  const std::string lines = catalog_lines(*find_blueprints(catalog, {}));
  EXPECT_EQ(lines,
            "deals     API_KEY            crm                Deals CRM API.\n"
            "helpdesk  NONE               support,ticketing  Helpdesk tickets.\n");
}

}  // namespace
}  // namespace ferry::config
