#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::make_connection;
using testing::StoreTest;

class ConnectionsTest : public StoreTest {};

std::vector<std::string> ids_of(const std::vector<Connection>& rows) {
  std::vector<std::string> out;
  for (const auto& c : rows) out.push_back(c.connection_id);
  return out;
}

TEST_P(ConnectionsTest, CreateFillsIdTimesAndVersionAndFindReturnsTheSameRow) {
  auto store = open("c.db");
  auto created = store->create_connection(make_connection("jira", "user-1"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(std::regex_match(created->id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                                                       "[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(created->created_at, clock_->now());
  EXPECT_EQ(created->updated_at, clock_->now());
  EXPECT_EQ(created->version, 1);

  auto found = store->find_connection({"jira", "user-1"});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, created->id);
  EXPECT_EQ(found->provider, "jira");
  EXPECT_EQ(found->created_at, created->created_at);
  EXPECT_EQ(found->credentials.access_token, "at-user-1");
  EXPECT_EQ(found->connection_config["cloudId"], "cloud-user-1");
  EXPECT_EQ(found->metadata, json::object());
  EXPECT_EQ(found->errors, json::array());
  EXPECT_FALSE(found->last_fetched_at.has_value());
  EXPECT_TRUE(found->end_user.is_null());
  EXPECT_EQ(found->tags, json::object());
}

TEST_P(ConnectionsTest, EndUserAndTagsAreStoredAndUpdated) {
  auto store = open("c.db");
  Connection c = make_connection("jira", "user-1");
  c.end_user = {{"id", "end-user-1"}, {"email", "a@example.com"}};
  c.tags = {{"team", "blue"}};
  ASSERT_TRUE(store->create_connection(c));
  auto found = store->find_connection({"jira", "user-1"});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->end_user, c.end_user);
  EXPECT_EQ(found->tags, c.tags);

  ConnectionUpdate update;
  update.end_user = json{{"id", "end-user-2"}};
  auto updated = store->update_connection({"jira", "user-1"}, update);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(store->find_connection({"jira", "user-1"})->end_user["id"], "end-user-2");
  EXPECT_EQ(store->find_connection({"jira", "user-1"})->tags, c.tags);

  Connection bad = make_connection("jira", "user-2");
  bad.end_user = json::array();
  EXPECT_EQ(store->create_connection(bad).error().code, Errc::invalid_argument);
  bad.end_user = nullptr;
  bad.tags = json::array();
  EXPECT_EQ(store->create_connection(bad).error().code, Errc::invalid_argument);
}

TEST_P(ConnectionsTest, DuplicateKeyIsAConflictAndKeepsTheFirstRow) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-1")));
  auto second = make_connection("jira", "user-1");
  second.credentials.access_token = "other";
  auto duplicate = store->create_connection(second);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, Errc::conflict);
  EXPECT_NE(duplicate.error().message.find("user-1"), std::string::npos);
  EXPECT_EQ(store->find_connection({"jira", "user-1"})->credentials.access_token, "at-user-1");
  // The same connection id under another integration is a different connection.
  EXPECT_TRUE(store->create_connection(make_connection("slack", "user-1")));
}

TEST_P(ConnectionsTest, RejectsMissingKeyPartsAndWronglyShapedJson) {
  auto store = open("c.db");
  std::vector<Connection> bad(4, make_connection("jira", "u"));
  bad[0].provider_config_key = "";
  bad[1].connection_id = "";
  bad[2].metadata = json::array();
  bad[3].errors = json::object();
  for (const auto& c : bad) {
    auto created = store->create_connection(c);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, Errc::invalid_argument);
  }
  EXPECT_TRUE(store->list_connections({})->empty());
}

TEST_P(ConnectionsTest, UnknownConnectionIsNotFoundForFindDeleteAndUpdate) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-1")));
  const ConnectionKey missing{"jira", "nobody"};
  EXPECT_EQ(store->find_connection(missing).error().code, Errc::not_found);
  EXPECT_EQ(store->delete_connection(missing).error().code, Errc::not_found);
  EXPECT_EQ(store->update_connection(missing, {}).error().code, Errc::not_found);
}

