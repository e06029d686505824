#include "state.h"

#include "sites.h"

namespace ferry::fake_atlassian {

State::State(Options options) : options_(std::move(options)), shared_(fresh(options_)) {}

Shared State::fresh(const Options& options) {
  Shared shared;
  shared.config = options.config;
  // Seed items are dated from a fixed day so their timestamps do not depend on the run.
  const TimePoint epoch{FakeClock::kDefaultStart};
  for (const auto& site : first_sites(kSiteCount)) {
    shared.sites.emplace(site.id, seed_site_data(epoch));
  }
  return shared;
}

void State::reset() {
  std::lock_guard lock(mu_);
  shared_ = fresh(options_);
}

void count_request(Stats& stats, std::string_view path) {
  ++stats.requests_total;
  ++stats.requests_by_path[std::string(path)];
}

}  // namespace ferry::fake_atlassian
