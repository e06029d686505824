#include "ferry/store/refresh_claims.h"

namespace ferry::store {

class RefreshClaims::Claim final : public RefreshClaim {
 public:
  Claim(RefreshClaims& owner, ConnectionKey key) : owner_(owner), key_(std::move(key)) {}
  ~Claim() override { owner_.release(key_); }

 private:
  RefreshClaims& owner_;
  const ConnectionKey key_;
};

std::unique_ptr<RefreshClaim> RefreshClaims::try_claim(const ConnectionKey& key) {
  std::lock_guard lock(mu_);
  if (!claimed_.insert(key).second) return nullptr;
  return std::make_unique<Claim>(*this, key);
}

void RefreshClaims::release(const ConnectionKey& key) {
  std::lock_guard lock(mu_);
  claimed_.erase(key);
}

std::size_t RefreshClaims::size() const {
  std::lock_guard lock(mu_);
  return claimed_.size();
}

}  // namespace ferry::store