TEST_P(ConnectionsTest, DeleteRemovesOnlyThatConnection) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-1")));
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-2")));
  ASSERT_TRUE(store->delete_connection({"jira", "user-1"}));
  EXPECT_EQ(store->find_connection({"jira", "user-1"}).error().code, Errc::not_found);
  EXPECT_TRUE(store->find_connection({"jira", "user-2"}));
  EXPECT_EQ(store->delete_connection({"jira", "user-1"}).error().code, Errc::not_found);
}

TEST_P(ConnectionsTest, ListFiltersAndPaginatesInCreationOrder) {
  auto store = open("c.db");
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"jira", "a"}, {"slack", "b"}, {"jira", "c"}, {"jira", "d"}, {"slack", "a"}};
  for (const auto& [key, id] : rows) {
    ASSERT_TRUE(store->create_connection(make_connection(key, id)));
    clock_->advance(std::chrono::seconds(1));
  }
  struct Case {
    ConnectionFilter filter;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{}, {"a", "b", "c", "d", "a"}},
      {{"jira", std::nullopt, 0, 0, std::nullopt}, {"a", "c", "d"}},
      {{std::nullopt, "a", 0, 0, std::nullopt}, {"a", "a"}},
      {{"slack", "a", 0, 0, std::nullopt}, {"a"}},
      {{"jira", std::nullopt, 2, 0, std::nullopt}, {"a", "c"}},
      {{"jira", std::nullopt, 2, 2, std::nullopt}, {"d"}},
      {{std::nullopt, std::nullopt, 0, 3, std::nullopt}, {"d", "a"}},
      {{"zoom", std::nullopt, 0, 0, std::nullopt}, {}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto listed = store->list_connections(cases[i].filter);
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(ids_of(*listed), cases[i].expected) << "case " << i;
  }
  auto slack = store->list_connections({"slack", std::nullopt, 0, 0, std::nullopt});
  ASSERT_EQ(slack->size(), 2u);
  EXPECT_EQ((*slack)[1].provider_config_key, "slack");
}

