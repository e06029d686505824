#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "ferry/observe/secret_shapes.h"

namespace ferry::observe {

// The values that must never be shown, wherever they appear: client secrets and keys from
// the configuration, and every credential a connection snapshot holds in memory. Counted:
// a value registered twice stays until it has been removed twice.
//
// Finding them costs one table probe per byte of text, whatever the number of secrets:
// values are indexed by their last 8 bytes (the ends of tokens are their random part; JWTs
// share their first bytes), and a 64 Kibit filter answers most probes without touching
// the table. Values of 4 to 7 bytes are looked up by content at each position. Values
// under 4 bytes are ignored: masking them would garble ordinary text.
//
// Thread-safe: lookups share a lock, changes take it alone.
class SecretRegistry {
 public:
  SecretRegistry();
  ~SecretRegistry();
  SecretRegistry(const SecretRegistry&) = delete;
  SecretRegistry& operator=(const SecretRegistry&) = delete;

  // The process's registry, used by redact().
  static SecretRegistry& global();

  void add(std::string_view value);
  void remove(std::string_view value);

  // Appends the ranges of `text` holding a registered value (unordered, may overlap).
  void find(std::string_view text, std::vector<TextRange>& out) const;

  std::size_t size() const;

 private:
  struct Index;  // secret_registry.cc
  std::unique_ptr<Index> index_;
};

}  // namespace ferry::observe
