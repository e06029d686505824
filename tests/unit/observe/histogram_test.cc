#include "ferry/observe/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace ferry::observe {
namespace {

TEST(Histogram, CountsAValueInTheFirstBucketWhoseBoundHoldsIt) {
  const std::vector<double> bounds = {0.1, 0.5, 1};
  struct Case {
    double value;
    std::size_t bucket;
  };
  for (const Case& c : {Case{-1, 0}, Case{0, 0}, Case{0.1, 0}, Case{0.1000001, 1}, Case{0.5, 1},
                        Case{0.7, 2}, Case{1, 2}, Case{1.01, 3}, Case{1e9, 3}}) {
    EXPECT_EQ(bucket_index(bounds, c.value), c.bucket) << c.value;
  }
}

TEST(Histogram, SnapshotsPerBucketCountsCumulativeCountsAndTheSum) {
  Histogram h({0.1, 0.5, 1});
  for (double v : {0.05, 0.1, 0.3, 0.7, 2.0, 5.0}) h.observe(v);
  h.observe(std::nan(""));  // ignored
  const HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.buckets, (std::vector<std::uint64_t>{2, 1, 1, 2}));
  EXPECT_EQ(s.cumulative(), (std::vector<std::uint64_t>{2, 3, 4, 6}));
  EXPECT_EQ(s.count(), 6u);
  EXPECT_DOUBLE_EQ(s.sum, 8.15);
}

TEST(Histogram, CountsFromManyThreadsWithoutLosingAny) {
  Histogram h({1, 2});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10'000; ++i) h.observe(i % 3);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count(), 40'000u);
  EXPECT_DOUBLE_EQ(s.sum, 4 * (3333 * 1 + 3333 * 2.0));
}

TEST(Histogram, EstimatesQuantilesByInterpolatingWithinTheBucket) {
  const std::vector<double> bounds = {0.1, 0.2, 0.4};
  struct Case {
    std::vector<std::uint64_t> buckets;
    double q;
    double expected;
  };
  for (const Case& c : {
           // 10 in (0, 0.1]: the median is halfway through the first bucket.
           Case{{10, 0, 0, 0}, 0.5, 0.05},
           // Rank 5 of 10: the 5th of 8 in (0.1, 0.2] after 2 below -> 0.1 + 0.1 * 3/8.
           Case{{2, 8, 0, 0}, 0.5, 0.1375},
           // Rank 9.9 of 10 falls in (0.2, 0.4], holding the last 2 -> 0.2 + 0.2 * 1.9/2.
           Case{{0, 8, 2, 0}, 0.99, 0.39},
           // A rank in the +Inf bucket: the highest finite bound.
           Case{{1, 0, 0, 9}, 0.5, 0.4},
           // Empty buckets before the rank are skipped.
           Case{{0, 0, 4, 0}, 0.5, 0.3},
       }) {
    auto q = estimate_quantile(bounds, c.buckets, c.q);
    ASSERT_TRUE(q.has_value());
    EXPECT_NEAR(*q, c.expected, 1e-9)
        << c.q << " of bucket " << c.buckets[0] << "," << c.buckets[1] << "," << c.buckets[2];
  }
  EXPECT_FALSE(estimate_quantile(bounds, std::vector<std::uint64_t>{0, 0, 0, 0}, 0.5));
}

}  // namespace
}  // namespace ferry::observe