// Two end users of two organizations, one connection without an end user: the filters
// of GET /connections never mix one end user's connections with another's.
TEST_P(ConnectionsTest, ListFiltersByEndUserOrganizationSearchTagsAndIntegrations) {
  auto store = open("c.db");
  auto add = [&](const std::string& key, const std::string& id, json end_user, json tags) {
    Connection c = make_connection(key, id);
    c.end_user = std::move(end_user);
    c.tags = std::move(tags);
    ASSERT_TRUE(store->create_connection(c));
    clock_->advance(std::chrono::seconds(1));
  };
  const json ada = {{"id", "u-ada"},
                    {"email", "Ada@Example.com"},
                    {"display_name", "Ada Lovelace"},
                    {"organization", {{"id", "org-1"}, {"display_name", "Engines"}}}};
  const json bob = {{"id", "u-bob"},
                    {"email", "bob@example.com"},
                    {"display_name", "Bob"},
                    {"organization", {{"id", "org-2"}, {"display_name", nullptr}}}};
  add("jira", "conn-ada-jira", ada, {{"end_user_id", "u-ada"}, {"Plan", "pro"}});
  add("slack", "conn-ada-slack", ada, {{"end_user_id", "u-ada"}});
  add("jira", "conn-bob-jira", bob, {{"end_user_id", "u-bob"}, {"plan", "free"}});
  add("jira", "imported", nullptr, json::object());

  auto listed = [&](ConnectionFilter filter) {
    auto rows = store->list_connections(filter);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? ids_of(*rows) : std::vector<std::string>{};
  };
  using Ids = std::vector<std::string>;
  ConnectionFilter by_user;
  by_user.end_user_id = "u-ada";
  EXPECT_EQ(listed(by_user), (Ids{"conn-ada-jira", "conn-ada-slack"}));
  by_user.end_user_id = "u-ad";  // exact, never a prefix
  EXPECT_EQ(listed(by_user), Ids{});

  ConnectionFilter by_org;
  by_org.end_user_organization_id = "org-2";
  EXPECT_EQ(listed(by_org), Ids{"conn-bob-jira"});

  ConnectionFilter search;
  search.search = "ADA-J";  // the connection id, whatever the case
  EXPECT_EQ(listed(search), Ids{"conn-ada-jira"});
  search.search = "example.COM";  // the end user's email
  EXPECT_EQ(listed(search), (Ids{"conn-ada-jira", "conn-ada-slack", "conn-bob-jira"}));
  search.search = "lovelace";  // the display name
  EXPECT_EQ(listed(search), (Ids{"conn-ada-jira", "conn-ada-slack"}));
  search.search = "%";  // no wildcard
  EXPECT_EQ(listed(search), Ids{});

  ConnectionFilter tags;
  tags.tags = {{"plan", "pro"}};  // the stored key is "Plan"
  EXPECT_EQ(listed(tags), Ids{"conn-ada-jira"});
  tags.tags = {{"end_user_id", "u-ada"}, {"plan", "free"}};  // every tag must match
  EXPECT_EQ(listed(tags), Ids{});
  tags.tags = {{"end_user_id", "u-bob"}};
  EXPECT_EQ(listed(tags), Ids{"conn-bob-jira"});

  ConnectionFilter integrations;
  integrations.provider_config_keys = {"slack", "zoom"};
  EXPECT_EQ(listed(integrations), Ids{"conn-ada-slack"});
  integrations.provider_config_keys = {"slack", "jira"};
  integrations.end_user_id = "u-ada";
  integrations.limit = 1;
  integrations.offset = 1;
  EXPECT_EQ(listed(integrations), Ids{"conn-ada-slack"});
}

TEST_P(ConnectionsTest, UpdateChangesOnlyTheGivenFieldsAndBumpsVersion) {
  auto store = open("c.db");
  auto created = store->create_connection(make_connection("jira", "user-1"));
  ASSERT_TRUE(created);
  clock_->advance(std::chrono::minutes(5));
  ConnectionUpdate update;
  update.credentials = testing::access_token_only("new");
  update.last_fetched_at = clock_->now();
  update.expected_version = 1;
  auto updated = store->update_connection({"jira", "user-1"}, update);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->updated_at, clock_->now());
  EXPECT_EQ(updated->created_at, created->created_at);

  auto found = store->find_connection({"jira", "user-1"});
  EXPECT_EQ(found->credentials.access_token, "new");
  EXPECT_EQ(found->connection_config["cloudId"], "cloud-user-1");  // untouched
  EXPECT_EQ(found->last_fetched_at, clock_->now());
  EXPECT_EQ(found->version, 2);
}

TEST_P(ConnectionsTest, UpdateWithAStaleVersionIsAConflictAndWritesNothing) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-1")));
  ConnectionUpdate first;
  first.metadata = json{{"step", 1}};
  ASSERT_TRUE(store->update_connection({"jira", "user-1"}, first));  // now version 2

  ConnectionUpdate stale;
  stale.credentials = testing::access_token_only("lost");
  stale.expected_version = 1;
  auto rejected = store->update_connection({"jira", "user-1"}, stale);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, Errc::conflict);
  auto found = store->find_connection({"jira", "user-1"});
  EXPECT_EQ(found->credentials.access_token, "at-user-1");
  EXPECT_EQ(found->version, 2);
}

TEST_P(ConnectionsTest, UpdateRejectsWronglyShapedJson) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-1")));
  ConnectionUpdate update;
  update.errors = json{{"type", "auth"}};  // must be an array
  auto rejected = store->update_connection({"jira", "user-1"}, update);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, Errc::invalid_argument);
  EXPECT_EQ(store->find_connection({"jira", "user-1"})->version, 1);
}

