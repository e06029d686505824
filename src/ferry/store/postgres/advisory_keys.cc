#include "ferry/store/postgres/advisory_keys.h"

#include <string>

#include "ferry/core/crypto.h"

namespace ferry::store::pg {
namespace {

std::uint64_t first_64_bits(std::string_view data) {
  const std::string digest = sha256(data);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(digest[i]);
  return value;
}

}  // namespace

AdvisoryKey refresh_lock_key(const ConnectionKey& key) {
  // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
  const std::uint64_t bits = first_64_bits(std::to_string(key.provider_config_key.size()) + ":" +
                                           key.provider_config_key + key.connection_id);
  return {static_cast<std::int32_t>(static_cast<std::uint32_t>(bits >> 32)),
          static_cast<std::int32_t>(static_cast<std::uint32_t>(bits))};
}

std::int64_t admission_lock_key(std::string_view client_address) {
  return static_cast<std::int64_t>(first_64_bits("oauth admission:" + std::string(client_address)));
}

}  // namespace ferry::store::pg
