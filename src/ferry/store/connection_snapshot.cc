#include "ferry/store/connection_snapshot.h"

#include <string_view>

#include "ferry/observe/redact.h"

namespace ferry::store {
namespace {

template <class F>
void for_each_secret(const Credentials& credentials, F f) {
  for (std::string_view value : {std::string_view(credentials.access_token),
                                 std::string_view(credentials.refresh_token),
                                 std::string_view(credentials.oauth_token),
                                 std::string_view(credentials.oauth_token_secret),
                                 std::string_view(credentials.api_key),
                                 std::string_view(credentials.password)}) {
    if (!value.empty()) f(value);
  }
}

// The row and its registration, released together.
struct HeldConnection {
  explicit HeldConnection(Connection row) : connection(std::move(row)) {
    for_each_secret(connection.credentials, observe::register_secret);
  }
  ~HeldConnection() { for_each_secret(connection.credentials, observe::unregister_secret); }
  HeldConnection(const HeldConnection&) = delete;
  HeldConnection& operator=(const HeldConnection&) = delete;

  Connection connection;
};

}  // namespace

std::shared_ptr<const Connection> make_snapshot(Connection row) {
  auto held = std::make_shared<const HeldConnection>(std::move(row));
  return std::shared_ptr<const Connection>(held, &held->connection);
}

}  // namespace ferry::store
