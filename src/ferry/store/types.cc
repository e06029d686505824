#include "ferry/store/types.h"

namespace ferry::store {

std::string describe(const ConnectionKey& key) {
  return "connection " + key.connection_id + " of integration " + key.provider_config_key;
}

}  // namespace ferry::store