TEST_P(ConnectionsTest, SetMetadataReplacesOrMergesTopLevelKeys) {
  auto store = open("c.db");
  for (const char* id : {"u1", "u2"}) {
    auto c = make_connection("jira", id);
    c.metadata = {{"keep", "old"}, {"nested", {{"a", 1}, {"b", 2}}}};
    ASSERT_TRUE(store->create_connection(c));
  }
  const json patch = {{"nested", {{"a", 9}}}, {"added", true}};
  ASSERT_TRUE(store->set_metadata("jira", {"u1"}, patch, /*merge=*/true));
  EXPECT_EQ(store->find_connection({"jira", "u1"})->metadata,
            (json{{"keep", "old"}, {"nested", {{"a", 9}}}, {"added", true}}));
  EXPECT_EQ(store->find_connection({"jira", "u1"})->version, 2);

  ASSERT_TRUE(store->set_metadata("jira", {"u1", "u2"}, patch, /*merge=*/false));
  EXPECT_EQ(store->find_connection({"jira", "u1"})->metadata, patch);
  EXPECT_EQ(store->find_connection({"jira", "u2"})->metadata, patch);
}

TEST_P(ConnectionsTest, SetMetadataWithAnUnknownIdWritesNothing) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u2")));
  auto set = store->set_metadata("jira", {"u1", "ghost", "u2"}, json{{"x", 1}}, false);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, Errc::not_found);
  EXPECT_NE(set.error().message.find("ghost"), std::string::npos);
  for (const char* id : {"u1", "u2"}) {
    auto found = store->find_connection({"jira", id});
    EXPECT_EQ(found->metadata, json::object()) << id;
    EXPECT_EQ(found->version, 1) << id;
  }
}

TEST_P(ConnectionsTest, SetMetadataRejectsNonObjectsAndEmptyIdLists) {
  auto store = open("c.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u1")));
  EXPECT_EQ(store->set_metadata("jira", {"u1"}, json::array(), false).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(store->set_metadata("jira", {}, json::object(), false).error().code,
            Errc::invalid_argument);
}

TEST_P(ConnectionsTest, RowsSurviveReopeningTheStore) {
  {
    auto store = open("c.db");
    auto c = make_connection("jira", "user-1");
    c.metadata = {{"team", "blue"}};
    ASSERT_TRUE(store->create_connection(c));
  }
  auto store = open("c.db");
  auto found = store->find_connection({"jira", "user-1"});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->metadata["team"], "blue");
  EXPECT_EQ(found->credentials.refresh_token, "rt-user-1");
}

TEST(SqliteStore, InMemoryUrlOpensAPrivateDatabase) {
  auto clock = std::make_shared<FakeClock>();
  auto first = open_store("sqlite://:memory:", "", clock);
  auto second = open_store("sqlite://:memory:", "", clock);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE((*first)->create_connection(make_connection("jira", "u1")));
  EXPECT_TRUE((*first)->find_connection({"jira", "u1"}));
  EXPECT_EQ((*second)->find_connection({"jira", "u1"}).error().code, Errc::not_found);
}

TEST(OpenStore, RejectsUnsupportedUrls) {
  struct Case {
    std::string_view url;
    std::string_view message_part;
  };
  for (const Case& c : {Case{"mysql://u:secret@db/ferry", "sqlite://"},
                        Case{"postgresql://u:secret@[::1/ferry", "not a valid PostgreSQL URL"},
                        Case{"postgres://u:s%zzecret@db/ferry", "not a valid PostgreSQL URL"},
                        Case{"sqlite://", "names no database file"}}) {
    auto store = open_store(c.url, "");
    ASSERT_FALSE(store) << c.url;
    EXPECT_EQ(store.error().code, Errc::invalid_argument) << c.url;
    EXPECT_NE(store.error().message.find(c.message_part), std::string::npos)
        << c.url << ": " << store.error().message;
    EXPECT_EQ(store.error().message.find("ecret"), std::string::npos) << c.url;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectionsTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ferry::store
