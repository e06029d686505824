#pragma once

#include <memory>
#include <mutex>
#include <set>

#include "ferry/store/store.h"
#include "ferry/store/types.h"

namespace ferry::store {

// The refresh claims of one process: a set of claimed keys. The SQLite store's claims (a
// single instance owns its file's refreshes). Claims are not tied to a thread: a claim
// taken on one thread may be released on another, as a refresh that suspends for its token
// request does. Thread-safe; outlives every claim it hands out.
class RefreshClaims {
 public:
  // A claim on `key`, or nullptr when one is held already.
  std::unique_ptr<RefreshClaim> try_claim(const ConnectionKey& key);

  // Keys claimed now (tests check that the set empties).
  std::size_t size() const;

 private:
  class Claim;

  void release(const ConnectionKey& key);

  mutable std::mutex mu_;
  std::set<ConnectionKey> claimed_;  // guarded by mu_
};

}  // namespace ferry::store
